import { open, type FileHandle } from 'node:fs/promises';
import { commonLength, pcmEncoders } from './pcm';
import { MAX_RIFF_BYTES, WAV_SAMPLE_ENCODINGS, buildWavHeader, bytesPerFrame, validateWavOptions, type WavWriterOptions } from './wav-header';

export type { WavWriterOptions } from './wav-header';

/** @internal Lets tests exercise the RF64 switch without writing 4 GiB. */
export interface WavWriterLimits {
  /** Largest RIFF size written as plain WAV; above it the file becomes RF64. */
  maxRiffBytes: number;
}

/**
 * Streams a WAV file to disk: writes a placeholder header, appends samples as they come, and
 * patches the sizes on close() — switching to RF64 if the file outgrew 4 GiB. Integer output is
 * rounded and clamped (no dither). Await each write() before starting the next.
 */
export class WavWriter {
  private dataBytes = 0;
  private scratch = new Uint8Array(0);
  private busy = false;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly options: WavWriterOptions,
    private readonly limits: WavWriterLimits,
    private readonly headerBytes: number,
  ) {}

  static async create(path: string, options: WavWriterOptions, limits: WavWriterLimits = { maxRiffBytes: MAX_RIFF_BYTES }): Promise<WavWriter> {
    validateWavOptions(options);
    const header = buildWavHeader(options, 0);
    const handle = await open(path, 'w');
    try {
      await handle.write(header, 0, header.length, 0);
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    return new WavWriter(handle, { ...options }, limits, header.length);
  }

  /** Appends the first `frames` frames of one array per channel (values in [-1, 1] for integer output). */
  async write(planar: Float32Array[] | Float64Array[], frames: number): Promise<void> {
    if (this.closed) throw new Error('WavWriter.write() called after close()');
    if (this.busy) throw new Error('WavWriter.write() called before the previous write finished');
    if (planar.length !== this.options.channels) throw new RangeError(`expected ${this.options.channels} channels, got ${planar.length}`);
    if (!Number.isInteger(frames) || frames < 0 || planar.some((channel) => channel.length < frames)) {
      throw new RangeError(`cannot write ${frames} frames from channels of ${planar.map((channel) => channel.length).join('/')} samples`);
    }
    const byteCount = frames * bytesPerFrame(this.options);
    if (this.scratch.length < byteCount) this.scratch = new Uint8Array(byteCount);
    pcmEncoders[WAV_SAMPLE_ENCODINGS[this.options.encoding]](planar, frames, this.scratch, 0);
    this.busy = true;
    try {
      await this.handle.write(this.scratch, 0, byteCount, this.headerBytes + this.dataBytes);
      this.dataBytes += byteCount;
    } finally {
      this.busy = false;
    }
  }

  /** Writes the pad byte and the final header, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.dataBytes % 2 === 1) await this.handle.write(new Uint8Array(1), 0, 1, this.headerBytes + this.dataBytes);
      const header = buildWavHeader(this.options, this.dataBytes, this.limits.maxRiffBytes);
      await this.handle.write(header, 0, header.length, 0);
    } finally {
      await this.handle.close();
    }
  }
}

/** Encodes a whole WAV file in memory; every channel must have the same length. */
export function encodeWav(planar: ArrayLike<number>[], options: WavWriterOptions): Uint8Array {
  validateWavOptions(options);
  const frames = commonLength(planar, options.channels);
  const dataBytes = frames * bytesPerFrame(options);
  const header = buildWavHeader(options, dataBytes);
  const file = new Uint8Array(header.length + dataBytes + (dataBytes % 2));
  file.set(header);
  pcmEncoders[WAV_SAMPLE_ENCODINGS[options.encoding]](planar, frames, file, header.length);
  return file;
}
