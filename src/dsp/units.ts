/** Decibel helpers shared by meters, processors and reports. */

export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

export function gainToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

/** BS.1770 loudness of a (channel-weighted) mean square: −0.691 + 10·log10(z). −Infinity for silence. */
export function energyToLufs(meanSquare: number): number {
  return meanSquare > 0 ? -0.691 + 10 * Math.log10(meanSquare) : -Infinity;
}

export function lufsToEnergy(lufs: number): number {
  return Math.pow(10, (lufs + 0.691) / 10);
}
