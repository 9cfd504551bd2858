import { DEFAULT_CHUNK_FRAMES, type ReadOptions } from './types';

export interface ReadPlan {
  startFrame: number;
  /** Exclusive; Infinity when the length is unknown and reading runs to the end of the stream. */
  endFrame: number;
  chunkFrames: number;
}

/** Validates read() options (bad values are programming errors, hence RangeError) and clamps the range to the file. */
export function planRead(options: ReadOptions | undefined, totalFrames: number): ReadPlan {
  const { startFrame = 0, endFrame = Infinity, chunkFrames = DEFAULT_CHUNK_FRAMES } = options ?? {};
  if (!Number.isSafeInteger(startFrame) || startFrame < 0) {
    throw new RangeError(`startFrame must be a non-negative integer, got ${startFrame}`);
  }
  if (endFrame !== Infinity && (!Number.isSafeInteger(endFrame) || endFrame < 0)) {
    throw new RangeError(`endFrame must be a non-negative integer, got ${endFrame}`);
  }
  if (!Number.isSafeInteger(chunkFrames) || chunkFrames < 1) {
    throw new RangeError(`chunkFrames must be a positive integer, got ${chunkFrames}`);
  }
  const end = Number.isNaN(totalFrames) ? endFrame : Math.min(endFrame, totalFrames);
  return { startFrame: Math.min(startFrame, end), endFrame: end, chunkFrames };
}

export function allocatePlanar(channels: number, frames: number): Float32Array[] {
  return Array.from({ length: channels }, () => new Float32Array(frames));
}
