import { computed, ref, shallowRef, watch, type Ref } from 'vue';
import { defaultPreset, type Preset } from '../../../shared/preset';
import { UndoHistory } from '../logic/undo-history';
import { useShowStore } from '../stores/show';
import { useDebounced } from './useDebounced';

/** Edits reach the device this long after the last change: a drag sends a few updates a second, not hundreds. */
export const EDIT_DEBOUNCE_MS = 80;

/**
 * The preset being edited for one song and slot: a local draft with undo/redo and an A/B
 * pair, sent live (debounced) to the core through the show store. When the preset changes
 * elsewhere (another panel, a learn pass) the draft follows it and the undo history restarts.
 */
export function usePresetDraft(songKey: Ref<string | null>, slot: Ref<string | null>, alignToBar: Ref<boolean>) {
  const showStore = useShowStore();
  const stored = computed<Preset | null>(() => {
    if (!songKey.value || !slot.value) return null;
    const song = showStore.songs.find((candidate) => candidate.key === songKey.value);
    return song ? (song.presets[slot.value] ?? defaultPreset()) : null;
  });

  const draft = shallowRef<Preset>(defaultPreset());
  const history = new UndoHistory<Preset>(draft.value);
  const canUndo = ref(false);
  const canRedo = ref(false);
  /** The other side of the A/B compare, and which side is live. */
  const other = shallowRef<Preset>(draft.value);
  const side = ref<'A' | 'B'>('A');

  const sender = useDebounced((key: string, slotKey: string, preset: Preset) => {
    void showStore.setPreset(key, slotKey, preset, { alignToBar: alignToBar.value });
  }, EDIT_DEBOUNCE_MS);

  function syncFlags(): void {
    canUndo.value = history.canUndo;
    canRedo.value = history.canRedo;
  }

  function show(preset: Preset): void {
    draft.value = preset;
    if (songKey.value && slot.value) sender.call(songKey.value, slot.value, preset);
  }

  watch(
    [songKey, slot],
    () => {
      sender.flush();
      const preset = stored.value ?? defaultPreset();
      draft.value = preset;
      other.value = preset;
      side.value = 'A';
      history.reset(preset);
      syncFlags();
    },
    { immediate: true },
  );

  watch(stored, (preset) => {
    if (preset && JSON.stringify(preset) !== JSON.stringify(draft.value)) {
      draft.value = preset;
      history.reset(preset);
      syncFlags();
    }
  });

  function change(next: Preset): void {
    history.push(next);
    syncFlags();
    show(next);
  }

  function undo(): void {
    show(history.undo());
    syncFlags();
  }

  function redo(): void {
    show(history.redo());
    syncFlags();
  }

  /** Swaps the live preset with the other side, so the two can be heard in turn. */
  function toggleAB(): void {
    const current = draft.value;
    history.push(other.value);
    other.value = current;
    side.value = side.value === 'A' ? 'B' : 'A';
    syncFlags();
    show(history.current);
  }

  return { draft, canUndo, canRedo, side, change, undo, redo, toggleAB, flush: sender.flush };
}
