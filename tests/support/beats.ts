/** First sample at or after beat k at a fixed tempo, ceil(k·60·fs / bpm), in exact integer arithmetic (bpm to a tenth). */
export function exactBeatSample(k: number, sampleRate: number, bpm: number): number {
  const tenths = BigInt(Math.round(bpm * 10));
  const numerator = BigInt(k) * 600n * BigInt(sampleRate);
  return Number((numerator + tenths - 1n) / tenths);
}

/** Samples where a click starts: non-zero after at least 5 ms of silence. */
export function onsets(x: ArrayLike<number>, sampleRate: number): number[] {
  const gap = Math.round(0.005 * sampleRate);
  const found: number[] = [];
  let silent = gap;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === 0) silent++;
    else {
      if (silent >= gap) found.push(i);
      silent = 0;
    }
  }
  return found;
}
