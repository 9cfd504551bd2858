import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { REQUEST_CHANNELS, requestParamsSchemas, type RequestChannel } from '../shared/api';
import { z } from 'zod';
import type { PanelHandler } from './core/panel-handler';

/**
 * The PanelApi over Electron IPC: one invoke channel for requests, one send channel for events.
 * Every request is checked twice before the core sees it: its sender must be the app's own frame
 * (a navigated-away or injected frame gets nothing), and its params must parse.
 */

export const IPC_REQUEST = 'liveblend:request';
export const IPC_EVENT = 'liveblend:event';

export type IpcReply = { ok: true; result: unknown } | { ok: false; message: string };

export function serveIpc(core: PanelHandler, isAppUrl: (url: string) => boolean, target: () => WebContents | null): () => void {
  ipcMain.handle(IPC_REQUEST, async (event: IpcMainInvokeEvent, channel: unknown, params: unknown): Promise<IpcReply> => {
    const url = event.senderFrame?.url ?? '';
    if (!isAppUrl(url)) return { ok: false, message: `refused: request from ${url || 'an unknown frame'}, which is not the LiveBlend panel` };
    if (typeof channel !== 'string' || !(REQUEST_CHANNELS as string[]).includes(channel)) return { ok: false, message: `unknown request channel ${JSON.stringify(channel)}` };
    const parsed = requestParamsSchemas[channel as RequestChannel].safeParse(params ?? {});
    if (!parsed.success) return { ok: false, message: `${channel}: invalid params: ${z.prettifyError(parsed.error)}` };
    try {
      return { ok: true, result: await core.handle(channel as RequestChannel, parsed.data as never) };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  });
  const unsubscribe = core.subscribe((event, payload) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(IPC_EVENT, event, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_REQUEST);
  };
}
