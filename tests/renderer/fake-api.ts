import { vi } from 'vitest';
import { createApp, type App } from 'vue';
import { createTestingPinia } from '@pinia/testing';
import { defaultPreset } from '../../src/shared/preset';
import type { ConnectionState, DeviceInfo, EventChannel, EventPayload, PanelApi, RequestChannel, RequestParams, RequestResult } from '../../src/shared/api';
import { newShow, validateShow, type Show } from '../../src/shared/show';
import { PANEL_API } from '../../src/renderer/src/api/inject';

type Handler = { [C in RequestChannel]?: (params: RequestParams<C>) => RequestResult<C> | Promise<RequestResult<C>> };

/** A PanelApi the test drives: it records requests, answers from `handlers` and emits events on demand. */
export function createFakeApi(handlers: Handler = {}) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = 'open';
  const request = vi.fn(async (channel: RequestChannel, params: unknown) => {
    const handler = handlers[channel] as ((params: unknown) => unknown) | undefined;
    if (!handler) throw new Error(`${channel}: not answered by this test`);
    return handler(params);
  });
  const api: PanelApi = {
    request: request as PanelApi['request'],
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
    connectionState: () => state,
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close: () => undefined,
  };
  return {
    api,
    request,
    emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    },
    setConnection(next: ConnectionState): void {
      state = next;
      for (const listener of connectionListeners) listener(next);
    },
    listenerCount: () => [...listeners.values()].reduce((sum, set) => sum + set.size, 0) + connectionListeners.size,
    /** The params of every call made on `channel`. */
    calls<C extends RequestChannel>(channel: C): RequestParams<C>[] {
      return request.mock.calls.filter(([name]) => name === channel).map(([, params]) => params as RequestParams<C>);
    },
  };
}

/** A testing pinia bound to an app that provides `api`, as main.ts does. */
export function piniaWithApi(api: PanelApi, initialState: Record<string, unknown> = {}) {
  const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn, initialState });
  const app: App = createApp({});
  app.provide(PANEL_API, api);
  app.use(pinia);
  return pinia;
}

/** A valid show file (checked by the show schema, as the core sends it): five songs on the "bus:Tracks" slot, at revision 7. */
export function makeShow(overrides: Partial<Show> = {}): Show {
  const names = ['Opener', 'Fire Song', 'Slow One', 'Anthem', 'Encore'];
  return validateShow({
    ...newShow({ name: 'Tour 2025', targetLufs: -16, toleranceLu: 1, ceilings: { fohDbtp: -1, iemDbtp: -3 } }),
    slots: [{ track: 'Tracks', role: 'bus' }],
    songs: names.map((name, index) => ({ key: `song-${index + 1}`, name, presets: { 'bus:Tracks': { ...defaultPreset(), trimDb: index } }, notes: '' })),
    venue: { name: 'Club', trimDb: 0, eqGainDb: [0, 0, 0, 0, 0] },
    revision: 7,
    ...overrides,
  });
}

export function makeDevice(overrides: Partial<DeviceInfo> = {}): DeviceInfo {
  return {
    id: 'dev-1',
    role: 'bus',
    track: 'Tracks',
    set: 'Show.als',
    address: '127.0.0.1:50000',
    version: '0.1.0',
    sampleRate: 48000,
    state: 'connected',
    lastHeard: Date.now(),
    routing: 'Master',
    alarm: null,
    ...overrides,
  };
}
