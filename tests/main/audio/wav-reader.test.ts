import { describe, expect, it } from 'vitest';
import { encodeWav, openAudio, type WavWriterOptions } from '../../../src/main/audio';
import {
  ascii,
  dequantized,
  fmtChunk,
  interleaveFloats,
  interleaveInts,
  maxDifference,
  quantized,
  readAll,
  riff,
  testSignal,
  useTempDir,
  type Chunk,
} from './helpers';

const files = useTempDir();
const RATE = 48000;

describe('WAV round trips', () => {
  const cases: { encoding: WavWriterOptions['encoding']; tolerance: number; bits: number; sampleFormat: 'int' | 'float' }[] = [
    { encoding: 'pcm16', tolerance: 2 ** -15, bits: 16, sampleFormat: 'int' },
    { encoding: 'pcm24', tolerance: 2 ** -23, bits: 24, sampleFormat: 'int' },
    { encoding: 'pcm32', tolerance: 2 ** -24, bits: 32, sampleFormat: 'int' }, // limited by Float32 output
    { encoding: 'float32', tolerance: 0, bits: 32, sampleFormat: 'float' },
    { encoding: 'float64', tolerance: 2 ** -24, bits: 64, sampleFormat: 'float' },
  ];
  for (const { encoding, tolerance, bits, sampleFormat } of cases) {
    it(`reads back ${encoding} within 1 LSB`, async () => {
      const signal = testSignal(2, 5000, RATE);
      const path = await files.write(`${encoding}.wav`, encodeWav(signal, { sampleRate: RATE, channels: 2, encoding }));
      const reader = await openAudio(path);
      expect(reader.info).toEqual({ path, format: 'wav', sampleRate: RATE, channels: 2, frames: 5000, bitsPerSample: bits, sampleFormat, seekable: true });
      const expected = encoding === 'float32' ? signal.map((channel) => Float32Array.from(channel)) : signal;
      expect(maxDifference(await readAll(reader), expected)).toBeLessThanOrEqual(tolerance);
      await reader.close();
    });
  }

  it('reads 8-bit unsigned PCM', async () => {
    const values = [[-128, -1, 0, 1, 127]];
    const path = await files.write('u8.wav', riff([fmtChunk({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 8 }), { id: 'data', body: interleaveInts(values, 1, true, true) }]));
    const reader = await openAudio(path);
    expect(reader.info.bitsPerSample).toBe(8);
    expect(Array.from((await readAll(reader))[0])).toEqual([-1, -1 / 128, 0, 1 / 128, 127 / 128]);
    await reader.close();
  });

  it('reads the extremes of every integer width exactly', async () => {
    for (const bits of [16, 24, 32]) {
      const scale = 2 ** (bits - 1);
      const values = [[-scale, -1, 0, 1, scale - 1]];
      const fmt = fmtChunk({ formatTag: 1, channels: 1, sampleRate: RATE, bitsPerSample: bits });
      const path = await files.write(`extremes-${bits}.wav`, riff([fmt, { id: 'data', body: interleaveInts(values, bits / 8, true) }]));
      const reader = await openAudio(path);
      expect(maxDifference(await readAll(reader), dequantized(values, bits))).toBe(0);
      await reader.close();
    }
  });

  it('reads WAVE_FORMAT_EXTENSIBLE PCM and float, and reports valid bits', async () => {
    const signal = testSignal(3, 1000, RATE);
    const multichannel = await files.write('extensible-3ch.wav', encodeWav(signal, { sampleRate: RATE, channels: 3, encoding: 'pcm24' }));
    const reader = await openAudio(multichannel);
    expect(reader.info.channels).toBe(3);
    expect(maxDifference(await readAll(reader), signal)).toBeLessThanOrEqual(2 ** -23);
    await reader.close();

    const values = quantized(testSignal(2, 600, RATE), 24).map((channel) => channel.map((v) => v & ~0xf)); // 20 valid bits
    const fmt20 = fmtChunk({ formatTag: 1, channels: 2, sampleRate: RATE, bitsPerSample: 24, extensibleSubFormat: 1, validBits: 20 });
    const twentyBit = await files.write('extensible-20bit.wav', riff([fmt20, { id: 'data', body: interleaveInts(values, 3, true) }]));
    const reader20 = await openAudio(twentyBit);
    expect(reader20.info).toMatchObject({ bitsPerSample: 20, sampleFormat: 'int' });
    expect(maxDifference(await readAll(reader20), dequantized(values, 24))).toBe(0);
    await reader20.close();

    const floats = testSignal(2, 600, RATE);
    const fmtFloat = fmtChunk({ formatTag: 3, channels: 2, sampleRate: RATE, bitsPerSample: 32, extensibleSubFormat: 3 });
    const float = await files.write('extensible-float.wav', riff([fmtFloat, { id: 'data', body: interleaveFloats(floats, 4, true) }]));
    const floatReader = await openAudio(float);
    expect(floatReader.info.sampleFormat).toBe('float');
    expect(maxDifference(await readAll(floatReader), floats)).toBeLessThanOrEqual(2 ** -24);
    await floatReader.close();
  });
});

