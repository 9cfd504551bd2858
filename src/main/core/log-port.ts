import type { LogEntry } from '../../shared/api';
import type { LoudnessLog, SongVsTarget } from './loudness-log';
import { toCsv, toHtmlReport } from './loudness-report';
import type { LoudnessLogPort } from './panel-core';

/** The loudness log as the panel sees it: its records are the PanelApi's log entries. */
export function loudnessLogPort(log: LoudnessLog): LoudnessLogPort {
  const entry = ({ plays: _plays, ...rest }: SongVsTarget): LogEntry => rest;
  return {
    append: (record) => log.append(record),
    forShow: async (show) => log.showVsTarget(show).map(entry),
    forSong: async (songKey) => log.songHistory(songKey),
    async export(format, scope, currentShow) {
      const results = scope.kind === 'show' ? log.showVsTarget(scope.show ?? currentShow) : log.songHistory(scope.songKey);
      if (format === 'csv') return toCsv(results);
      const title = scope.kind === 'show' ? `${scope.show ?? currentShow}: loudness vs target` : `${scope.songKey}: loudness history`;
      return toHtmlReport({ title, results });
    },
  };
}
