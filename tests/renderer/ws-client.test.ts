// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWsApi, type SocketLike } from '../../src/renderer/src/api/ws-client';
import { wsUrlFor } from '../../src/renderer/src/api/pick-api';
import { parseWsRequest, type PanelApi } from '../../src/shared/api';

/** A socket the test opens, feeds and drops by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: { id: number; channel: string; params: unknown }[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

let api: PanelApi | null = null;
afterEach(() => {
  api?.close();
  api = null;
  vi.useRealTimers();
});

function connect() {
  const sockets: FakeSocket[] = [];
  api = createWsApi('ws://core/api', { createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    }, requestTimeoutMs: 1000, backoffMs: { first: 100, max: 400 } });
  return { api, sockets };
}

describe('ws client', () => {
  it('sends requests the core can parse and resolves each with its own reply', async () => {
    const { api, sockets } = connect();
    sockets[0].open();
    const show = api.request('show:get', {});
    const link = api.request('link:setEnabled', { enabled: true });
    const [first, second] = sockets[0].sent;
    expect(parseWsRequest(first).ok && parseWsRequest(second).ok).toBe(true);
    sockets[0].receive({ id: second.id, ok: true, result: { enabled: true, tempo: 120, beat: 0, phase: 0, quantum: 4, peers: 0, playing: false } });
    sockets[0].receive({ id: first.id, ok: false, error: { code: 'failed', message: 'no show open' } });
    await expect(link).resolves.toMatchObject({ enabled: true, tempo: 120 });
    await expect(show).rejects.toThrow('show:get: no show open');
  });

  it('delivers events to listeners until they unsubscribe, and ignores malformed messages', () => {
    const { api, sockets } = connect();
    sockets[0].open();
    const seen: unknown[] = [];
    const off = api.on('nowPlaying:changed', (payload) => seen.push(payload));
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    sockets[0].receive({ event: 'nowPlaying:changed', payload: { a: 'song-2' } });
    sockets[0].receive({ event: 'no-such-event', payload: 1 });
    sockets[0].onmessage?.({ data: '{not json' });
    off();
    sockets[0].receive({ event: 'nowPlaying:changed', payload: { a: 'song-3' } });
    expect(seen).toEqual([{ a: 'song-2' }]);
  });

  it('fails pending requests when the core goes away, then reconnects with growing delays', async () => {
    vi.useFakeTimers();
    const { api, sockets } = connect();
    const states: string[] = [];
    api.onConnectionChange((state) => states.push(state));
    sockets[0].open();
    const pending = api.request('devices:list', {});
    sockets[0].drop();
    await expect(pending).rejects.toThrow(/connection to the LiveBlend core was lost/);
    expect(api.connectionState()).toBe('closed');
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1].drop();
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    sockets[2].open();
    expect(states).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
  });

  it('times out a request the core never answers and refuses requests while disconnected', async () => {
    vi.useFakeTimers();
    const { api, sockets } = connect();
    await expect(api.request('show:get', {})).rejects.toThrow(/not reachable/);
    sockets[0].open();
    const slow = api.request('show:get', {});
    vi.advanceTimersByTime(1000);
    await expect(slow).rejects.toThrow('show:get: no reply from the core after 1000 ms');
  });

  it('connects to /api on the page host, with the pairing token from the page URL', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '192.168.1.20:7330', search: '?token=a b' })).toBe('ws://192.168.1.20:7330/api?token=a%20b');
    expect(wsUrlFor({ protocol: 'https:', host: 'panel.local', search: '' })).toBe('wss://panel.local/api');
  });
});
