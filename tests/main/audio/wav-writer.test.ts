import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { WavWriter, encodeWav, openAudio, type WavWriterOptions } from '../../../src/main/audio';
import { maxDifference, readAll, testSignal, useTempDir } from './helpers';

const files = useTempDir();
const RATE = 48000;
const ENCODINGS: { encoding: WavWriterOptions['encoding']; lsb: number }[] = [
  { encoding: 'pcm16', lsb: 2 ** -15 },
  { encoding: 'pcm24', lsb: 2 ** -23 },
  { encoding: 'pcm32', lsb: 2 ** -24 }, // the reader's Float32 output is the limit here
  { encoding: 'float32', lsb: 2 ** -24 },
  { encoding: 'float64', lsb: 2 ** -24 },
];

/** Writes `planar` in pieces of `piece` frames, the way a render loop would. */
async function writeInPieces(path: string, planar: Float64Array[], options: WavWriterOptions, piece: number, limits?: { maxRiffBytes: number }): Promise<void> {
  const writer = await WavWriter.create(path, options, limits);
  for (let start = 0; start < planar[0].length; start += piece) {
    const frames = Math.min(piece, planar[0].length - start);
    await writer.write(planar.map((channel) => channel.subarray(start, start + frames)), frames);
  }
  await writer.close();
}

