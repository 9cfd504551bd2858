import { afterEach, describe, expect, it, vi } from 'vitest';
import { OscEndpoint } from '../../../m4l-device/src/osc-endpoint';
import { IDENTITY_WAIT_MS, setSongListSchema } from '../../../src/shared/osc-protocol';
import { DEVICE_VERSION } from '../../../m4l-device/src/version';
import { CoreHarness } from './harness';
import { OscTestClient } from './osc-client';

const opened: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const thing of opened.splice(0)) await ('close' in thing ? thing.close() : thing.stop());
});

async function client(): Promise<OscTestClient> {
  const c = await new OscTestClient().open();
  opened.push(c);
  return c;
}

/** A device whose [js] adapter has reported, as it does within a second of loading. */
async function device(discoveryPort: number, harness = new CoreHarness()) {
  harness.core.liveReady();
  harness.core.setSetName('Tour 2025');
  harness.core.setTrack(2, 'Tracks');
  harness.core.setSampleRate(48000);
  return endpointFor(discoveryPort, harness);
}

async function endpointFor(discoveryPort: number, harness: CoreHarness, timing: Record<string, number> = { helloMs: 100, heartbeatMs: 50, hubSilenceMs: 400 }) {
  const log: string[] = [];
  const endpoint = new OscEndpoint({
    core: harness.core,
    deviceId: 'dev1',
    version: DEVICE_VERSION,
    bindAddress: '127.0.0.1',
    discoveryPort,
    timing,
    log: (text) => log.push(text),
  });
  opened.push(endpoint);
  const port = await endpoint.start();
  return { endpoint, port, harness, log };
}

const s = (value: string) => ({ type: 's', value });
const f = (value: number) => ({ type: 'f', value });

