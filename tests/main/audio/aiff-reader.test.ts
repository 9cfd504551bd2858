import { describe, expect, it } from 'vitest';
import { encodeAiff, openAudio } from '../../../src/main/audio';
import { writeExtended } from '../../../src/main/audio/extended-float';
import {
  ascii,
  concat,
  container,
  dequantized,
  expectAudioError,
  interleaveFloats,
  interleaveInts,
  maxDifference,
  quantized,
  readAll,
  testSignal,
  useTempDir,
  type Chunk,
} from './helpers';

const files = useTempDir();
const RATE = 44100;

/** A COMM chunk; with `compression` it is the AIFF-C form. */
function comm(channels: number, frames: number, bits: number, sampleRate: number, compression?: { type: string; name: string }): Chunk {
  const view = new DataView(new ArrayBuffer(18));
  view.setInt16(0, channels);
  view.setUint32(2, frames);
  view.setInt16(6, bits);
  writeExtended(view, 8, sampleRate);
  const base = new Uint8Array(view.buffer);
  if (!compression) return { id: 'COMM', body: base };
  return { id: 'COMM', body: concat(base, ascii(compression.type), Uint8Array.of(compression.name.length), ascii(compression.name)) };
}

function ssnd(samples: Uint8Array, offset = 0): Chunk {
  const header = new DataView(new ArrayBuffer(8));
  header.setUint32(0, offset);
  return { id: 'SSND', body: concat(new Uint8Array(header.buffer), new Uint8Array(offset), samples) };
}

describe('AIFF and AIFF-C', () => {
  const signal = testSignal(2, 3000, RATE);

  for (const bits of [16, 24, 32] as const) {
    it(`round-trips ${bits}-bit AIFF within 1 LSB`, async () => {
      const path = await files.write(`aiff-${bits}.aif`, encodeAiff(signal, { sampleRate: RATE, channels: 2, bits }));
      const reader = await openAudio(path);
      expect(reader.info).toEqual({ path, format: 'aiff', sampleRate: RATE, channels: 2, frames: 3000, bitsPerSample: bits, sampleFormat: 'int', seekable: true });
      expect(maxDifference(await readAll(reader), signal)).toBeLessThanOrEqual(bits === 16 ? 2 ** -15 : 2 ** -23);
      await reader.close();
    });
  }

  for (const aifc of ['none', 'sowt'] as const) {
    for (const bits of [16, 24, 32] as const) {
      it(`round-trips AIFF-C ${aifc} ${bits}-bit`, async () => {
        const reader = await openAudio(await files.write(`aifc-${aifc}-${bits}.aifc`, encodeAiff(signal, { sampleRate: RATE, channels: 2, bits, aifc })));
        expect(reader.info).toMatchObject({ format: 'aifc', bitsPerSample: bits, sampleFormat: 'int', frames: 3000 });
        expect(maxDifference(await readAll(reader), signal)).toBeLessThanOrEqual(bits === 16 ? 2 ** -15 : 2 ** -23);
        await reader.close();
      });
    }
  }

  it('round-trips AIFF-C fl32 exactly', async () => {
    const reader = await openAudio(await files.write('aifc-fl32.aifc', encodeAiff(signal, { sampleRate: RATE, channels: 2, bits: 32, aifc: 'fl32' })));
    expect(reader.info).toMatchObject({ format: 'aifc', sampleFormat: 'float', bitsPerSample: 32 });
    expect(maxDifference(await readAll(reader), signal.map((channel) => Float32Array.from(channel)))).toBe(0);
    await reader.close();
  });

  it('reads FL32, fl64 and FL64', async () => {
    for (const [type, width] of [['FL32', 4], ['fl64', 8], ['FL64', 8]] as const) {
      const bytes = container('FORM', 'AIFC', [comm(2, 3000, width * 8, RATE, { type, name: 'float' }), ssnd(interleaveFloats(signal, width, false))], false);
      const reader = await openAudio(await files.write(`aifc-${type}.aifc`, bytes));
      expect(reader.info).toMatchObject({ sampleFormat: 'float', bitsPerSample: width * 8 });
      expect(maxDifference(await readAll(reader), signal)).toBeLessThanOrEqual(2 ** -24);
      await reader.close();
    }
  });

  it('reads 8-bit signed AIFF, SSND offsets, odd chunks and SSND before COMM', async () => {
    const values = quantized(testSignal(1, 5, RATE), 8); // odd-sized SSND
    const bytes = container('FORM', 'AIFF', [{ id: 'NAME', body: ascii('abc') }, ssnd(interleaveInts(values, 1, false), 3), { id: 'ANNO', body: ascii('x') }, comm(1, 5, 8, 22050)], false);
    const reader = await openAudio(await files.write('aiff-8.aiff', bytes));
    expect(reader.info).toMatchObject({ sampleRate: 22050, channels: 1, frames: 5, bitsPerSample: 8 });
    expect(maxDifference(await readAll(reader), dequantized(values, 8))).toBe(0);
    await reader.close();
  });

  it('reads a range exactly', async () => {
    const reader = await openAudio(await files.write('aiff-range.aif', encodeAiff(signal, { sampleRate: RATE, channels: 2, bits: 24 })));
    const whole = await readAll(reader);
    const part = await readAll(reader, { startFrame: 1234, endFrame: 2345, chunkFrames: 100 });
    expect(maxDifference(part, whole.map((channel) => channel.subarray(1234, 2345)))).toBe(0);
    await reader.close();
  });

  it('parses non-integer and high sample rates from the 80-bit field', async () => {
    for (const rate of [8000, 44100, 96000, 192000, 22254.545454545456]) {
      const reader = await openAudio(await files.write(`rate-${rate}.aif`, encodeAiff([[0, 0]], { sampleRate: rate, channels: 1, bits: 16 })));
      expect(reader.info.sampleRate).toBe(rate);
      await reader.close();
    }
  });

  it('rejects compressed AIFF-C, naming the compression', async () => {
    const bytes = container('FORM', 'AIFC', [comm(1, 10, 16, RATE, { type: 'ima4', name: 'IMA 4:1' }), ssnd(new Uint8Array(20))], false);
    await expectAudioError(openAudio(await files.write('ima4.aifc', bytes)), 'unsupported', /"ima4"/, /IMA 4:1/, /uncompressed AIFF or WAV/);
  });

  it('reports a SSND chunk cut short by the end of the file as truncated', async () => {
    const full = encodeAiff(testSignal(2, RATE, RATE), { sampleRate: RATE, channels: 2, bits: 16 });
    await expectAudioError(openAudio(await files.write('short.aif', full.subarray(0, full.length / 2))), 'truncated', /promises 1\.0 s/, /holds 0\.5 s/);
  });

  it('reports COMM promising more frames than SSND holds as corrupt', async () => {
    const bytes = container('FORM', 'AIFF', [comm(1, 100, 16, RATE), ssnd(new Uint8Array(100)), { id: 'ANNO', body: new Uint8Array(400) }], false);
    await expectAudioError(openAudio(await files.write('mismatch.aif', bytes)), 'corrupt', /COMM/, /SSND/);
  });

  it('rejects other IFF forms', async () => {
    await expectAudioError(openAudio(await files.write('image.iff', container('FORM', 'ILBM', [], false))), 'unsupported', /ILBM/);
  });
});
