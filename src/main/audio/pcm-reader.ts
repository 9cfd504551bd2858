import type { AudioFile } from './audio-file';
import { truncatedError } from './errors';
import { DECODE_SLACK_BYTES, bytesPerSample, pcmDecoders, type PcmEncoding } from './pcm';
import { allocatePlanar, planRead } from './read-range';
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
    const decode = pcmDecoders[this.layout.encoding];
    const bytesPerFrame = bytesPerSample(this.layout.encoding) * channels;
    const capacity = Math.min(chunkFrames, endFrame - startFrame);
    const bytes = new Uint8Array(capacity * bytesPerFrame + DECODE_SLACK_BYTES);
    const planar = allocatePlanar(channels, capacity);

    for (let frame = startFrame; frame < endFrame; ) {
      const frames = Math.min(planar[0].length, endFrame - frame);
      const wanted = frames * bytesPerFrame;
      const got = await this.file.readInto(bytes, wanted, this.layout.dataOffset + frame * bytesPerFrame);
      if (got < wanted) {
        // The header was checked against the file size at open, so the file shrank since then.
        throw truncatedError(this.file.path, this.info.frames, frame + Math.floor(got / bytesPerFrame), this.info.sampleRate, 'the header');
      }
      decode(bytes, planar, frames);
      yield frames === planar[0].length ? planar : planar.map((channel) => channel.subarray(0, frames));
      frame += frames;
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