describe('device OSC endpoint over UDP on 127.0.0.1', () => {
  it('says hello to the discovery port until welcomed, then sends heartbeats to the hub', async () => {
    const hub = await client();
    const { port, endpoint } = await device(hub.port);
    const hello = await hub.next('/liveblend/hello');
    expect(hello.args).toEqual(['dev1', 'bus', 'Tracks', 'Tour 2025', DEVICE_VERSION, port, 48000]);
    await hub.until(() => hub.count('/liveblend/hello') >= 2, 'a second hello');

    hub.send(port, '/liveblend/welcome', s('panel'));
    const beat = await hub.next('/liveblend/heartbeat');
    expect(beat.args).toEqual(['dev1', '', 'bus', 0, 0, '', 'Tracks', 'Tour 2025', '']);
    expect(endpoint.welcomed).toBe(true);
    const hellos = hub.count('/liveblend/hello');
    await hub.until(() => hub.count('/liveblend/heartbeat') >= 3, 'three heartbeats');
    expect(hub.count('/liveblend/hello')).toBe(hellos);

    // The hub falls silent: the device announces itself again.
    await hub.next('/liveblend/hello', { from: hub.received.length });
    expect(endpoint.welcomed).toBe(false);
  });

  it('carries the track, set and output routing in every heartbeat, so a hub sees a renamed or re-routed track', async () => {
    const hub = await client();
    const { port, harness } = await device(hub.port);
    await hub.next('/liveblend/hello');
    hub.send(port, '/liveblend/welcome', s('panel'));
    await hub.next('/liveblend/heartbeat');
    harness.max('track', 2, 'Keys', 'Stems');
    harness.max('routing', 'Ext. Out 3/4');
    const renamed = await hub.until(() => hub.received.find((m) => m.address === '/liveblend/heartbeat' && m.args[6] === 'Keys Stems' && m.args[8] !== ''), 'a heartbeat with the new track name and routing');
    expect(renamed.args.slice(6)).toEqual(['Keys Stems', 'Tour 2025', 'Ext. Out 3/4']);
  });

  it('answers ping with pong to the sender, whoever sent it', async () => {
    const hub = await client();
    const other = await client();
    const { port } = await device(hub.port);
    other.send(port, '/liveblend/ping');
    expect((await other.next('/liveblend/pong')).args).toEqual(['dev1']);
    expect(hub.count('/liveblend/pong')).toBe(0);
  });

  it('streams meters at 10 Hz to two listeners at once, and stops on request', async () => {
    const hub = await client();
    const a = await client();
    const b = await client();
    const { port, harness, endpoint } = await device(hub.port, new CoreHarness().sceneSet());
    harness.launch(1);
    harness.play(5, -18);
    a.send(port, '/liveblend/meter/start_listen/levels');
    b.send(port, '/liveblend/meter/start_listen/levels');
    await a.until(() => a.count('/liveblend/meter') >= 5 && b.count('/liveblend/meter') >= 5, 'five meters at each listener');
    const meter = a.received.find((m) => m.address === '/liveblend/meter')!;
    expect(meter.args[0]).toBe('dev1');
    expect(meter.args[1]).toBe('hold on');
    expect(meter.args[4] as number).toBeCloseTo(-18, 1);
    expect(meter.args[8]).toBe(50);

    a.send(port, '/liveblend/meter/stop_listen/levels');
    // b's meters keep arriving, so polling on them sees a's listener go.
    await b.until(() => endpoint.listenerCount === 1, 'listener a dropped');
    const seen = a.count('/liveblend/meter');
    await b.until(() => b.count('/liveblend/meter') >= 10, 'b keeps receiving');
    expect(a.count('/liveblend/meter')).toBeLessThanOrEqual(seen + 1);
  });

  it('tells song listeners when the song changes', async () => {
    const hub = await client();
    const panel = await client();
    const { port, harness } = await device(hub.port, new CoreHarness().sceneSet());
    panel.send(port, '/liveblend/song/start_listen/current');
    expect((await panel.next('/liveblend/song/get/current')).args).toEqual(['', '', 'none', 1]);
    const from = panel.received.length;
    harness.launch(3);
    expect((await panel.next('/liveblend/song/get/current', { from })).args).toEqual(['runaway', '04 Runaway', 'scene', 1]);
  });

  it('applies a valid preset and answers on the same address; refuses bad JSON and ranges with the state unchanged', async () => {
    const hub = await client();
    const panel = await client();
    const { port, harness } = await device(hub.port, new CoreHarness().sceneSet());
    harness.launch(1);
    const from = harness.mark;
    panel.send(port, '/liveblend/preset/set/song', s('hold on'), s('{"version":1,"trimDb":-3.5}'));
    const reply = await panel.next('/liveblend/preset/set/song');
    expect(reply.args[0]).toBe('hold on');
    expect(JSON.parse(reply.args[1] as string).trimDb).toBe(-3.5);
    expect(reply.args[2]).toBe(1);
    expect(harness.gen('trim', from)).toEqual([10 ** (-3.5 / 20)]);

    const state = JSON.stringify(harness.core.showState);
    panel.send(port, '/liveblend/preset/set/song', s('hold on'), s('{"version":1,"trimDb":-3.5'));
    expect((await panel.next('/liveblend/error')).args).toEqual(['/liveblend/preset/set/song', expect.stringMatching(/not valid JSON/)]);
    let mark = panel.received.length;
    panel.send(port, '/liveblend/preset/set/song', s('hold on'), s('{"version":1,"trimDb":40}'));
    expect((await panel.next('/liveblend/error', { from: mark })).args[1]).toMatch(/trimDb: 40 is outside -24 to 24 dB/);
    mark = panel.received.length;
    panel.send(port, '/liveblend/target/set/lufs', f(-3));
    expect((await panel.next('/liveblend/error', { from: mark })).args[1]).toMatch(/argument 1 \(lufs\): -3 is outside -36 to -6 LUFS/);
    mark = panel.received.length;
    panel.send(port, '/liveblend/target/set/lufs', s('-14'));
    expect((await panel.next('/liveblend/error', { from: mark })).args[1]).toMatch(/type tag 's', expected 'f'/);
    expect(JSON.stringify(harness.core.showState)).toBe(state);

    mark = panel.received.length;
    panel.send(port, '/liveblend/target/set/lufs', -14);
    expect((await panel.next('/liveblend/target/set/lufs', { from: mark })).args).toEqual([-14]);
    expect(harness.core.showState.targetLufs).toBe(-14);
  });

  it('resyncs a whole show state from a panel and reads it back', async () => {
    const hub = await client();
    const panel = await client();
    const source = new CoreHarness().sceneSet();
    source.core.setPreset('runaway', '{"version":1,"trimDb":2}');
    source.core.setTarget(-20);
    const { port, harness } = await device(hub.port);
    panel.send(port, '/liveblend/show/set/state', s(JSON.stringify(source.core.showState)));
    await panel.next('/liveblend/show/set/state');
    expect(harness.core.showState).toEqual(source.core.showState);
    panel.send(port, '/liveblend/show/get/state');
    expect(JSON.parse((await panel.next('/liveblend/show/get/state')).args[0] as string)).toEqual(source.core.showState);
  });

  it('sets bar alignment of recalls, refuses anything but 0 or 1, and reports it', async () => {
    const hub = await client();
    const panel = await client();
    const { port, harness } = await device(hub.port);
    panel.send(port, '/liveblend/recall/get/align_bar');
    expect((await panel.next('/liveblend/recall/get/align_bar')).args).toEqual([0]);
    panel.send(port, '/liveblend/recall/set/align_bar', 1);
    expect((await panel.next('/liveblend/recall/set/align_bar')).args).toEqual([1]);
    expect(harness.core.showState.alignRecallToBar).toBe(true);
    const state = JSON.stringify(harness.core.showState);
    panel.send(port, '/liveblend/recall/set/align_bar', 2);
    expect((await panel.next('/liveblend/error')).args).toEqual(['/liveblend/recall/set/align_bar', expect.stringMatching(/argument 1 \(align_bar\): 2 is outside 0–1 \(allowed: 0 \| 1\)/)]);
    expect(JSON.stringify(harness.core.showState)).toBe(state);
    const mark = panel.received.length;
    panel.send(port, '/liveblend/recall/get/align_bar');
    expect((await panel.next('/liveblend/recall/get/align_bar', { from: mark })).args).toEqual([1]);
  });

  it('gets and sets the click settings, refusing a level, grid or bar out of range with nothing changed', async () => {
    const hub = await client();
    const panel = await client();
    const { port, harness } = await device(hub.port);
    panel.send(port, '/liveblend/click/get/settings');
    expect((await panel.next('/liveblend/click/get/settings')).args).toEqual([-12, 'quarter', 4]);
    panel.send(port, '/liveblend/click/set/settings', f(-9.5), s('eighth'), 3);
    expect((await panel.next('/liveblend/click/set/settings')).args).toEqual([-9.5, 'eighth', 3]);
    expect(harness.core.showState.click).toEqual({ levelDbfs: -9.5, subdivision: 'eighth', beatsPerBar: 3 });
    const state = JSON.stringify(harness.core.showState);
    for (const [args, reason] of [
      [[f(3), s('quarter'), 4], /argument 1 \(level_dbfs\): 3 is outside -60 to 0 dBFS/],
      [[f(-12), s('triplet'), 4], /argument 2 \(subdivision\): "triplet" is not one of quarter, eighth/],
      [[f(-12), s('quarter'), 17], /argument 3 \(beats_per_bar\): 17 is outside 1–16/],
    ] as const) {
      const mark = panel.received.length;
      panel.send(port, '/liveblend/click/set/settings', ...args);
      expect((await panel.next('/liveblend/error', { from: mark })).args).toEqual(['/liveblend/click/set/settings', expect.stringMatching(reason)]);
    }
    expect(JSON.stringify(harness.core.showState)).toBe(state);
  });

  it('refuses unknown addresses and messages meant for panels', async () => {
    const hub = await client();
    const panel = await client();
    const { port } = await device(hub.port);
    panel.send(port, '/live/song/get/tempo');
    expect((await panel.next('/liveblend/error')).args).toEqual(['/live/song/get/tempo', expect.stringMatching(/unknown address .*docs\/osc\.md/)]);
    const mark = panel.received.length;
    panel.send(port, '/liveblend/heartbeat', s('x'));
    expect((await panel.next('/liveblend/error', { from: mark })).args[1]).toMatch(/sent by devices, not to them/);
  });
});

