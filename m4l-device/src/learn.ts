import { PRESET_LIMITS } from '../../src/shared/preset';
import { LEARN_MIN_SECONDS, type LearnProposal, type SongMeasurement } from '../../src/shared/osc-protocol';

/**
 * Learned trims: for each song measured long enough, the trim that would have put it on the
 * target — the trim in force while it was measured plus the distance to the target. Loudness
 * scales with gain dB for dB, so one run is enough; the trim limits of a preset bound it.
 */
export function learnProposals(measurements: Readonly<Record<string, SongMeasurement>>, targetLufs: number): LearnProposal[] {
  const proposals: LearnProposal[] = [];
  for (const [song, m] of Object.entries(measurements)) {
    if (m.integratedLufs === null || m.seconds < LEARN_MIN_SECONDS) continue;
    const wanted = m.trimDb + (targetLufs - m.integratedLufs);
    const { min, max } = PRESET_LIMITS.trimDb;
    const proposed = Math.min(max, Math.max(min, wanted));
    proposals.push({
      song,
      integratedLufs: m.integratedLufs,
      seconds: m.seconds,
      measuredTrimDb: m.trimDb,
      proposedTrimDb: Math.round(proposed * 100) / 100,
      clamped: proposed !== wanted,
    });
  }
  return proposals.sort((a, b) => a.song.localeCompare(b.song));
}