describe('WAV chunk layout', () => {
  const values = quantized(testSignal(2, 777, RATE), 16);
  const fmt = fmtChunk({ formatTag: 1, channels: 2, sampleRate: RATE, bitsPerSample: 16 });
  const data: Chunk = { id: 'data', body: interleaveInts(values, 2, true) };
  const expected = dequantized(values, 16);

  async function expectReadsSignal(name: string, bytes: Uint8Array, format = 'wav'): Promise<void> {
    const reader = await openAudio(await files.write(name, bytes));
    expect(reader.info.format).toBe(format);
    expect(reader.info.frames).toBe(777);
    expect(maxDifference(await readAll(reader), expected)).toBe(0);
    await reader.close();
  }

  it('skips unknown chunks (LIST, bext, JUNK) before and after the audio', async () => {
    const list = { id: 'LIST', body: concatText('INFOISFT', 'Ableton Live 12') };
    const bext = { id: 'bext', body: new Uint8Array(602) };
    await expectReadsSignal('unknown-chunks.wav', riff([{ id: 'JUNK', body: new Uint8Array(28) }, fmt, bext, list, data, list]));
  });

  it('honours the pad byte after odd-sized chunks', async () => {
    const odd = { id: 'odd ', body: ascii('abc') }; // 3 bytes + 1 pad byte
    await expectReadsSignal('odd-chunk.wav', riff([fmt, odd, data]));
    // Odd-sized data (mono 8-bit, 5 frames) followed by another chunk.
    const mono8 = riff([fmtChunk({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 8 }), { id: 'data', body: Uint8Array.of(128, 129, 130, 131, 132) }, odd]);
    const reader = await openAudio(await files.write('odd-data.wav', mono8));
    expect(reader.info.frames).toBe(5);
    await reader.close();
  });

  it('finds the data chunk before the fmt chunk', async () => {
    await expectReadsSignal('data-first.wav', riff([data, { id: 'LIST', body: ascii('INFO') }, fmt]));
  });

  it('reads to the end of the file when the data size is 0xFFFFFFFF or 0 (unfinished recording)', async () => {
    await expectReadsSignal('size-ffffffff.wav', riff([fmt, { ...data, declaredSize: 0xffffffff }], 'RIFF', 0xffffffff));
    await expectReadsSignal('size-zero.wav', riff([fmt, { ...data, declaredSize: 0 }], 'RIFF', 0));
  });

  it('treats a zero-sized data chunk followed by another chunk as empty', async () => {
    const reader = await openAudio(await files.write('empty-data.wav', riff([fmt, { id: 'data', body: new Uint8Array(0) }, { id: 'LIST', body: ascii('INFO') }])));
    expect(reader.info.frames).toBe(0);
    expect(await readAll(reader)).toEqual([new Float32Array(0), new Float32Array(0)]);
    await reader.close();
  });

  for (const magic of ['RF64', 'BW64']) {
    it(`reads ${magic} with sizes in the ds64 chunk`, async () => {
      const ds64 = new DataView(new ArrayBuffer(28 + 12));
      ds64.setBigUint64(8, BigInt(data.body.length), true); // data size
      ds64.setBigUint64(16, 777n, true); // sample count
      ds64.setUint32(24, 1, true); // one table entry, for the LIST chunk
      ascii('LIST').forEach((byte, i) => ds64.setUint8(28 + i, byte));
      ds64.setBigUint64(32, 4n, true);
      const list = { id: 'LIST', body: ascii('INFO'), declaredSize: 0xffffffff };
      const bytes = riff([{ id: 'ds64', body: new Uint8Array(ds64.buffer) }, fmt, list, { ...data, declaredSize: 0xffffffff }], magic, 0xffffffff);
      await expectReadsSignal(`${magic}.wav`, bytes, 'rf64');
    });
  }
});