/** Fake timers for the hello hold: time moves only when the test says so; sockets stay real. */
function fakeTime(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
}

/** Everything the device sent the hub before answering this ping has arrived (loopback UDP keeps order). */
async function barrier(hub: OscTestClient, port: number): Promise<void> {
  const from = hub.received.length;
  hub.send(port, '/liveblend/ping');
  await hub.next('/liveblend/pong', { from });
}

describe('announcing a device only once it knows its track', () => {
  it('holds hello until the adapter has reported live_ready and the track, then says hello at once with them', async () => {
    fakeTime();
    const hub = await client();
    const harness = new CoreHarness();
    const { port, log } = await endpointFor(hub.port, harness);
    vi.advanceTimersByTime(1000);
    harness.max('live_ready');
    vi.advanceTimersByTime(1000);
    await barrier(hub, port);
    expect(hub.count('/liveblend/hello')).toBe(0);

    harness.max('set_name', 'Tour', 2025);
    harness.max('track', 2, 'Tracks');
    const hello = await hub.next('/liveblend/hello');
    expect(hello.args.slice(0, 5)).toEqual(['dev1', 'bus', 'Tracks', 'Tour 2025', DEVICE_VERSION]);
    vi.advanceTimersByTime(IDENTITY_WAIT_MS);
    expect(log).toEqual([]);
  });

  it(`says hello with what it has after ${IDENTITY_WAIT_MS} ms when no adapter reports, and warns in the Max console`, async () => {
    fakeTime();
    const hub = await client();
    const harness = new CoreHarness();
    harness.core.setSampleRate(48000);
    const { port, log } = await endpointFor(hub.port, harness, { helloMs: 100, heartbeatMs: 50, hubSilenceMs: 400, identityWaitMs: IDENTITY_WAIT_MS });
    vi.advanceTimersByTime(IDENTITY_WAIT_MS - 1);
    await barrier(hub, port);
    expect(hub.count('/liveblend/hello')).toBe(0);
    expect(log).toEqual([]);

    vi.advanceTimersByTime(1);
    const hello = await hub.next('/liveblend/hello');
    expect(hello.args).toEqual(['dev1', 'bus', '', '', DEVICE_VERSION, port, 48000]);
    expect(log).toEqual([expect.stringMatching(/liveblend-live\.js\) has not reported this device's track after 5000 ms.*panels cannot keep this device's presets apart/)]);
    // It keeps announcing; once the adapter reports, the next hello carries the track.
    harness.max('live_ready');
    harness.max('track', -1, 'Ambience');
    await hub.until(() => hub.received.find((m) => m.address === '/liveblend/hello' && m.args[2] === 'Ambience'), 'a hello with the track');
    expect(log).toHaveLength(1);
  });
});

