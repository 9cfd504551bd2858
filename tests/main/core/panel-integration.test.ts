import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_LUFS, OSC } from '../../../src/shared/osc-protocol';
import { defaultPreset } from '../../../src/shared/preset';
import type { Show } from '../../../src/shared/show';
import { startServe, type RunningServe } from '../../../src/cli/serve';
import { encodeWav } from '../../../src/main/audio';
import { sineSegments } from '../../support/ebu-signals';
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

/** A device on "Tracks" that knows these songs, adopted into the show; resolves with the show and the device. */
async function adoptedShow(client: TestWsClient, songs: string[]): Promise<{ show: Show; d: FakeDevice }> {
  const d = await device('dev-1');
  for (const key of songs) d.state.presets[key] = defaultPreset();
  const adopted = client.waitFor('show:changed', (show) => show.songs.length === songs.length);
  d.hello(serve!.core.hub.port);
  const show = await adopted;
  await d.waitFor(OSC.welcome.address);
  return { show, d };
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
    expect(restarted.state.targetLufs).toBe(DEFAULT_TARGET_LUFS);
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

  it('saves a show:update of several fields as one revision, pushes the new target, and refuses a second panel on that revision', async () => {
    const a = await panel();
    const b = await panel();
    const { show, d } = await adoptedShow(a, ['hold on']);
    const changes: Show[] = [];
    a.on((event, payload) => event === 'show:changed' && changes.push(payload as Show));
    const edit = await a.request('show:update', { baseRevision: show.revision, changes: { targetLufs: -16, ceilings: { iemDbtp: -6 }, venue: { name: 'Roundhouse', trimDb: -1.5 } } });
    expect(edit).toEqual({ ok: true, revision: show.revision + 1 });
    const now = await b.request('show:get');
    expect(now).toMatchObject({ revision: show.revision + 1, targetLufs: -16, ceilings: { fohDbtp: show.ceilings.fohDbtp, iemDbtp: -6 }, venue: { name: 'Roundhouse', trimDb: -1.5, eqGainDb: [0, 0, 0, 0, 0] } });
    await until(() => d.state.targetLufs === -16 && d.state.presets['hold on']?.trimDb === -1.5, 'the new target and the venue trim on the device');
    expect(changes.map((c) => c.revision)).toEqual([show.revision + 1]);

    const stale = await b.request('show:update', { baseRevision: show.revision, changes: { name: 'Other Tour' } });
    expect(stale).toMatchObject({ ok: false, error: 'stale', message: expect.stringMatching(/reload and redo/) });
    const invalid = await b.request('show:update', { baseRevision: now.revision, changes: { toleranceLu: 1, venue: { trimDb: 3 }, name: '   ' } });
    expect(invalid).toMatchObject({ ok: false, error: 'invalid', message: expect.stringMatching(/name: is empty/) });
    expect((await b.request('show:get')).venue.trimDb).toBe(-1.5);
  });

  it('emits learn:changed when a finished song brings new proposals, and applies them without counting the venue trim twice', async () => {
    const client = await panel();
    const { show, d } = await adoptedShow(client, ['hold on', 'run']);
    const venue = await client.request('show:update', { baseRevision: show.revision, changes: { venue: { trimDb: -2 } } });
    expect(venue.ok).toBe(true);
    await until(() => d.state.presets['hold on']?.trimDb === -2, 'the venue trim on the device');

    // The song plays at the device's trim of −2 dB (venue only) and measures 4 LU under the target.
    d.state.measurements['hold on'] = { integratedLufs: DEFAULT_TARGET_LUFS - 4, loudnessRangeLu: 5, truePeakMaxDbtp: -6, shortTermMaxLufs: -16, seconds: 200, blocksMissed: 0, trimDb: -2, targetLufs: DEFAULT_TARGET_LUFS };
    d.learn = [{ song: 'hold on', integratedLufs: DEFAULT_TARGET_LUFS - 4, seconds: 200, measuredTrimDb: -2, proposedTrimDb: 2, clamped: false }];
    const learned = client.waitFor('learn:changed', (list) => list.length === 1);
    const logged = client.waitFor('log:appended');
    d.song = 'hold on';
    d.heartbeat();
    await client.waitFor('nowPlaying:changed', (playing) => playing['dev-1'] === 'hold on');
    d.song = '';
    d.heartbeat();
    // The song's own trim goes from 0 to +4 dB: with the venue's −2 the device plays +2, as it proposed.
    expect(await learned).toEqual([{ songKey: 'hold on', slot: 'bus:Tracks', beforeTrimDb: 0, afterTrimDb: 4, measured: { integrated: DEFAULT_TARGET_LUFS - 4, lra: 5, maxTruePeak: -6, measuredSeconds: 200 } }]);
    expect(await logged).toMatchObject({ songKey: 'hold on', slot: 'bus:Tracks', targetLufs: DEFAULT_TARGET_LUFS, toleranceLu: 1, trimDb: -2, deviationLu: -4, withinTolerance: false });

    const current = await client.request('show:get');
    const applied = client.waitFor('learn:changed', (list) => list[0]?.beforeTrimDb === 4);
    expect(await client.request('learn:apply', { baseRevision: current.revision })).toEqual({ ok: true, revision: current.revision + 1 });
    expect((await applied)[0].afterTrimDb).toBe(4);
    expect((await client.request('show:get')).songs[0].presets['bus:Tracks'].trimDb).toBe(4);
    await until(() => d.state.presets['hold on']?.trimDb === 2, 'the learned trim (venue included) on the device');
  });

  it('analyses files on the core’s machine with progress events, and seeds the matched songs’ trims in one revision', async () => {
    const client = await panel();
    const { show } = await adoptedShow(client, ['opener', 'slow one']);
    const stems = join(dir, 'stems');
    await mkdir(stems);
    // A mono sine at −20 dBFS measures −23 LUFS; at −30 dBFS, −33 LUFS.
    const sine = (levelDb: number) => encodeWav(sineSegments(48000, [{ seconds: 5, levelDb }], { channels: 1 }).channels, { sampleRate: 48000, channels: 1, encoding: 'pcm16' });
    await writeFile(join(stems, '01 - Opener.wav'), sine(-20));
    await writeFile(join(stems, '02 - Slow One (master).wav'), sine(-30));
    await writeFile(join(stems, '03 - Not In The Show.wav'), sine(-20));

    const states: { status: string; progress: number }[] = [];
    client.on((event, payload) => event === 'analysis:changed' && states.push(payload as { status: string; progress: number }));
    const finished = client.waitFor('analysis:changed', (state) => state.status === 'done', 20_000);
    const { jobId } = await client.request('analysis:start', { paths: [stems] });
    const done = await finished;
    expect(done).toMatchObject({ jobId, status: 'done', done: 3, total: 3, progress: 1 });
    expect(states[0]).toMatchObject({ status: 'running' });
    expect(states.map((state) => state.progress)).toEqual([...states.map((state) => state.progress)].sort((x, y) => x - y));

    const seeded = await client.request('analysis:seedTrims', { baseRevision: show.revision, slot: 'bus:Tracks' });
    expect(seeded).toEqual({ ok: true, revision: show.revision + 1 });
    const trims = (await client.request('show:get')).songs.map((song) => song.presets['bus:Tracks'].trimDb);
    expect(trims).toEqual([expect.closeTo(DEFAULT_TARGET_LUFS + 23, 0), expect.closeTo(DEFAULT_TARGET_LUFS + 33, 0)]);
    const again = await client.request('analysis:seedTrims', { baseRevision: show.revision, slot: 'bus:Tracks' });
    expect(again).toMatchObject({ ok: false, error: 'stale' });
  });
});
