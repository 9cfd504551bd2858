import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RequestParams, Settings } from '../../../shared/api';
import { usePanelApi } from '../api/inject';

/** App-level settings (network, theme); the show's target and ceilings are edited in the show store. */
export const useSettingsStore = defineStore('settings', () => {
  const api = usePanelApi();
  const settings = ref<Settings | null>(null);

  function setSettings(next: Settings): void {
    settings.value = next;
  }

  async function load(): Promise<void> {
    settings.value = await api.request('settings:get', {});
  }

  async function update(changes: RequestParams<'settings:update'>): Promise<void> {
    settings.value = await api.request('settings:update', changes);
  }

  return { settings, setSettings, load, update };
});
