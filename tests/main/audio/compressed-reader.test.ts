import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAudio } from '../../../src/main/audio';
import { FIXTURES, FIXTURE_FRAMES, FIXTURE_SAMPLE_RATE, fixtureSignal } from '../../fixtures/audio/fixture-signal';
import { ascii, concat, drain, expectAudioError, maxDifference, readAll, useTempDir } from './helpers';

const files = useTempDir();
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/audio/${name}`, import.meta.url));
const expected = fixtureSignal();

// The WebAssembly decoders log every error they meet to the console; keep test output readable.
beforeEach(() => {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function rms(samples: ArrayLike<number>, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (to - from));
}

/** Normalised correlation of `actual` against `reference` shifted by `lag` frames. */
function correlation(actual: ArrayLike<number>, reference: ArrayLike<number>, lag: number): number {
  let dot = 0;
  let energyA = 0;
  let energyB = 0;
  for (let i = 2048; i < actual.length - 2048; i++) {
    const a = actual[i];
    const b = reference[i + lag];
    dot += a * b;
    energyA += a * a;
    energyB += b * b;
  }
  return dot / Math.sqrt(energyA * energyB);
}

describe('FLAC', () => {
  it('reads STREAMINFO and decodes exactly (within 1 LSB of 16-bit)', async () => {
    const path = fixture(FIXTURES.flacStereo);
    const reader = await openAudio(path);
    expect(reader.info).toEqual({ path, format: 'flac', sampleRate: FIXTURE_SAMPLE_RATE, channels: 2, frames: FIXTURE_FRAMES, bitsPerSample: 16, sampleFormat: 'int', seekable: false });
    expect(maxDifference(await readAll(reader), expected)).toBeLessThanOrEqual(2 ** -15);
    await reader.close();
  });

  it('delivers exact ranges in chunks of the requested size', async () => {
    const reader = await openAudio(fixture(FIXTURES.flacStereo));
    const whole = await readAll(reader);
    const sizes: number[] = [];
    for await (const chunk of reader.read({ chunkFrames: 10_000 })) sizes.push(chunk[0].length);
    expect(sizes).toEqual([10_000, 10_000, 10_000, 10_000, 4100]);
    const part = await readAll(reader, { startFrame: 4097, endFrame: 30_001, chunkFrames: 999 });
    expect(maxDifference(part, whole.map((channel) => channel.subarray(4097, 30_001)))).toBe(0);
    await reader.close();
  });

  it('reports a cut-off file as truncated after delivering what it has', async () => {
    const bytes = await readFile(fixture(FIXTURES.flacStereo));
    const reader = await openAudio(await files.write('cut.flac', bytes.subarray(0, Math.floor(bytes.length * 0.6))));
    expect(reader.info.frames).toBe(FIXTURE_FRAMES); // STREAMINFO is intact
    let delivered = 0;
    await expectAudioError(async () => {
      for await (const chunk of reader.read()) delivered += chunk[0].length;
    }, 'truncated', /promises 1\.0 s/, /only 0\.\d s could be decoded/);
    expect(delivered).toBeGreaterThan(0);
    await reader.close();
  });

  it('reports a damaged STREAMINFO as corrupt and garbage as unsupported', async () => {
    const garbage = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919 + 13) & 0xff);
    await expectAudioError(openAudio(await files.write('garbage-after-magic.flac', concat(ascii('fLaC'), garbage))), 'corrupt', /STREAMINFO/);
    await expectAudioError(openAudio(await files.write('garbage.flac', garbage)), 'unsupported', /not an audio file/);
  });

  it('finds FLAC behind an ID3 tag', async () => {
    const flac = await readFile(fixture(FIXTURES.flacStereo));
    const id3 = concat(ascii('ID3'), Uint8Array.of(3, 0, 0, 0, 0, 0, 20), new Uint8Array(20)); // 20-byte tag body
    const reader = await openAudio(await files.write('tagged.flac', concat(id3, flac)));
    expect(reader.info.format).toBe('flac');
    expect(maxDifference(await readAll(reader), expected)).toBeLessThanOrEqual(2 ** -15);
    await reader.close();
  });
});

describe('MP3', () => {
  it('reads the stereo fixture: length from the Info/LAME tags, level and waveform preserved', async () => {
    const path = fixture(FIXTURES.mp3Stereo);
    const reader = await openAudio(path);
    expect(reader.info).toEqual({ path, format: 'mp3', sampleRate: FIXTURE_SAMPLE_RATE, channels: 2, frames: FIXTURE_FRAMES, bitsPerSample: 0, sampleFormat: 'float', seekable: false });
    const decoded = await readAll(reader);
    // Gapless decoding removes the encoder delay and padding; allow one granule either way.
    expect(Math.abs(decoded[0].length - FIXTURE_FRAMES)).toBeLessThanOrEqual(576);
    for (const channel of [0, 1]) {
      const levelDb = 20 * Math.log10(rms(decoded[channel], 2048, 40_000) / rms(expected[channel], 2048, 40_000));
      expect(Math.abs(levelDb)).toBeLessThan(0.5);
      expect(correlation(decoded[channel], expected[channel], 0)).toBeGreaterThan(0.999); // 0.995 one frame off
    }
    // Channels are not swapped: left correlates better with the left reference.
    expect(correlation(decoded[0], expected[0], 0)).toBeGreaterThan(correlation(decoded[0], expected[1], 0));
    await reader.close();
  });

  it('reads a mono VBR file as one channel', async () => {
    const reader = await openAudio(fixture(FIXTURES.mp3Mono));
    expect(reader.info).toMatchObject({ channels: 1, sampleRate: FIXTURE_SAMPLE_RATE, frames: FIXTURE_FRAMES });
    const decoded = await readAll(reader);
    expect(decoded).toHaveLength(1);
    expect(Math.abs(decoded[0].length - FIXTURE_FRAMES)).toBeLessThanOrEqual(576);
    expect(correlation(decoded[0], expected[0], 0)).toBeGreaterThan(0.999);
    await reader.close();
  });

  it('delivers exact ranges by decoding and discarding', async () => {
    const reader = await openAudio(fixture(FIXTURES.mp3Stereo));
    const whole = await readAll(reader);
    const part = await readAll(reader, { startFrame: 20_000, endFrame: 20_500, chunkFrames: 128 });
    expect(maxDifference(part, whole.map((channel) => channel.subarray(20_000, 20_500)))).toBe(0);
    await reader.close();
  });

  it('estimates the length from the bitrate when there is no Info tag', async () => {
    const bytes = await readFile(fixture(FIXTURES.mp3Stereo));
    const firstFrameBytes = 417; // 128 kb/s at 44.1 kHz without padding: the Info frame
    const reader = await openAudio(await files.write('untagged.mp3', bytes.subarray(firstFrameBytes)));
    const audioFrames = 40; // with nothing to say how much is padding, all of them are decoded
    expect(Math.abs(reader.info.frames - audioFrames * 1152)).toBeLessThan(1152);
    // The estimate only informs; reading is not cut short at it.
    expect(await drain(reader)).toBe(audioFrames * 1152);
    await reader.close();
  });

  it('reports a cut-off file as truncated', async () => {
    const bytes = await readFile(fixture(FIXTURES.mp3Stereo));
    const reader = await openAudio(await files.write('cut.mp3', bytes.subarray(0, bytes.length / 2)));
    await expectAudioError(drain(reader), 'truncated', /promises 1\.0 s/, /holds 0\.\d s/);
    await reader.close();
  });

  it('reports garbage inside the stream as corrupt', async () => {
    const bytes = new Uint8Array(await readFile(fixture(FIXTURES.mp3Stereo)));
    for (let i = 6000; i < 9000; i++) bytes[i] = (i * 7919) & 0xff;
    const reader = await openAudio(await files.write('damaged.mp3', bytes));
    await expectAudioError(drain(reader), 'corrupt', /MP3 data is damaged/, /re-export/);
    await reader.close();
  });

  it('reports an ID3 tag with no audio behind it as corrupt', async () => {
    const id3 = concat(ascii('ID3'), Uint8Array.of(3, 0, 0, 0, 0, 0, 10), new Uint8Array(10));
    const garbage = Uint8Array.from({ length: 3000 }, (_, i) => (i * 31) & 0x7f);
    await expectAudioError(openAudio(await files.write('tag-only.mp3', concat(id3, garbage))), 'corrupt', /no MPEG audio frame/);
  });

  it('rejects MPEG layer II', async () => {
    const bytes = await readFile(fixture(FIXTURES.mp3Stereo));
    const layer2 = Uint8Array.from(bytes);
    layer2[1] = (layer2[1] & ~0x06) | 0x04; // layer bits 10 = layer II
    await expectAudioError(openAudio(await files.write('layer2.mp3', layer2)), 'unsupported', /layer 2/);
  });
});
