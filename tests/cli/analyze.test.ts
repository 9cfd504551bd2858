import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { encodeWav } from '../../src/main/audio';
import { sineSegments } from '../support/ebu-signals';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  return { io: { stdout, stderr }, out: () => out, err: () => err };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-analyze-'));
  await mkdir(join(dir, 'set'));
  const song = (levelDb: number) =>
    encodeWav(sineSegments(48000, [{ seconds: 5, levelDb }]).channels, { sampleRate: 48000, channels: 2, encoding: 'pcm24' });
  await writeFile(join(dir, 'set', '2 Second.wav'), song(-30));
  await writeFile(join(dir, 'set', '10 Third.wav'), song(-29));
  await writeFile(join(dir, 'set', '1 First.wav'), song(-20));
  await writeFile(join(dir, 'set', 'notes.txt'), 'not audio');
  await writeFile(join(dir, 'silent.wav'), encodeWav([new Float32Array(48000), new Float32Array(48000)], { sampleRate: 48000, channels: 2, encoding: 'pcm16' }));
  const truncated = song(-20).slice(0, 48000);
  await writeFile(join(dir, 'truncated.wav'), truncated);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('liveblend analyze', () => {
  it('measures a folder in natural order, proposes trims and flags jumps over 2 LU', async () => {
    const c = capture();
    const code = await main(['analyze', join(dir, 'set'), '--json', '--workers', '2'], c.io);
    expect(code).toBe(0);
    const doc = JSON.parse(c.out());
    expect(doc.target).toBe(-18);
    expect(doc.ceiling).toBe(-1);
    expect(doc.files.map((f: { path: string }) => f.path.split('/').pop())).toEqual(['1 First.wav', '2 Second.wav', '10 Third.wav']);
    const [first, second, third] = doc.files;
    expect(first.integrated).toBeCloseTo(-20, 1);
    expect(first.trimDb).toBeCloseTo(2, 1);
    expect(first.truePeak).toBeCloseTo(-20, 1);
    expect(second.jumpBeforeLu).toBeCloseTo(-10, 1);
    expect(second.jumpAfterLu).toBeCloseTo(0, 1);
    expect(second.warnings.join()).toMatch(/jumps −10\.0 LU/);
    expect(third.jumpBeforeLu).toBeCloseTo(1, 1);
    expect(third.warnings).toEqual([]);
    for (const key of ['durationSec', 'sampleRate', 'channels', 'lra', 'samplePeak', 'momentaryMax', 'shortTermMax']) {
      expect(first).toHaveProperty(key);
    }
  });

  it('warns when the trim would push the true peak over the ceiling, by how much', async () => {
    const c = capture();
    await main(['analyze', join(dir, 'set', '2 Second.wav'), '--json', '--target', '-9'], c.io);
    const [file] = JSON.parse(c.out()).files;
    // −30 dBFS sine at −30 LUFS, trim +21 dB puts the peak at −9 dBTP: under a −1 ceiling.
    expect(file.warnings).toEqual([]);
    const c2 = capture();
    await main(['analyze', join(dir, 'set', '1 First.wav'), '--json', '--target', '-6', '--ceiling', '-9'], c2.io);
    expect(JSON.parse(c2.out()).files[0].warnings.join()).toMatch(/dB over the −9\.0 dBTP ceiling/);
  });

  it('keeps going past bad files, reports why, and exits 1', async () => {
    const c = capture();
    const code = await main(['analyze', join(dir, 'missing.wav'), join(dir, 'truncated.wav'), join(dir, 'silent.wav'), join(dir, 'set', '1 First.wav'), '--json'], c.io);
    expect(code).toBe(1);
    const files = JSON.parse(c.out()).files;
    expect(files[0].error.code).toBe('not-found');
    expect(files[1].error.code).toBe('truncated');
    expect(files[1].error.message).toMatch(/truncated/);
    expect(files[2].integrated).toBeNull();
    expect(files[2].warnings.join()).toMatch(/silent/);
    expect(files[3].integrated).toBeCloseTo(-20, 1);
  });

  it('adds momentary and short-term series with --series', async () => {
    const c = capture();
    await main(['analyze', join(dir, 'set', '1 First.wav'), '--json', '--series'], c.io);
    const [file] = JSON.parse(c.out()).files;
    expect(file.momentarySeries.length).toBe(47);
    expect(file.shortTermSeries[0][0]).toBe(3);
    expect(file.shortTermSeries[0][1]).toBeCloseTo(-20, 1);
  });

  it('prints a table for people', async () => {
    const c = capture();
    await main(['analyze', join(dir, 'set')], c.io);
    expect(c.out()).toMatch(/Target −18\.0 LUFS/);
    expect(c.out()).toMatch(/1 First\.wav .*−20\.0 LUFS/);
    expect(c.out()).toMatch(/3 measured, 0 failed/);
    expect(c.err()).toBe('');
  });

  it.each([
    [['analyze'], /no files or folders/],
    [['analyze', 'x.wav', '--target', 'loud'], /--target loud: expected a number/],
    [['analyze', 'x.wav', '--target', '-5'], /--target -5: expected a number of LUFS from -36 to -6/],
    [['analyze', 'x.wav', '--workers', '0'], /--workers 0/],
    [['analyze', 'x.wav', '--series'], /--series needs --json/],
    [['analyze', 'x.wav', '--bogus'], /Unknown option/],
    [['frobnicate'], /unknown command/],
  ])('refuses bad arguments %j with exit code 2', async (argv, message) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(message);
  });
});
