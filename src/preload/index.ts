import { contextBridge, ipcRenderer } from 'electron';
import { REQUEST_CHANNELS, type EventChannel, type LiveblendBridge } from '../shared/api';

/**
 * The preload exposes named actions only, never ipcRenderer: one function per request channel
 * and a subscription per event, as `window.liveblend`. The channel names match
 * src/main/ipc-transport.ts (kept as literals: a sandboxed preload bundles nothing from main).
 */

const IPC_REQUEST = 'liveblend:request';
const IPC_EVENT = 'liveblend:event';

type IpcReply = { ok: true; result: unknown } | { ok: false; message: string };

const request = Object.fromEntries(
  REQUEST_CHANNELS.map((channel) => [
    channel,
    async (params: unknown) => {
      const reply = (await ipcRenderer.invoke(IPC_REQUEST, channel, params)) as IpcReply;
      if (!reply.ok) throw new Error(reply.message);
      return reply.result;
    },
  ]),
);

const bridge = {
  shell: 'electron' as const,
  request,
  on(event: EventChannel, listener: (payload: unknown) => void) {
    const handler = (_e: unknown, name: EventChannel, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.off(IPC_EVENT, handler);
    };
  },
} as unknown as LiveblendBridge;

contextBridge.exposeInMainWorld('liveblend', bridge);
