import { contextBridge } from 'electron';

/**
 * The preload exposes named actions only, never ipcRenderer. The panel's actions arrive with the
 * typed PanelApi contract in src/shared; until then the renderer learns only which shell it is in.
 */
contextBridge.exposeInMainWorld('liveblend', {
  shell: 'electron' as const,
});
