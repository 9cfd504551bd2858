import { link, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRender } from '../../src/cli/render';
import { LoudnessMeter, type LoudnessMeasurement } from '../../src/dsp/loudness';
import { encodeWav, openAudio } from '../../src/main/audio';
import { syntheticSong } from '../support/synthetic-song';

const RATE = 48000;

function capture(tty = false) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

async function measureFile(path: string): Promise<LoudnessMeasurement & { frames: number; channels: number; sampleRate: number; bits: number }> {
  const reader = await openAudio(path);
  const { sampleRate, channels, bitsPerSample } = reader.info;
  const meter = new LoudnessMeter({ sampleRate, channels });
  let frames = 0;
  for await (const chunk of reader.read()) {
    meter.process(chunk, chunk[0].length);
    frames += chunk[0].length;
  }
  await reader.close();
  return { ...meter.finish(), frames, channels, sampleRate, bits: bitsPerSample };
}

let dir: string;
let song: string;
const SONG_FRAMES = 20 * RATE;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-render-'));
  song = join(dir, 'Song 1.wav');
  // Quiet, as an unmastered bounce (−24.6 LUFS, −7 dBTP): trimming it up drives the drums into the limiter.
  const audio = syntheticSong({ sampleRate: RATE, seconds: 20, gainDb: -6 });
  await writeFile(song, encodeWav(audio, { sampleRate: RATE, channels: 2, encoding: 'pcm24' }));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('liveblend render', () => {
  it('trims a song to −18 LUFS under a −1 dBTP ceiling and says what it did', async () => {
    const out = join(dir, 'Song 1 (live).wav');
    const c = capture();
    const code = await runRender([song, out, '--target', '-18', '--ceiling', '-1'], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const result = await measureFile(out);
    expect(result.integrated).not.toBeNull();
    expect(Math.abs(result.integrated! + 18)).toBeLessThanOrEqual(0.2);
    expect(result.truePeak).toBeLessThanOrEqual(-1);
    expect([result.frames, result.channels, result.sampleRate, result.bits]).toEqual([SONG_FRAMES, 2, RATE, 24]);
    expect(c.out()).toMatch(/Song 1\.wav → Song 1 \(live\)\.wav \(48\.0 kHz, pcm24\)/);
    expect(c.out()).toMatch(/before: −24\.\d LUFS integrated, LRA \d+\.\d LU, true peak −\d\.\d dBTP/);
    expect(c.out()).toMatch(/after: {2}−18\.\d LUFS integrated, LRA \d+\.\d LU, true peak −1\.\d dBTP/);
    expect(c.out()).toMatch(/trim \+\d\.\d dB; limiter at −1\.0 dBTP took up to \d+\.\d dB/);
    expect((await readdir(dir)).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('corrects the trim in further passes when the limiter holds the level down', async () => {
    // −12 LUFS takes about 10 dB of limiting: the first pass, trimmed by the measurement alone, falls short.
    const out = join(dir, 'Song 1 (loud).wav');
    const c = capture();
    expect(await runRender([song, out, '--target', '-12', '--ceiling', '-1'], c.io)).toBe(0);
    const result = await measureFile(out);
    expect(Math.abs(result.integrated! + 12)).toBeLessThanOrEqual(0.2);
    expect(result.truePeak).toBeLessThanOrEqual(-1);
    expect(Number(/limiter at −1\.0 dBTP took up to (\d+\.\d) dB/.exec(c.out())?.[1])).toBeGreaterThan(6);
  });

  it('applies a preset file and writes 32-bit float', async () => {
    const presetPath = join(dir, 'chorus.json');
    await writeFile(presetPath, JSON.stringify({ version: 1, trimDb: -3, eq: [{ enabled: true }, {}, { gainDb: -4 }, {}, {}], compressor: { enabled: true } }));
    const out = join(dir, 'chorus.wav');
    const c = capture();
    expect(await runRender([song, out, '--preset', presetPath, '--format', 'float32'], c.io)).toBe(0);
    const result = await measureFile(out);
    expect(result.bits).toBe(32);
    expect(result.frames).toBe(SONG_FRAMES);
    expect(c.out()).toMatch(/trim −3\.0 dB; compressor up to \d+\.\d dB; limiter at −1\.0 dBTP/);
  });

  it('keeps a mono 44.1 kHz song mono at 44.1 kHz, its length intact', async () => {
    const mono = join(dir, 'mono.wav');
    const frames = 5 * 44100;
    await writeFile(mono, encodeWav(syntheticSong({ sampleRate: 44100, seconds: 5, channels: 1, gainDb: -6 }), { sampleRate: 44100, channels: 1, encoding: 'pcm24' }));
    const out = join(dir, 'mono (live).wav');
    const c = capture();
    expect(await runRender([mono, out, '--target', '-18', '--ceiling', '-2'], c.io)).toBe(0);
    const result = await measureFile(out);
    expect([result.frames, result.channels, result.sampleRate, result.bits]).toEqual([frames, 1, 44100, 24]);
    expect(Math.abs(result.integrated! + 18)).toBeLessThanOrEqual(0.2);
    expect(result.truePeak).toBeLessThanOrEqual(-2);
  });

  it('refuses a bad preset, naming the field, the value and the range, and writes nothing', async () => {
    const presetPath = join(dir, 'bad.json');
    await writeFile(presetPath, JSON.stringify({ version: 1, eq: [{}, {}, { freqHz: 25000 }, {}, {}] }));
    const out = join(dir, 'never.wav');
    const c = capture();
    expect(await runRender([song, out, '--preset', presetPath], c.io)).toBe(2);
    expect(c.err()).toContain('preset.eq[2].freqHz: 25000 is outside 20–20000 Hz');
    await expect(stat(out)).rejects.toThrow(/ENOENT/);

    await writeFile(presetPath, '{ "version": 1, ');
    const broken = capture();
    expect(await runRender([song, out, '--preset', presetPath], broken.io)).toBe(2);
    expect(broken.err()).toMatch(/bad\.json is not valid JSON/);
  });

  it('never writes over its input, whatever the output is called', async () => {
    const before = await readFile(song);
    const alias = join(dir, 'alias.wav');
    await link(song, alias);
    for (const out of [song, join(dir, '.', 'Song 1.wav'), alias]) {
      const c = capture();
      expect(await runRender([song, out, '--target', '-18'], c.io)).toBe(2);
      expect(c.err()).toMatch(/is the input file: LiveBlend never overwrites its input; choose another output name/);
    }
    expect((await readFile(song)).equals(before)).toBe(true);
  });

  it('leaves no file behind when the input fails', async () => {
    const truncated = join(dir, 'truncated.wav');
    const whole = encodeWav(syntheticSong({ sampleRate: RATE, seconds: 2 }), { sampleRate: RATE, channels: 2, encoding: 'pcm24' });
    await writeFile(truncated, whole.subarray(0, whole.length / 2));
    const out = join(dir, 'from-truncated.wav');
    const c = capture();
    expect(await runRender([truncated, out], c.io)).toBe(1);
    expect(c.err()).toMatch(/truncated\.wav: file is truncated/);
    expect((await readdir(dir)).filter((name) => name.includes('from-truncated'))).toEqual([]);
  });

  it('explains bad arguments with exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [[song], /expected an input and an output file/],
      [[song, join(dir, 'x.mp3')], /LiveBlend renders WAV files/],
      [[song, join(dir, 'x.wav'), '--target', 'loud'], /--target loud: expected a number of LUFS from -36 to -6/],
      // A device refuses targets outside −36…−6 LUFS, so a render for it may not aim elsewhere.
      [[song, join(dir, 'x.wav'), '--target', '-40'], /--target -40: expected a number of LUFS from -36 to -6/],
      [[song, join(dir, 'x.wav'), '--ceiling', '3'], /--ceiling 3: expected a number of dBTP from -20 to 0/],
      [[song, join(dir, 'x.wav'), '--format', 'mp3'], /--format mp3: expected pcm24 or float32/],
      [[song, join(dir, 'x.wav'), '--preset', join(dir, 'missing.json')], /missing\.json: file not found/],
      [[song, join(dir, 'no-such-folder', 'x.wav')], /folder .*no-such-folder does not exist/],
      [[song, join(dir, 'x.wav'), '--loud'], /Unknown option '--loud'/],
    ];
    for (const [argv, message] of cases) {
      const c = capture();
      expect(await runRender(argv, c.io), argv.join(' ')).toBe(2);
      expect(c.err()).toMatch(message);
      expect(c.err()).toMatch(/Run 'liveblend render --help' for usage/);
    }
    const help = capture();
    expect(await runRender(['--help'], help.io)).toBe(0);
    expect(help.out()).toMatch(/Usage: liveblend render <in> <out\.wav>/);
  });

  it('draws progress only on a terminal', async () => {
    const tty = capture(true);
    expect(await runRender([song, join(dir, 'tty.wav')], tty.io)).toBe(0);
    expect(tty.err()).toMatch(/rendering \[#+-*\]/);
    const piped = capture(false);
    expect(await runRender([song, join(dir, 'piped.wav')], piped.io)).toBe(0);
    expect(piped.err()).toBe('');
  });
});
