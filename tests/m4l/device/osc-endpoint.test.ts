import { afterEach, describe, expect, it } from 'vitest';
import { OscEndpoint } from '../../../m4l-device/src/osc-endpoint';
import { DEVICE_VERSION } from '../../../m4l-device/src/version';
import { CoreHarness } from './harness';
import { OscTestClient } from './osc-client';

const opened: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];

afterEach(async () => {
  for (const thing of opened.splice(0)) await ('close' in thing ? thing.close() : thing.stop());
});

async function client(): Promise<OscTestClient> {
  const c = await new OscTestClient().open();
  opened.push(c);
  return c;
}

async function device(discoveryPort: number, harness = new CoreHarness()) {
  harness.core.setTrack(2, 'Tracks');
  harness.core.setSetName('Tour 2025');
  harness.core.setSampleRate(48000);
  const log: string[] = [];
  const endpoint = new OscEndpoint({
    core: harness.core,
    deviceId: 'dev1',
    version: DEVICE_VERSION,
    bindAddress: '127.0.0.1',
    discoveryPort,
    timing: { helloMs: 100, heartbeatMs: 50, hubSilenceMs: 400 },
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
    expect(beat.args).toEqual(['dev1', '', 'bus', 0, 0, '']);
    expect(endpoint.welcomed).toBe(true);
    const hellos = hub.count('/liveblend/hello');
    await hub.until(() => hub.count('/liveblend/heartbeat') >= 3, 'three heartbeats');
    expect(hub.count('/liveblend/hello')).toBe(hellos);

    // The hub falls silent: the device announces itself again.
    await hub.next('/liveblend/hello', { from: hub.received.length });
    expect(endpoint.welcomed).toBe(false);
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
