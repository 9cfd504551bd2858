import type { ConnectionState, LiveblendBridge, PanelApi } from '../../../shared/api';

/**
 * The PanelApi over Electron IPC: the preload's named actions. The core lives in the same app,
 * so the connection is open for the window's whole life.
 */
export function createIpcApi(bridge: LiveblendBridge): PanelApi {
  return {
    request: (channel, params) => bridge.request[channel](params),
    on: (event, listener) => bridge.on(event, listener),
    connectionState: (): ConnectionState => 'open',
    onConnectionChange: () => () => undefined,
    close: () => undefined,
  };
}