describe("the set's song list", () => {
  const list = (m: { args: unknown[] }) => setSongListSchema.parse(JSON.parse(m.args[0] as string));

  it('lists the song scenes in scene order before any song has a preset: separators out, each key once', async () => {
    const hub = await client();
    const panel = await client();
    const { port, harness } = await device(hub.port);
    panel.send(port, '/liveblend/songs/get/list');
    expect(list(await panel.next('/liveblend/songs/get/list'))).toEqual([]);

    harness.max('scenes', JSON.stringify(['01 Intro Jam', '02 Hold On [v2]', '—', '', '04 Runaway', '[lb:hold on] Hold On (acoustic)', '05 Encore']));
    const from = panel.received.length;
    panel.send(port, '/liveblend/songs/get/list');
    expect(list(await panel.next('/liveblend/songs/get/list', { from }))).toEqual([
      { key: 'intro jam', name: '01 Intro Jam', scene: 0 },
      { key: 'hold on', name: '02 Hold On [v2]', scene: 1 },
      { key: 'runaway', name: '04 Runaway', scene: 4 },
      { key: 'encore', name: '05 Encore', scene: 6 },
    ]);
    expect(harness.core.showState.presets).toEqual({});
  });

  it("adds an arrangement set's locator songs that no scene names, in time order", async () => {
    const hub = await client();
    const panel = await client();
    const { port, harness } = await device(hub.port);
    harness.max('scenes', JSON.stringify(['01 Opener']));
    harness.max('cue_points', JSON.stringify([{ name: 'Finale', time: 512 }, { name: '—', time: 400 }, { name: 'Opener', time: 0 }, { name: '02 Ballad', time: 128 }]));
    panel.send(port, '/liveblend/songs/get/list');
    expect(list(await panel.next('/liveblend/songs/get/list'))).toEqual([
      { key: 'opener', name: '01 Opener', scene: 0 },
      { key: 'ballad', name: '02 Ballad', cue: 1 },
      { key: 'finale', name: 'Finale', cue: 3 },
    ]);
  });

  it('pushes the list to listeners when a scene is renamed, added or removed, and only then', async () => {
    const hub = await client();
    const a = await client();
    const b = await client();
    const { port, harness } = await device(hub.port);
    const scenes = ['01 Intro Jam', '—', '02 Runaway'];
    harness.max('scenes', JSON.stringify(scenes));
    a.send(port, '/liveblend/songs/start_listen/list');
    b.send(port, '/liveblend/songs/start_listen/list');
    expect(list(await a.next('/liveblend/songs/get/list')).map((song) => song.key)).toEqual(['intro jam', 'runaway']);
    await b.next('/liveblend/songs/get/list');

    const pushedAfter = async (names: string[]) => {
      const from = a.received.length;
      harness.max('scenes', JSON.stringify(names));
      return list(await a.next('/liveblend/songs/get/list', { from })).map((song) => ('scene' in song ? `${song.scene}:${song.name}` : ''));
    };
    expect(await pushedAfter(['01 Intro Jam', '—', '02 Runaway (extended)'])).toEqual(['0:01 Intro Jam', '2:02 Runaway (extended)']);
    expect(await pushedAfter(['01 Intro Jam', '—', '02 Runaway (extended)', '03 Encore'])).toEqual(['0:01 Intro Jam', '2:02 Runaway (extended)', '3:03 Encore']);
    expect(await pushedAfter(['—', '02 Runaway (extended)', '03 Encore'])).toEqual(['1:02 Runaway (extended)', '2:03 Encore']);
    await b.until(() => b.count('/liveblend/songs/get/list') === 4, 'every push at the second listener');

    // A separator renamed to another separator changes no song: nothing is pushed.
    const pushes = a.count('/liveblend/songs/get/list');
    harness.max('scenes', JSON.stringify(['* * *', '02 Runaway (extended)', '03 Encore']));
    await barrier(a, port);
    expect(a.count('/liveblend/songs/get/list')).toBe(pushes);

    a.send(port, '/liveblend/songs/stop_listen/list');
    await barrier(a, port);
    harness.max('scenes', JSON.stringify(['01 New Opener']));
    await b.until(() => b.count('/liveblend/songs/get/list') === 5, 'the push at the remaining listener');
    await barrier(a, port);
    expect(a.count('/liveblend/songs/get/list')).toBe(pushes);
  });

  it('refuses a list too long for one packet with an error naming the limit, and validates its arguments', async () => {
    const hub = await client();
    const panel = await client();
    const { port, harness, endpoint } = await device(hub.port);
    panel.send(port, '/liveblend/songs/get/list', s('all'));
    expect((await panel.next('/liveblend/error')).args).toEqual(['/liveblend/songs/get/list', '/liveblend/songs/get/list takes 0 arguments (no arguments), got 1']);

    // 2000 songs: more JSON than one argument may hold.
    harness.max('scenes', JSON.stringify(Array.from({ length: 2000 }, (_, k) => `${k + 1} Song number ${k + 1}`)));
    let from = panel.received.length;
    panel.send(port, '/liveblend/songs/start_listen/list');
    expect((await panel.next('/liveblend/error', { from })).args).toEqual([
      '/liveblend/songs/start_listen/list',
      expect.stringMatching(/song list of this set \(2000 songs\) is \d+ characters of JSON, more than a JSON argument may hold \(60000\)/),
    ]);
    expect(endpoint.listenerCount).toBe(0);

    // 400 songs with long non-Latin names: under 60000 characters, but more bytes than a UDP packet holds.
    const title = '歌'.repeat(40);
    harness.max('scenes', JSON.stringify(Array.from({ length: 400 }, (_, k) => `${title}${k}`)));
    from = panel.received.length;
    panel.send(port, '/liveblend/songs/get/list');
    expect((await panel.next('/liveblend/error', { from })).args[1]).toMatch(/\(400 songs\) is \d+ bytes, more than one OSC packet may hold \(MAX_OSC_PACKET_BYTES = 65507\)/);

    // A listener whose set grows too large is told why instead of receiving a packet that cannot be sent.
    harness.max('scenes', JSON.stringify(['01 Opener']));
    from = panel.received.length;
    panel.send(port, '/liveblend/songs/start_listen/list');
    await panel.next('/liveblend/songs/get/list', { from });
    from = panel.received.length;
    harness.max('scenes', JSON.stringify(Array.from({ length: 2000 }, (_, k) => `${k + 1} Song number ${k + 1}`)));
    expect((await panel.next('/liveblend/error', { from })).args).toEqual(['/liveblend/songs/get/list', expect.stringMatching(/2000 songs/)]);
  });
});
