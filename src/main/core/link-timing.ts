/** Where the session is in the bar, for the panel's display and for bar-aligned preset changes. */
export interface BarPosition {
  /** Bars since the session's beat origin, counted from 1. */
  bar: number;
  /** 1 … quantum. */
  beatInBar: number;
  /** 0 ≤ phase < quantum. */
  phase: number;
}

/** Link's phase: the beat folded into [0, quantum), also for beats before the origin. */
export function phaseOf(beat: number, quantum: number): number {
  const phase = beat - Math.floor(beat / quantum) * quantum;
  return phase >= quantum ? 0 : phase;
}

/** The beat and phase `elapsedMs` after a reading, at constant tempo (Link's timeline is linear). */
export function advance(reading: { beat: number; phase: number; tempo: number; quantum: number }, elapsedMs: number): { beat: number; phase: number } {
  const beats = (elapsedMs * reading.tempo) / 60_000;
  return { beat: reading.beat + beats, phase: phaseOf(reading.phase + beats, reading.quantum) };
}

export function barPosition(beat: number, phase: number, quantum: number): BarPosition {
  // In Link beat − phase is a whole number of bars; rounding removes float residue.
  return { bar: Math.round((beat - phase) / quantum) + 1, beatInBar: Math.floor(phase) + 1, phase };
}

/** Milliseconds to the next bar line; on a bar line, the following one (a whole bar away). */
export function msUntilNextBar(phase: number, quantum: number, tempo: number): number {
  return ((quantum - phase) * 60_000) / tempo;
}
