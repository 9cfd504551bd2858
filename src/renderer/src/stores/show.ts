import { defineStore } from 'pinia';
import { computed, ref, toRaw } from 'vue';
import type { EditResult, Preset, RequestParams, Show, SongLoudness } from '../../../shared/api';
import { DEFAULT_TARGET_LUFS } from '../../../shared/osc-protocol';
import { usePanelApi } from '../api/inject';

type ShowChanges = RequestParams<'show:update'>['changes'];

/**
 * The show as the core holds it (the show file's own shape), plus edits: each edit is applied here at once (so a dragged
 * handle does not lag), sent with the revision it was based on, and rolled back with a message if
 * the core refuses it. Edits go out one at a time, so each carries the revision the previous one
 * produced.
 */
export const useShowStore = defineStore('show', () => {
  const api = usePanelApi();
  const show = ref<Show | null>(null);
  const loudness = ref<SongLoudness[]>([]);
  const editError = ref<string | null>(null);
  const selectedSongKey = ref<string | null>(null);
  let queue: Promise<unknown> = Promise.resolve();

  const songs = computed(() => show.value?.songs ?? []);
  const targetLufs = computed(() => show.value?.targetLufs ?? DEFAULT_TARGET_LUFS);
  const toleranceLu = computed(() => show.value?.toleranceLu ?? 1);

  function applyShow(next: Show): void {
    if (show.value && next.revision < show.value.revision) return;
    show.value = next;
  }

  function setLoudness(next: SongLoudness[]): void {
    loudness.value = next;
  }

  async function load(): Promise<void> {
    const [document, measured] = await Promise.all([api.request('show:get', {}), api.request('loudness:get', {})]);
    show.value = document;
    loudness.value = measured;
  }

  /** The song's loudness as measured on a slot. */
  function loudnessOf(songKey: string, slot: string): SongLoudness | undefined {
    return loudness.value.find((entry) => entry.songKey === songKey && entry.slot === slot);
  }

  function runEdit(what: string, optimistic: (current: Show) => Show, send: (baseRevision: number) => Promise<EditResult>): Promise<boolean> {
    const before = show.value;
    if (!before) {
      editError.value = `${what} not applied: the show has not loaded yet`;
      return Promise.resolve(false);
    }
    // Shown at once; sent when the edits before it have been answered.
    show.value = optimistic(before);
    const run = async (): Promise<boolean> => {
      const baseRevision = show.value?.revision ?? before.revision;
      let result: EditResult;
      try {
        result = await send(baseRevision);
      } catch (error) {
        result = { ok: false, error: 'invalid', message: (error as Error).message };
      }
      if (result.ok) {
        if (show.value && show.value.revision < result.revision) show.value = { ...show.value, revision: result.revision };
        editError.value = null;
        return true;
      }
      // A newer show pushed meanwhile is the truth; otherwise put back what was there.
      if (show.value && show.value.revision === baseRevision) show.value = { ...before, revision: baseRevision };
      editError.value =
        result.error === 'stale'
          ? `${what} not applied: the show was changed elsewhere (${result.message}). The panel now shows the latest version; make the change again.`
          : `${what} not applied: ${result.message}`;
      if (result.error === 'stale') await load().catch(() => undefined);
      return false;
    };
    const next = queue.then(run, run);
    queue = next;
    return next;
  }

  function withPreset(current: Show, songKey: string, slot: string, preset: Preset): Show {
    return { ...current, songs: current.songs.map((song) => (song.key === songKey ? { ...song, presets: { ...song.presets, [slot]: preset } } : song)) };
  }

  function setPreset(songKey: string, slot: string, preset: Preset, options: { alignToBar?: boolean } = {}): Promise<boolean> {
    return runEdit(
      'Preset change',
      (current) => withPreset(current, songKey, slot, preset),
      (baseRevision) => api.request('preset:set', { baseRevision, songKey, slot, preset, ...(options.alignToBar ? { alignToBar: true } : {}) }),
    );
  }

  function copyPreset(fromSongKey: string, slot: string, toSongKeys: string[]): Promise<boolean> {
    return runEdit(
      'Copy preset',
      (current) => {
        const preset = current.songs.find((song) => song.key === fromSongKey)?.presets[slot];
        return preset ? toSongKeys.reduce((next, key) => withPreset(next, key, slot, structuredClone(toRaw(preset))), current) : current;
      },
      (baseRevision) => api.request('preset:copy', { baseRevision, fromSongKey, slot, toSongKeys }),
    );
  }

  function updateShow(changes: ShowChanges): Promise<boolean> {
    return runEdit(
      'Show settings',
      (current) => ({ ...current, ...changes, ceilings: { ...current.ceilings, ...changes.ceilings }, venue: { ...current.venue, ...changes.venue } }),
      (baseRevision) => api.request('show:update', { baseRevision, changes }),
    );
  }

  function clearEditError(): void {
    editError.value = null;
  }

  return { show, loudness, editError, selectedSongKey, songs, targetLufs, toleranceLu, applyShow, setLoudness, load, loudnessOf, runEdit, setPreset, copyPreset, updateShow, clearEditError };
});
