/** First sample at or after beat k at a fixed tempo, ceil(k·60·fs / bpm), in exact integer arithmetic (bpm to a tenth). */
export function exactBeatSample(k: number, sampleRate: number, bpm: number): number {
  const tenths = BigInt(Math.round(bpm * 10));
  const numerator = BigInt(k) * 600n * BigInt(sampleRate);
  return Number((numerator + tenths - 1n) / tenths);
}
