import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_WS_MESSAGE_BYTES, type EventChannel, type EventPayload } from '../../../src/shared/api';
import type { PanelHandler } from '../../../src/main/core/panel-handler';
import { lanAddresses } from '../../../src/main/core/pairing';
import { RemoteServer } from '../../../src/main/core/remote-server';
import { attachWsClient, type WsTransportStats } from '../../../src/main/core/ws-transport';
import { TestWsClient } from './ws-client';

type Emit = <E extends EventChannel>(event: E, payload: EventPayload<E>) => void;

/** A core that answers app:info and fails link:get, enough to see the transport's behaviour. */
function fakeCore(): PanelHandler & { emit: Emit } {
  const listeners = new Set<Emit>();
  return {
    async handle(channel) {
      if (channel === 'app:info') return { version: 'test', shell: 'serve', demo: false } as never;
      throw new Error(`${channel} is broken in this test`);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event, payload) => listeners.forEach((l) => l(event, payload)),
  };
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Raw http.request so paths reach the server exactly as written (fetch would normalise "..").  */
function get(port: number, path: string, headers: Record<string, string> = {}, host = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let root: string;
let server: RemoteServer | undefined;
let clients: TestWsClient[] = [];
let stats: WsTransportStats;
let core: ReturnType<typeof fakeCore>;

async function start(token?: string): Promise<RemoteServer> {
  core = fakeCore();
  stats = { malformed: 0, failed: 0 };
  server = new RemoteServer({ host: '127.0.0.1', port: 0, staticRoot: root, token, maxMessageBytes: MAX_WS_MESSAGE_BYTES, onSocket: (ws) => attachWsClient(ws, core, stats) });
  await server.listen();
  return server;
}

async function open(path = '/api', headers: Record<string, string> = {}): Promise<TestWsClient> {
  const client = await TestWsClient.open(`ws://127.0.0.1:${server!.port}${path}`, headers);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'liveblend-static-'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>LiveBlend</title>');
  await writeFile(join(root, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(join(root, '..', 'liveblend-secret.txt'), 'secret');
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await server?.close();
  server = undefined;
  await rm(root, { recursive: true, force: true });
  await rm(join(root, '..', 'liveblend-secret.txt'), { force: true });
});

describe('HTTP', () => {
  it('serves the panel with strict security headers', async () => {
    const { port } = await start();
    const page = await get(port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>LiveBlend</title>');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await get(port, '/assets/app-1234.js');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect((await get(port, '/missing.js')).status).toBe(404);
  });

  it('refuses every spelling of a path outside the panel folder', async () => {
    const { port } = await start();
    for (const path of ['/../liveblend-secret.txt', '/%2e%2e/liveblend-secret.txt', '/assets/..%2f..%2fliveblend-secret.txt', '/..%5cliveblend-secret.txt', '/index.html%00.js']) {
      const reply = await get(port, path);
      expect(reply.body, path).not.toContain('secret');
      expect([400, 404], path).toContain(reply.status);
    }
  });

  it('listens on loopback only: the machine’s LAN address is not reachable', async () => {
    const { port, host } = await start();
    expect(host).toBe('127.0.0.1');
    for (const address of lanAddresses()) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: address, port }, () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome, address).toBe('ECONNREFUSED');
    }
  });

  it('refuses a foreign Host header in loopback mode (DNS rebinding) and counts it', async () => {
    const { port } = await start();
    expect((await get(port, '/', { Host: 'evil.example:80' })).status).toBe(403);
    expect(server!.refusals['foreign-host']).toBe(1);
    expect((await get(port, '/', { Host: `localhost:${port}` })).status).toBe(200);
  });

  it('will not start on a non-loopback address without a pairing token', () => {
    expect(() => new RemoteServer({ host: '0.0.0.0', port: 0, staticRoot: root, maxMessageBytes: 1024, onSocket: () => {} })).toThrow(/pairing token/);
  });
});

describe('LAN pairing', () => {
  const token = 'test-token-0123456789';

  it('answers 401 without the token or with a wrong one, and counts both', async () => {
    const { port } = await start(token);
    const bare = await get(port, '/');
    expect(bare.status).toBe(401);
    expect(bare.body).toMatch(/pairing needed/);
    expect(bare.body).not.toContain('LiveBlend</title>');
    expect((await get(port, '/?token=wrong')).status).toBe(401);
    expect((await get(port, '/', { Cookie: 'liveblend_pairing=nope' })).status).toBe(401);
    expect(server!.refusals['no-token']).toBe(1);
    expect(server!.refusals['wrong-token']).toBe(2);
  });

  it('swaps the token in the pairing URL for a cookie, which then opens the panel', async () => {
    const { port } = await start(token);
    const pairing = await get(port, `/?token=${token}`);
    expect(pairing.status).toBe(303);
    expect(pairing.headers.location).toBe('/');
    const cookie = pairing.headers['set-cookie']![0];
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await get(port, '/', { Cookie: cookie.split(';')[0] });
    expect(page.status).toBe(200);
  });

  it('refuses ws upgrades without the right token and accepts the paired one', async () => {
    const { port } = await start(token);
    await expect(open('/api')).rejects.toThrow(/401/);
    await expect(open('/api?token=wrong')).rejects.toThrow(/401/);
    expect(server!.refusedTotal).toBe(2);
    const client = await open(`/api?token=${token}`);
    expect((await client.request('app:info')).version).toBe('test');
    const viaCookie = await open('/api', { Cookie: `liveblend_pairing=${token}` });
    expect((await viaCookie.request('app:info')).shell).toBe('serve');
    expect(port).toBeGreaterThan(0);
  });
});

describe('ws messages', () => {
  it('refuses a page from another origin (cross-site WebSocket hijacking)', async () => {
    await start();
    await expect(open('/api', { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
    expect(server!.refusals['foreign-origin']).toBe(1);
    const sameOrigin = await open('/api', { Origin: `http://127.0.0.1:${server!.port}` });
    expect((await sameOrigin.request('app:info')).version).toBe('test');
  });

  it('closes the socket with 1009 on an oversized message and counts it', async () => {
    await start();
    const client = await open();
    client.socket.send(JSON.stringify({ id: 1, channel: 'app:info', params: { pad: 'x'.repeat(MAX_WS_MESSAGE_BYTES) } }));
    expect((await client.closed).code).toBe(1009);
    await expect.poll(() => server!.refusals['message-too-big']).toBe(1);
  });

  it('answers a bad request with an error naming the problem, and keeps serving', async () => {
    await start();
    const client = await open();
    const unknown = await client.reply('show:delete-everything');
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const badParams = await client.reply('link:setEnabled', { enabled: 'yes' });
    expect(badParams).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringMatching(/link:setEnabled.*enabled/s) } });
    const failing = await client.reply('link:get');
    expect(failing).toMatchObject({ ok: false, error: { code: 'failed', message: 'link:get is broken in this test' } });
    expect((await client.request('app:info')).version).toBe('test');
    expect(stats).toEqual({ malformed: 2, failed: 1 });
  });

  it('answers JSON that is not a request (no usable id) with an id-null error, and keeps the socket open', async () => {
    await start();
    const client = await open();
    for (const message of [{ channel: 'app:info' }, { id: 'seven', channel: 'app:info' }, [1, 2, 3], { id: -1, channel: 'app:info' }]) {
      const reply = await client.raw(message, null);
      expect(reply, JSON.stringify(message)).toMatchObject({ id: null, ok: false, error: { code: 'bad-request', message: expect.stringMatching(/^malformed request: /) } });
    }
    expect((await client.request('app:info')).version).toBe('test');
    expect(stats.malformed).toBe(4);
  });

  it('closes with 1007 on text that is not JSON, without disturbing other clients', async () => {
    await start();
    const bad = await open();
    const good = await open();
    bad.socket.send('{"id": 1, "channel":');
    expect((await bad.closed).code).toBe(1007);
    expect((await good.request('app:info')).version).toBe('test');
  });

  it('pushes core events to every connected client', async () => {
    await start();
    const a = await open();
    const b = await open();
    const seen = Promise.all([a.waitFor('nowPlaying:changed'), b.waitFor('nowPlaying:changed')]);
    core.emit('nowPlaying:changed', { dev1: 'song-a' });
    expect(await seen).toEqual([{ dev1: 'song-a' }, { dev1: 'song-a' }]);
  });
});