describe('reading ranges and chunks', () => {
  const signal = testSignal(2, 10_000, RATE);

  it('delivers the same audio whatever the chunk size', async () => {
    const reader = await openAudio(await files.write('chunks.wav', encodeWav(signal, { sampleRate: RATE, channels: 2, encoding: 'pcm24' })));
    const oneShot = await readAll(reader, { chunkFrames: 1_000_000 });
    for (const chunkFrames of [1, 7, 4096, 9999, 10_000]) {
      expect(maxDifference(await readAll(reader, { chunkFrames }), oneShot)).toBe(0);
    }
    const sizes: number[] = [];
    for await (const chunk of reader.read({ chunkFrames: 4096 })) sizes.push(chunk[0].length);
    expect(sizes).toEqual([4096, 4096, 1808]);
    await reader.close();
  });

  it('reads exactly [startFrame, endFrame)', async () => {
    const reader = await openAudio(await files.write('range.wav', encodeWav(signal, { sampleRate: RATE, channels: 2, encoding: 'float32' })));
    const whole = await readAll(reader);
    for (const [startFrame, endFrame] of [[0, 1], [123, 4567], [9999, 10_000], [5000, undefined], [undefined, 3]] as const) {
      const part = await readAll(reader, { startFrame, endFrame, chunkFrames: 1000 });
      expect(maxDifference(part, whole.map((channel) => channel.subarray(startFrame ?? 0, endFrame ?? 10_000)))).toBe(0);
    }
    expect((await readAll(reader, { startFrame: 9000, endFrame: 50_000 }))[0].length).toBe(1000); // clamped to the file
    expect((await readAll(reader, { startFrame: 20_000 }))[0].length).toBe(0);
    expect((await readAll(reader, { startFrame: 10, endFrame: 5 }))[0].length).toBe(0);
    await expect(readAll(reader, { startFrame: -1 })).rejects.toThrow(RangeError);
    await expect(readAll(reader, { chunkFrames: 0 })).rejects.toThrow(RangeError);
    await reader.close();
  });

  it('reuses its chunk arrays, so consumers must copy what they keep', async () => {
    const reader = await openAudio(await files.write('reuse.wav', encodeWav(signal, { sampleRate: RATE, channels: 2, encoding: 'pcm16' })));
    const seen: Float32Array[][] = [];
    for await (const chunk of reader.read({ chunkFrames: 3000 })) seen.push(chunk);
    expect(seen.map((chunk) => chunk[0].length)).toEqual([3000, 3000, 3000, 1000]);
    // Full chunks are the very same arrays; the short last chunk is a view of the same memory.
    expect(seen[1][0]).toBe(seen[0][0]);
    expect(seen[3][0].buffer).toBe(seen[0][0].buffer);
    await reader.close();
  });

  it('lets two reads of one reader run side by side', async () => {
    const reader = await openAudio(await files.write('parallel.wav', encodeWav(signal, { sampleRate: RATE, channels: 2, encoding: 'pcm16' })));
    const [a, b] = await Promise.all([readAll(reader, { chunkFrames: 1000 }), readAll(reader, { chunkFrames: 777 })]);
    expect(maxDifference(a, b)).toBe(0);
    await reader.close();
  });
});

function concatText(...parts: string[]): Uint8Array {
  return ascii(parts.join(''));
}