describe('WavWriter', () => {
  for (const { encoding, lsb } of ENCODINGS) {
    it(`streams ${encoding} that reads back within 1 LSB and matches encodeWav byte for byte`, async () => {
      const signal = testSignal(2, 10_001, RATE);
      const options = { sampleRate: RATE, channels: 2, encoding };
      const path = files.path(`written-${encoding}.wav`);
      await writeInPieces(path, signal, options, 4096);
      expect(new Uint8Array(await readFile(path))).toEqual(encodeWav(signal, options));
      const reader = await openAudio(path);
      expect(reader.info).toMatchObject({ format: 'wav', frames: 10_001, channels: 2, sampleRate: RATE });
      expect(maxDifference(await readAll(reader), signal)).toBeLessThanOrEqual(lsb);
      await reader.close();
    });
  }

  it('accepts Float32Array input', async () => {
    const signal = testSignal(1, 1000).map((channel) => Float32Array.from(channel));
    const path = files.path('float32-input.wav');
    const writer = await WavWriter.create(path, { sampleRate: RATE, channels: 1, encoding: 'float32' });
    await writer.write(signal, 1000);
    await writer.close();
    const reader = await openAudio(path);
    expect(maxDifference(await readAll(reader), signal)).toBe(0);
    await reader.close();
  });

  it('clamps integer output instead of wrapping around', async () => {
    const hot = [Float64Array.of(1, 1.5, -1, -1.5, 0.99999999, Number.NaN)];
    for (const bits of [16, 24, 32] as const) {
      const reader = await openAudio(await files.write(`clamp-${bits}.wav`, encodeWav(hot, { sampleRate: RATE, channels: 1, encoding: `pcm${bits}` })));
      const max = 1 - 2 ** (1 - bits);
      expect(Array.from((await readAll(reader))[0])).toEqual([max, max, -1, -1, max, 0].map(Math.fround));
      await reader.close();
    }
  });

  it('keeps floats beyond full scale', async () => {
    const reader = await openAudio(await files.write('hot-float.wav', encodeWav([Float64Array.of(2, -3.5)], { sampleRate: RATE, channels: 1, encoding: 'float32' })));
    expect(Array.from((await readAll(reader))[0])).toEqual([2, -3.5]);
    await reader.close();
  });

  it('pads odd-sized data to an even length', async () => {
    const bytes = encodeWav(testSignal(1, 3), { sampleRate: RATE, channels: 1, encoding: 'pcm24' }); // 9 data bytes
    expect(bytes.length % 2).toBe(0);
    const path = files.path('odd.wav');
    await writeInPieces(path, testSignal(1, 3), { sampleRate: RATE, channels: 1, encoding: 'pcm24' }, 1);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
  });

  it('uses WAVE_FORMAT_EXTENSIBLE for more than two channels', async () => {
    const signal = testSignal(6, 500);
    const bytes = encodeWav(signal, { sampleRate: RATE, channels: 6, encoding: 'pcm24' });
    expect(new DataView(bytes.buffer).getUint16(56, true)).toBe(0xfffe); // fmt body after RIFF, JUNK, fmt header
    const reader = await openAudio(await files.write('six.wav', bytes));
    expect(reader.info.channels).toBe(6);
    expect(maxDifference(await readAll(reader), signal)).toBeLessThanOrEqual(2 ** -23);
    await reader.close();
  });

  it('switches to RF64 when the file outgrows the RIFF size limit', async () => {
    const signal = testSignal(2, 3000);
    const path = files.path('big.wav');
    // 3000 stereo float32 frames are 24 000 bytes: over a 20 000-byte limit.
    await writeInPieces(path, signal, { sampleRate: RATE, channels: 2, encoding: 'float32' }, 1000, { maxRiffBytes: 20_000 });
    const bytes = new Uint8Array(await readFile(path));
    const view = new DataView(bytes.buffer);
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('RF64');
    expect(view.getUint32(4, true)).toBe(0xffffffff);
    expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe('ds64');
    expect(Number(view.getBigUint64(20, true))).toBe(bytes.length - 8); // RIFF size
    expect(Number(view.getBigUint64(28, true))).toBe(24_000); // data size
    expect(Number(view.getBigUint64(36, true))).toBe(3000); // sample count
    const reader = await openAudio(path);
    expect(reader.info).toMatchObject({ format: 'rf64', frames: 3000, sampleFormat: 'float' });
    expect(maxDifference(await readAll(reader), signal)).toBeLessThanOrEqual(2 ** -24);
    await reader.close();

    const small = files.path('small.wav');
    await writeInPieces(small, testSignal(2, 100), { sampleRate: RATE, channels: 2, encoding: 'float32' }, 100, { maxRiffBytes: 20_000 });
    expect((await readFile(small)).subarray(0, 4).toString()).toBe('RIFF');
  });

  it('writes a valid empty file', async () => {
    const path = files.path('empty.wav');
    await (await WavWriter.create(path, { sampleRate: RATE, channels: 2, encoding: 'pcm16' })).close();
    const reader = await openAudio(path);
    expect(reader.info.frames).toBe(0);
    await reader.close();
    expect((await stat(path)).size).toBe(encodeWav([new Float64Array(0), new Float64Array(0)], { sampleRate: RATE, channels: 2, encoding: 'pcm16' }).length);
  });

  it('rejects misuse', async () => {
    const writer = await WavWriter.create(files.path('misuse.wav'), { sampleRate: RATE, channels: 2, encoding: 'pcm16' });
    await expect(writer.write([new Float32Array(10)], 10)).rejects.toThrow(RangeError);
    await expect(writer.write([new Float32Array(10), new Float32Array(5)], 10)).rejects.toThrow(RangeError);
    const first = writer.write([new Float32Array(10), new Float32Array(10)], 10);
    await expect(writer.write([new Float32Array(10), new Float32Array(10)], 10)).rejects.toThrow(/previous write/);
    await first;
    await writer.close();
    await writer.close();
    await expect(writer.write([new Float32Array(1), new Float32Array(1)], 1)).rejects.toThrow(/after close/);
    await expect(WavWriter.create(files.path('bad.wav'), { sampleRate: 0, channels: 2, encoding: 'pcm16' })).rejects.toThrow(RangeError);
    expect(() => encodeWav([new Float32Array(2), new Float32Array(3)], { sampleRate: RATE, channels: 2, encoding: 'pcm16' })).toThrow(/same length/);
  });
});
