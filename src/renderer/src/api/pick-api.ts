import { WS_PATH, type LiveblendBridge, type PanelApi } from '../../../shared/api';
import { createIpcApi } from './ipc-client';
import { createWsApi } from './ws-client';

/** ws(s)://<host>/api, carrying the LAN pairing token from the page's own URL when there is one. */
export function wsUrlFor(location: { protocol: string; host: string; search: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(location.search).get('token');
  return `${scheme}//${location.host}${WS_PATH}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/** Electron's preload bridge when the panel runs in the app, otherwise the core's WebSocket. */
export function pickApi(bridge: LiveblendBridge | undefined, location: { protocol: string; host: string; search: string }): PanelApi {
  return bridge ? createIpcApi(bridge) : createWsApi(wsUrlFor(location));
}
