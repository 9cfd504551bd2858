import type { LogEntry } from '../../shared/api';
import type { LoudnessLog, LoudnessResult } from './loudness-log';
import { toCsv, toHtmlReport } from './loudness-report';
import type { LoudnessLogPort } from './panel-core';
import { toApiSlotKey, toShowSlot } from './show-document';
import { slotId } from '../../shared/show';

/** The loudness log as the panel sees it: records keep the show file's slot ids, the panel's API its slot keys. */
export function loudnessLogPort(log: LoudnessLog, toleranceOf: () => number): LoudnessLogPort {
  const entry = (r: LoudnessResult): LogEntry => ({
    at: r.at,
    show: r.show,
    venue: r.venue,
    songKey: r.songKey,
    songName: r.songName,
    slot: toApiSlotKey(r.slot),
    integrated: r.integrated,
    lra: r.lra,
    maxTruePeak: r.maxTruePeak,
    maxShortTerm: r.maxShortTerm,
    targetLufs: r.targetLufs,
    trimDb: r.trimDb,
  });
  return {
    async append(e) {
      await log.append({ ...e, slot: slotId(toShowSlot(e.slot)), toleranceLu: toleranceOf() });
    },
    forShow: async (show) => log.showVsTarget(show).map(entry),
    forSong: async (songKey) => log.songHistory(songKey).map(entry),
    async export(format, scope, currentShow) {
      const results = scope.kind === 'show' ? log.showVsTarget(scope.show ?? currentShow) : log.songHistory(scope.songKey);
      if (format === 'csv') return toCsv(results);
      const title = scope.kind === 'show' ? `${scope.show ?? currentShow}: loudness vs target` : `${scope.songKey}: loudness history`;
      return toHtmlReport({ title, results });
    },
  };
}
