import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ConnectionState } from '../../../shared/api';

/** Whether the core is reachable, and the last failure a person should read. */
export const useConnectionStore = defineStore('connection', () => {
  const core = ref<ConnectionState>('connecting');
  const everConnected = ref(false);
  const lastError = ref<string | null>(null);

  function setCore(state: ConnectionState): void {
    core.value = state;
    if (state === 'open') everConnected.value = true;
  }

  function reportError(message: string): void {
    lastError.value = message;
  }

  function clearError(): void {
    lastError.value = null;
  }

  return { core, everConnected, lastError, setCore, reportError, clearError };
});
