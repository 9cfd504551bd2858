import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { AudioFileError, type AudioErrorCode, type AudioReader, type ReadOptions } from '../../../src/main/audio';

/** A fresh temporary folder for the test file, removed after its tests; returns a writer of files in it. */
export function useTempDir(): { path(name: string): string; write(name: string, bytes: Uint8Array | string): Promise<string> } {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'liveblend-audio-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    path: (name) => join(dir, name),
    async write(name, bytes) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      return path;
    },
  };
}

/** A test signal with a different tone per channel, peaking below full scale. */
export function testSignal(channels: number, frames: number, sampleRate = 48000): Float64Array[] {
  return Array.from({ length: channels }, (_, channel) => {
    const samples = new Float64Array(frames);
    const frequency = 220 * (channel + 1) + 17;
    for (let i = 0; i < frames; i++) {
      samples[i] = 0.8 * Math.sin((2 * Math.PI * frequency * i) / sampleRate) + 0.1 * Math.sin(i * 0.37 + channel);
    }
    return samples;
  });
}

/** Reads the requested range into fresh arrays, copying each chunk as the reader contract demands. */
export async function readAll(reader: AudioReader, options?: ReadOptions): Promise<Float32Array[]> {
  const chunks: Float32Array[][] = [];
  for await (const chunk of reader.read(options)) chunks.push(chunk.map((channel) => channel.slice()));
  return Array.from({ length: reader.info.channels }, (_, channel) => {
    const joined = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk[channel].length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      joined.set(chunk[channel], offset);
      offset += chunk[channel].length;
    }
    return joined;
  });
}

/** Largest absolute difference between two signals, channel by channel. */
export function maxDifference(actual: ArrayLike<number>[], expected: ArrayLike<number>[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((channel, c) => {
    expect(channel.length).toBe(expected[c].length);
    for (let i = 0; i < channel.length; i++) worst = Math.max(worst, Math.abs(channel[i] - expected[c][i]));
  });
  return worst;
}

/** Asserts that `action` fails with an AudioFileError of `code` whose message matches every pattern. */
export async function expectAudioError(action: Promise<unknown> | (() => Promise<unknown>), code: AudioErrorCode, ...patterns: RegExp[]): Promise<AudioFileError> {
  const error: unknown = await (typeof action === 'function' ? action() : action).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'expected an AudioFileError').toBeInstanceOf(AudioFileError);
  const audioError = error as AudioFileError;
  expect(audioError.code, audioError.message).toBe(code);
  for (const pattern of patterns) expect(audioError.message).toMatch(pattern);
  return audioError;
}

/** Drains every chunk of a read, for tests that only care whether it fails. */
export async function drain(reader: AudioReader, options?: ReadOptions): Promise<number> {
  let frames = 0;
  for await (const chunk of reader.read(options)) frames += chunk[0].length;
  return frames;
}

// ---- Hand-built containers, for layouts the encoders never produce ----

export interface Chunk {
  id: string;
  body: Uint8Array;
  /** Size to write in the header instead of the body length (to fake truncation or streaming). */
  declaredSize?: number;
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** A RIFF-style (little-endian) or IFF-style (big-endian) file: magic, size, form type, padded chunks. */
export function container(magic: string, formType: string, chunks: Chunk[], littleEndian: boolean, declaredSize?: number): Uint8Array {
  const parts = chunks.map(({ id, body, declaredSize: size }) => {
    const header = new DataView(new ArrayBuffer(8));
    ascii(id).forEach((byte, i) => header.setUint8(i, byte));
    header.setUint32(4, size ?? body.length, littleEndian);
    return concat(new Uint8Array(header.buffer), body, new Uint8Array(body.length % 2));
  });
  const body = concat(ascii(formType), ...parts);
  const header = new DataView(new ArrayBuffer(8));
  ascii(magic).forEach((byte, i) => header.setUint8(i, byte));
  header.setUint32(4, declaredSize ?? body.length, littleEndian);
  return concat(new Uint8Array(header.buffer), body);
}

export function riff(chunks: Chunk[], magic = 'RIFF', declaredSize?: number): Uint8Array {
  return container(magic, 'WAVE', chunks, true, declaredSize);
}

export interface FmtFields {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign?: number;
  /** Writes WAVE_FORMAT_EXTENSIBLE with this sub-format tag. */
  extensibleSubFormat?: number;
  validBits?: number;
}

export function fmtChunk(fields: FmtFields): Chunk {
  const { formatTag, channels, sampleRate, bitsPerSample, extensibleSubFormat } = fields;
  const blockAlign = fields.blockAlign ?? channels * Math.ceil(bitsPerSample / 8);
  const view = new DataView(new ArrayBuffer(extensibleSubFormat === undefined ? 16 : 40));
  view.setUint16(0, extensibleSubFormat === undefined ? formatTag : 0xfffe, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, sampleRate, true);
  view.setUint32(8, sampleRate * blockAlign, true);
  view.setUint16(12, blockAlign, true);
  view.setUint16(14, bitsPerSample, true);
  if (extensibleSubFormat !== undefined) {
    view.setUint16(16, 22, true);
    view.setUint16(18, fields.validBits ?? bitsPerSample, true);
    view.setUint16(24, extensibleSubFormat, true);
    [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71].forEach((byte, i) => view.setUint8(26 + i, byte));
  }
  return { id: 'fmt ', body: new Uint8Array(view.buffer) };
}

/** Interleaves integer sample values (already scaled) into little- or big-endian bytes of `width`. */
export function interleaveInts(planar: ArrayLike<number>[], width: number, littleEndian: boolean, unsigned = false): Uint8Array {
  const frames = planar[0].length;
  const bytes = new Uint8Array(frames * planar.length * width);
  let p = 0;
  for (let i = 0; i < frames; i++) {
    for (const channel of planar) {
      let value = channel[i] + (unsigned ? 2 ** (width * 8 - 1) : 0);
      for (let b = 0; b < width; b++) {
        bytes[littleEndian ? p + b : p + width - 1 - b] = value & 0xff;
        value >>= 8;
      }
      p += width;
    }
  }
  return bytes;
}

/** Integer sample values of `bits` for a float signal, as an encoder would produce them. */
export function quantized(planar: ArrayLike<number>[], bits: number): number[][] {
  const scale = 2 ** (bits - 1);
  return planar.map((channel) => Array.from(channel, (x) => Math.max(-scale, Math.min(scale - 1, Math.round(x * scale)))));
}

/** The float values a reader should deliver for integer samples of `bits`. */
export function dequantized(values: number[][], bits: number): Float32Array[] {
  return values.map((channel) => Float32Array.from(channel, (v) => v / 2 ** (bits - 1)));
}

export function silence(bytes: number): Uint8Array {
  return new Uint8Array(bytes);
}

export function interleaveFloats(planar: ArrayLike<number>[], width: 4 | 8, littleEndian: boolean): Uint8Array {
  const frames = planar[0].length;
  const view = new DataView(new ArrayBuffer(frames * planar.length * width));
  let p = 0;
  for (let i = 0; i < frames; i++) {
    for (const channel of planar) {
      if (width === 4) view.setFloat32(p, channel[i], littleEndian);
      else view.setFloat64(p, channel[i], littleEndian);
      p += width;
    }
  }
  return new Uint8Array(view.buffer);
}
