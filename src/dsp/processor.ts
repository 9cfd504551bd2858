/**
 * The shape every processor in the chain shares: planar audio in and out (one array per channel;
 * Float32 at the edges, Float64 between stages), double-precision state inside, no allocation
 * in process(). Output may be the input arrays (in place).
 */
export type Channel = Float32Array | Float64Array;

export interface AudioProcessor {
  readonly channels: number;
  process(input: readonly Channel[], output: readonly Channel[], frames: number): void;
  /** Clears all state (delay lines, envelopes, filter memories) as if just constructed. */
  reset(): void;
  /** Redesigns for a new rate and resets; may allocate, so never call it from the audio thread's hot path. */
  setSampleRate(sampleRate: number): void;
}

/** Checks process() arguments; cheap enough to run every block. */
export function checkBuffers(name: string, channels: number, input: readonly Channel[], output: readonly Channel[], frames: number): void {
  if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`${name}: ${frames} frames must be a whole number ≥ 0`);
  if (input.length < channels || output.length < channels) {
    throw new RangeError(`${name}: needs ${channels} channels, got ${input.length} in and ${output.length} out`);
  }
  for (let c = 0; c < channels; c++) {
    if (input[c].length < frames || output[c].length < frames) {
      throw new RangeError(`${name}: channel ${c} holds fewer than ${frames} frames`);
    }
  }
}

export function checkChannelCount(name: string, channels: number): void {
  if (!Number.isInteger(channels) || channels < 1 || channels > 64) throw new RangeError(`${name}: ${channels} channels is outside 1–64`);
}

export function checkSampleRate(name: string, sampleRate: number): void {
  if (!Number.isFinite(sampleRate) || sampleRate < 8000 || sampleRate > 768000) {
    throw new RangeError(`${name}: sample rate ${sampleRate} Hz is outside 8 kHz–768 kHz`);
  }
}

/** Copies input to output channel by channel unless they are the same arrays. */
export function copyThrough(channels: number, input: readonly Channel[], output: readonly Channel[], frames: number): void {
  for (let c = 0; c < channels; c++) {
    const x = input[c];
    const y = output[c];
    if (x === y) continue;
    for (let i = 0; i < frames; i++) y[i] = x[i];
  }
}
