import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LinkState } from '../../../shared/api';
import { usePanelApi } from '../api/inject';

/** Ableton Link as the core sees it: tempo, beat, peers. */
export const useLinkStore = defineStore('link', () => {
  const api = usePanelApi();
  const link = ref<LinkState | null>(null);

  function setLink(next: LinkState): void {
    link.value = next;
  }

  async function load(): Promise<void> {
    link.value = await api.request('link:get', {});
  }

  async function setEnabled(enabled: boolean): Promise<void> {
    link.value = await api.request('link:setEnabled', { enabled });
  }

  return { link, setLink, load, setEnabled };
});
