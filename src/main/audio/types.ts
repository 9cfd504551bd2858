export type AudioFormat = 'wav' | 'rf64' | 'aiff' | 'aifc' | 'flac' | 'mp3';

export interface AudioInfo {
  path: string;
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  /** Exact for wav/rf64/aiff/aifc and for flac with a STREAMINFO total; for mp3 an estimate; NaN if unknown. */
  frames: number;
  /** Bits per sample as stored (the valid bits for WAVE_FORMAT_EXTENSIBLE); 0 for mp3. */
  bitsPerSample: number;
  sampleFormat: 'int' | 'float';
  /** True when read({ startFrame }) jumps straight to the frame instead of decoding from the start. */
  seekable: boolean;
}

export interface ReadOptions {
  /** First frame to deliver (default 0). */
  startFrame?: number;
  /** Frame to stop before (default: end of file); clamped to the file's length. */
  endFrame?: number;
  /** Largest chunk to deliver, in frames (default 65536). */
  chunkFrames?: number;
}

export interface AudioReader {
  readonly info: AudioInfo;
  /**
   * Delivers the audio as planar float chunks in [-1, 1] (n-bit integers divided by 2^(n-1)),
   * one Float32Array per channel, each at most `chunkFrames` long.
   *
   * The arrays are REUSED between chunks to keep the hot path allocation-free: finish with (or
   * copy) a chunk before pulling the next one. Each call to read() has its own buffers, so
   * several reads of one reader may run side by side.
   */
  read(options?: ReadOptions): AsyncIterable<Float32Array[]>;
  close(): Promise<void>;
}

export const DEFAULT_CHUNK_FRAMES = 65536;
