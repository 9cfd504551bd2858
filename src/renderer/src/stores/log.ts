import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LogEntry } from '../../../shared/api';
import { usePanelApi } from '../api/inject';

export type LogScope = { kind: 'show' } | { kind: 'song'; songKey: string };

/** The loudness log: this show's songs, or one song's history across shows. */
export const useLogStore = defineStore('log', () => {
  const api = usePanelApi();
  const scope = ref<LogScope>({ kind: 'show' });
  const entries = ref<LogEntry[]>([]);

  async function load(next: LogScope = scope.value): Promise<void> {
    scope.value = next;
    entries.value = next.kind === 'show' ? await api.request('log:show', {}) : await api.request('log:song', { songKey: next.songKey });
  }

  /** New songs played in this show appear without a reload. */
  function append(entry: LogEntry): void {
    const current = scope.value;
    if (current.kind === 'song' ? entry.songKey === current.songKey : true) entries.value = [...entries.value, entry];
  }

  function exportText(format: 'csv' | 'html'): Promise<string> {
    const current = scope.value;
    return api.request('log:export', { format, scope: current.kind === 'show' ? { kind: 'show' } : { kind: 'song', songKey: current.songKey } });
  }

  return { scope, entries, load, append, exportText };
});
