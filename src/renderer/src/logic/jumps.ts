/**
 * A jump is where a song is more than the tolerance louder or quieter than the one before it in
 * the set: the moment FOH reaches for the fader. Unmeasured songs break the chain (no marker on
 * either side), because a guess would be worse than nothing.
 */
export interface Jump {
  /** Index of the later song of the pair. */
  index: number;
  /** Later minus earlier, in LU. */
  deltaLu: number;
}

export function jumpMarkers(integratedInSetOrder: readonly (number | null)[], toleranceLu: number): Jump[] {
  const jumps: Jump[] = [];
  for (let index = 1; index < integratedInSetOrder.length; index++) {
    const before = integratedInSetOrder[index - 1];
    const after = integratedInSetOrder[index];
    if (before === null || after === null) continue;
    const deltaLu = after - before;
    if (Math.abs(deltaLu) > toleranceLu) jumps.push({ index, deltaLu });
  }
  return jumps;
}
