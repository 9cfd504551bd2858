/** "17.3": bar and beat (both from 1) of a Link beat position in a bar of `quantum` beats. */
export function barBeat(beat: number, quantum: number): { bar: number; beat: number } {
  const beatsPerBar = Math.max(1, Math.round(quantum));
  const whole = Math.floor(Math.max(0, beat));
  return { bar: Math.floor(whole / beatsPerBar) + 1, beat: (whole % beatsPerBar) + 1 };
}
