/**
 * How far a song sits from the show's target, in the colours FOH reads at a glance: within the
 * tolerance is fine, up to twice the tolerance needs a look, beyond that it will be chased.
 */
export type DeviationLevel = 'ok' | 'warn' | 'bad' | 'unmeasured';

export function deviationLu(integrated: number | null, targetLufs: number): number | null {
  return integrated === null ? null : integrated - targetLufs;
}

export function deviationLevel(integrated: number | null, targetLufs: number, toleranceLu: number): DeviationLevel {
  const deviation = deviationLu(integrated, targetLufs);
  if (deviation === null) return 'unmeasured';
  const size = Math.abs(deviation);
  if (size <= toleranceLu) return 'ok';
  if (size <= 2 * toleranceLu) return 'warn';
  return 'bad';
}
