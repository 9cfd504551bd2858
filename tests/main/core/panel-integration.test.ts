import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OSC } from '../../../src/shared/osc-protocol';
import { defaultPreset } from '../../../src/shared/preset';
import { startServe, type RunningServe } from '../../../src/cli/serve';
import { FakeDevice } from './fake-device';
import { TestWsClient } from './ws-client';

/**
 * The headless panel end to end over real sockets: devices over UDP on loopback, panels over ws.
 * Devices here are the OSC-level fakes; tests/main/core/sim-integration.test.ts does the same
 * with the simulator's rig.
 */

let dir: string;
let serve: RunningServe | undefined;
let devices: FakeDevice[] = [];
let clients: TestWsClient[] = [];
const sink = () => new Writable({ write: (_c, _e, done) => done() });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-serve-'));
  serve = await startServe({ port: 0, discoveryPort: 0, lan: false, demo: false, link: false, staticRoot: dir, dataDir: dir }, { stdout: sink(), stderr: sink() });
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await Promise.all(devices.map((d) => d.close()));
  devices = [];
  await serve?.close();
  serve = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function panel(): Promise<TestWsClient> {
  const client = await TestWsClient.open(`ws://127.0.0.1:${serve!.server.port}/api`);
  clients.push(client);
  return client;
}

async function device(id: string, track = 'Tracks'): Promise<FakeDevice> {
  const d = new FakeDevice(id, track);
  await d.start();
  devices.push(d);
  return d;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('liveblend serve with devices and panels', () => {
  it('adopts a device’s songs, shows the device, and resends the show when it comes back', async () => {
    const client = await panel();
    const d = await device('dev-1');
    d.state.presets['hold on'] = { ...defaultPreset(), trimDb: -2 };
    const appeared = client.waitFor('devices:changed', (list) => list.some((x) => x.id === 'dev-1' && x.state === 'connected'));
    const adopted = client.waitFor('show:changed', (show) => show.songs.some((s) => s.key === 'hold on'));
    d.hello(serve!.core.hub.port);
    await appeared;
    const show = await adopted;
    expect(show.songs[0].presets['bus:Tracks'].trimDb).toBe(-2);

    // The panel changes the song; the device gets it.
    const preset = { ...defaultPreset(), trimDb: -4.5 };
    const edit = await client.request('preset:set', { baseRevision: show.revision, songKey: 'hold on', slot: 'bus:Tracks', preset });
    expect(edit.ok).toBe(true);
    await until(() => d.state.presets['hold on']?.trimDb === -4.5, 'the preset on the device');

    // The device stops answering: lost. It restarts with a new id and an empty state: it gets the show again.
    d.mute = true;
    await client.waitFor('devices:changed', (list) => list.some((x) => x.id === 'dev-1' && x.state === 'lost'), 5000);
    const restarted = await device('dev-1b');
    restarted.hello(serve!.core.hub.port);
    await until(() => restarted.state.presets['hold on']?.trimDb === -4.5, 'the show resent to the restarted device');
    expect(restarted.state.targetLufs).toBe(-18);
    const list = await client.request('devices:list');
    expect(list.map((x) => [x.id, x.state])).toEqual([['dev-1b', 'connected']]);
  });

  it('refuses the second of two edits made on the same revision, and says why', async () => {
    const a = await panel();
    const b = await panel();
    const d = await device('dev-1');
    d.state.presets['runaway'] = defaultPreset();
    d.hello(serve!.core.hub.port);
    const show = await a.waitFor('show:changed', (s) => s.songs.length === 1);
    const first = await a.request('preset:set', { baseRevision: show.revision, songKey: 'runaway', slot: 'bus:Tracks', preset: { ...defaultPreset(), trimDb: 1 } });
    const second = await b.request('preset:set', { baseRevision: show.revision, songKey: 'runaway', slot: 'bus:Tracks', preset: { ...defaultPreset(), trimDb: -6 } });
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, error: 'stale', message: expect.stringMatching(/reload and redo/) });
    const now = await b.request('show:get');
    expect(now.songs[0].presets['bus:Tracks'].trimDb).toBe(1);
  });

  it('delivers meters from 32 devices at 10 Hz to a panel, every device, in batched frames', async () => {
    const client = await panel();
    const rig = await Promise.all(Array.from({ length: 32 }, (_, i) => device(`dev-${i}`, `Stem ${i}`)));
    for (const d of rig) d.hello(serve!.core.hub.port);
    await until(() => rig.every((d) => d.received.some((m) => m.address === OSC.meterStartListenLevels.address)), 'all 32 subscribed');
    const seen = new Map<string, number>();
    let frames = 0;
    client.on((event, payload) => {
      if (event !== 'meters:frame') return;
      frames++;
      for (const reading of payload as { deviceId: string }[]) seen.set(reading.deviceId, (seen.get(reading.deviceId) ?? 0) + 1);
    });
    for (let tick = 0; tick < 10; tick++) {
      for (const d of rig) d.meter(-18 - tick / 10);
      await new Promise((r) => setTimeout(r, 100));
    }
    await until(() => seen.size === 32 && [...seen.values()].every((n) => n >= 9), 'readings from every device', 3000);
    expect(frames).toBeLessThan(32 * 10);
  });
});
