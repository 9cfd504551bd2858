/**
 * How long a change takes. A gain or filter that jumps makes a step in the output (a click); a
 * recall crossfades over at least MIN_RAMP_MS instead (chain.ts), which spreads the change
 * below audibility.
 */

export const MIN_RAMP_MS = 20;

/** Ramp length in samples for `ms`, never shorter than MIN_RAMP_MS (shorter ramps click). */
export function rampLength(ms: number, sampleRate: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ramp: ${ms} ms must be a number ≥ 0`);
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new RangeError(`ramp: sample rate ${sampleRate} Hz must be a positive number`);
  return Math.max(1, Math.round((Math.max(ms, MIN_RAMP_MS) * sampleRate) / 1000));
}
