/**
 * Straight-line parameter ramps. A gain or coefficient that jumps makes a step in the output (a
 * click); moving it in a straight line over at least MIN_RAMP_MS spreads the change below
 * audibility. The value k samples into a block is target − step·(remaining − k − 1): a closed
 * form, so every channel reads the same value for the same sample, the ramp lands exactly on
 * its target, and how the audio is chunked cannot change the result. The device's gen~ kernel
 * counts `remaining` down the same way.
 */

export const MIN_RAMP_MS = 20;

/** Ramp length in samples for `ms`, never shorter than MIN_RAMP_MS (shorter ramps click). */
export function rampLength(ms: number, sampleRate: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ramp: ${ms} ms must be a number ≥ 0`);
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new RangeError(`ramp: sample rate ${sampleRate} Hz must be a positive number`);
  return Math.max(1, Math.round((Math.max(ms, MIN_RAMP_MS) * sampleRate) / 1000));
}

/** One value ramping to its target. */
export class LinearRamp {
  private goal: number;
  private step = 0;
  private left = 0;

  constructor(value: number) {
    this.goal = value;
  }

  /** The value of the last sample produced (the start value before any). */
  get value(): number {
    return this.goal - this.step * this.left;
  }

  get target(): number {
    return this.goal;
  }

  /** Samples until the target is reached. */
  get remaining(): number {
    return this.left;
  }

  rampTo(target: number, samples: number): void {
    const from = this.value;
    this.goal = target;
    if (samples < 1 || from === target) {
      this.left = 0;
      this.step = 0;
    } else {
      this.left = Math.round(samples);
      this.step = (target - from) / this.left;
    }
  }

  jumpTo(value: number): void {
    this.rampTo(value, 0);
  }

  /**
   * The value of sample `index` of the current block. Past the end, goal − step·0 is the goal
   * itself; one arithmetic expression (no branch that returns the stored field) keeps callers'
   * loops in unboxed doubles.
   */
  at(index: number): number {
    return this.goal - this.step * Math.max(0, this.left - index - 1);
  }

  /**
   * Writes at(0) … at(frames − 1) into `values`. Loops read a ramp through this rather than call
   * at() per sample: a double returned from a call V8 does not inline is boxed on the heap, and
   * process() must not allocate.
   */
  fill(values: Float64Array, frames: number): void {
    const { goal, step, left } = this;
    for (let i = 0; i < frames; i++) values[i] = goal - step * Math.max(0, left - i - 1);
  }

  /** Moves on by a block of `frames` samples. */
  advance(frames: number): void {
    this.left = this.left > frames ? this.left - frames : 0;
  }
}
