import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AnalysisState } from '../../../shared/api';
import { usePanelApi } from '../api/inject';
import { useConnectionStore } from './connection';
import { useShowStore } from './show';

const IDLE: AnalysisState = { jobId: null, status: 'idle', done: 0, total: 0, progress: 0, currentFile: null, results: [], errors: [] };

/** Offline analysis of files on the core's machine, and seeding the show's trims from it. */
export const useAnalysisStore = defineStore('analysis', () => {
  const api = usePanelApi();
  const connection = useConnectionStore();
  const showStore = useShowStore();
  const state = ref<AnalysisState>({ ...IDLE });

  function setState(next: AnalysisState): void {
    state.value = next;
  }

  async function load(): Promise<void> {
    state.value = await api.request('analysis:get', {});
  }

  /** One path per line; blank lines ignored. */
  async function start(pathsText: string): Promise<boolean> {
    const paths = pathsText
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    if (paths.length === 0) {
      connection.reportError('Analysis: enter at least one file or folder path on the core’s machine, one per line.');
      return false;
    }
    try {
      const { jobId } = await api.request('analysis:start', { paths });
      state.value = { ...IDLE, jobId, status: 'running' };
      return true;
    } catch (error) {
      connection.reportError(`Analysis did not start: ${(error as Error).message}`);
      return false;
    }
  }

  async function cancel(): Promise<void> {
    if (state.value.jobId) state.value = await api.request('analysis:cancel', { jobId: state.value.jobId });
  }

  /** The core matches the files to songs by name, as matchFilesToSongs shows them here, and sets the slot's trims in one revision. */
  function seedTrims(slot: string): Promise<boolean> {
    return showStore.runEdit(
      'Seed trims',
      (current) => current,
      (baseRevision) => api.request('analysis:seedTrims', { baseRevision, slot }),
    );
  }

  return { state, setState, load, start, cancel, seedTrims };
});
