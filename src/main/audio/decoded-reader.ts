import type { AudioFile } from './audio-file';
import { AudioFileError, REEXPORT_ADVICE } from './errors';
import { allocatePlanar, planRead } from './read-range';
import type { AudioInfo, AudioReader, ReadOptions } from './types';

/** A compressed-audio decoder fed with consecutive pieces of the file. */
export interface StreamDecoder {
  /** Returns the planar audio decoded from this piece (possibly none); throws AudioFileError on bad data. */
  decode(bytes: Uint8Array): Promise<Float32Array[]>;
  /** Returns whatever audio the decoder still holds at the end of the file. */
  flush(): Promise<Float32Array[]>;
  free(): void;
}

export interface DecodedStreamOptions {
  /** Where the codec's own stream starts (after any ID3 tag). */
  streamOffset: number;
  /** The exact length, which lets reading stop early at the end; NaN when info.frames is only an estimate. */
  exactFrames: number;
  createDecoder(): Promise<StreamDecoder>;
  /** Called with the number of frames decoded when the file has been decoded to its end. */
  checkLength(decodedFrames: number): void;
}

/**
 * Bytes handed to the decoder per call. Decoded output for a piece is held in memory at once, so
 * this bounds memory (about 6 s of 44.1 kHz stereo FLAC, far longer for MP3 — still a few MB).
 */
const FEED_BYTES = 256 * 1024;

/**
 * Streams FLAC or MP3 by decoding the file from the start in pieces and re-cutting the decoder's
 * irregular output into chunks. Not seekable: frames before startFrame are decoded and dropped.
 */
export class DecodedStreamReader implements AudioReader {
  constructor(
    readonly info: AudioInfo,
    private readonly file: AudioFile,
    private readonly options: DecodedStreamOptions,
  ) {}

  async *read(options?: ReadOptions): AsyncGenerator<Float32Array[]> {
    const { startFrame, endFrame, chunkFrames } = planRead(options, this.options.exactFrames);
    if (startFrame >= endFrame) return;
    const chunk = allocatePlanar(this.info.channels, Math.min(chunkFrames, endFrame - startFrame));
    let filled = 0;
    let blockStart = 0; // frame number of the first frame of the current decoded block
    const decoder = await this.options.createDecoder();
    try {
      for await (const block of this.decodeBlocks(decoder)) {
        const blockFrames = block.length > 0 ? block[0].length : 0;
        // The part of this block that falls inside [startFrame, endFrame).
        let from = Math.max(0, startFrame - blockStart);
        const to = Math.min(blockFrames, endFrame - blockStart);
        while (from < to) {
          const count = Math.min(to - from, chunk[0].length - filled);
          for (let c = 0; c < chunk.length; c++) chunk[c].set(block[c].subarray(from, from + count), filled);
          filled += count;
          from += count;
          if (filled === chunk[0].length) {
            yield chunk;
            filled = 0;
          }
        }
        blockStart += blockFrames;
        if (blockStart >= endFrame) break;
      }
      if (filled > 0) yield chunk.map((channel) => channel.subarray(0, filled));
      // Reaching here short of endFrame means the whole stream was decoded.
      if (blockStart < endFrame) this.options.checkLength(blockStart);
    } finally {
      decoder.free();
    }
  }

  private async *decodeBlocks(decoder: StreamDecoder): AsyncGenerator<Float32Array[]> {
    for (let position = this.options.streamOffset; position < this.file.size; ) {
      // A fresh buffer per piece: decoders may keep references to input they have not consumed yet.
      const piece = new Uint8Array(Math.min(FEED_BYTES, this.file.size - position));
      const got = await this.file.readInto(piece, piece.length, position);
      if (got === 0) break;
      position += got;
      yield await decoder.decode(piece.subarray(0, got));
    }
    yield await decoder.flush();
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** What the WebAssembly decoders return for each piece. */
interface DecoderOutput {
  channelData: Float32Array[];
  errors: { message: string }[];
}

/** Runs one decoder call, turning anything it reports or throws into a 'corrupt' AudioFileError. */
export async function runDecoder(path: string, codec: string, call: () => DecoderOutput | Promise<DecoderOutput>): Promise<Float32Array[]> {
  let output: DecoderOutput;
  try {
    output = await call();
  } catch (error) {
    throw corrupt(path, codec, error instanceof Error ? error.message : String(error));
  }
  if (output.errors.length > 0) throw corrupt(path, codec, output.errors[0].message);
  return output.channelData;
}

function corrupt(path: string, codec: string, detail: string): AudioFileError {
  return new AudioFileError('corrupt', path, `${codec} data is damaged (decoder reports: ${detail})`, REEXPORT_ADVICE);
}
