import type { AudioFile } from './audio-file';
import { truncatedError } from './errors';
import { DECODE_SLACK_BYTES, bytesPerSample, pcmDecoders, type PcmEncoding } from './pcm';
import { allocatePlanar, planRead } from './read-range';
import { simdPcmBuffers } from './simd-pcm';
import type { AudioInfo, AudioReader, ReadOptions } from './types';

/** Where the uncompressed samples of a WAV or AIFF file live, as found by its header parser. */
export interface PcmLayout {
  encoding: PcmEncoding;
  /** File position of the first byte of frame 0. */
  dataOffset: number;
}

/** Streams uncompressed PCM straight from disk: seekable, and memory bounded by the chunk size. */
export class PcmFileReader implements AudioReader {
  constructor(
    readonly info: AudioInfo,
    private readonly file: AudioFile,
    private readonly layout: PcmLayout,
  ) {}

  async *read(options?: ReadOptions): AsyncGenerator<Float32Array[]> {
    const { startFrame, endFrame, chunkFrames } = planRead(options, this.info.frames);
    const { channels } = this.info;
    const bytesPerFrame = bytesPerSample(this.layout.encoding) * channels;
    const capacity = Math.min(chunkFrames, endFrame - startFrame);
    // Two byte buffers: the next chunk is read from disk while this one is decoded and consumed.
    const simd = simdPcmBuffers(this.layout.encoding, channels, capacity);
    const buffers = simd?.bytes ?? [0, 1].map(() => new Uint8Array(capacity * bytesPerFrame + DECODE_SLACK_BYTES));
    const planar = simd?.planar ?? allocatePlanar(channels, capacity);
    const decode = simd?.decode ?? pcmDecoders[this.layout.encoding];
    const framesAt = (frame: number) => Math.min(capacity, endFrame - frame);
    const readAt = (frame: number, buffer: Uint8Array) =>
      this.file.readInto(buffer, framesAt(frame) * bytesPerFrame, this.layout.dataOffset + frame * bytesPerFrame);

    let current = 0;
    let pending: Promise<number> | null = startFrame < endFrame ? readAt(startFrame, buffers[current]) : null;
    try {
      for (let frame = startFrame; frame < endFrame; ) {
        const frames = framesAt(frame);
        const wanted = frames * bytesPerFrame;
        const got = await pending!;
        pending = null;
        if (got < wanted) {
          // The header was checked against the file size at open, so the file shrank since then.
          throw truncatedError(this.file.path, this.info.frames, frame + Math.floor(got / bytesPerFrame), this.info.sampleRate, 'the header');
        }
        const next = frame + frames;
        if (next < endFrame) pending = readAt(next, buffers[1 - current]);
        decode(buffers[current], planar, frames);
        yield frames === planar[0].length ? planar : planar.map((channel) => channel.subarray(0, frames));
        current = 1 - current;
        frame = next;
      }
    } finally {
      // A consumer that stops early must not leave a read running into a closed file.
      await pending?.catch(() => undefined);
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
