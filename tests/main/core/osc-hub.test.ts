import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceInfo } from '../../../src/shared/api';
import { OSC } from '../../../src/shared/osc-protocol';
import { defaultPreset } from '../../../src/shared/preset';
import { OscHub, type HubEvents } from '../../../src/main/core/osc-hub';
import { FakeClock } from './fake-clock';
import { FakeDevice } from './fake-device';

let hub: OscHub | undefined;
let devices: FakeDevice[] = [];

afterEach(async () => {
  await hub?.close();
  hub = undefined;
  await Promise.all(devices.map((d) => d.close()));
  devices = [];
});

async function startHub(clock?: FakeClock): Promise<OscHub> {
  hub = new OscHub({ host: '127.0.0.1', port: 0, name: 'test panel', clock, requestTimeoutMs: 500 });
  await hub.start();
  return hub;
}

async function device(id: string, track?: string): Promise<FakeDevice> {
  const d = new FakeDevice(id, track);
  await d.start();
  devices.push(d);
  return d;
}

function next<E extends keyof HubEvents>(h: OscHub, event: E, match: (...args: HubEvents[E]) => boolean = () => true, timeoutMs = 3000): Promise<HubEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (...args: HubEvents[E]) => {
      if (!match(...args)) return;
      clearTimeout(timer);
      h.off(event, listener as never);
      resolve(args);
    };
    h.on(event, listener as never);
  });
}

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const stateOf = (h: OscHub, id: string) => h.devices().find((d) => d.id === id)?.state;

describe('OSC hub', () => {
  it('welcomes a device that says hello, registers it, subscribes and fetches its show state', async () => {
    const h = await startHub(new FakeClock());
    const d = await device('dev-a', 'Keys Stems');
    d.state.presets['intro'] = defaultPreset();
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    const [{ device: info, state, reason }] = await synced;
    expect(reason).toBe('new');
    expect(info).toMatchObject<Partial<DeviceInfo>>({ id: 'dev-a', role: 'bus', track: 'Keys Stems', set: 'Tour 2025', version: '0.1.0', sampleRate: 48000, state: 'connected', address: `127.0.0.1:${d.port}` });
    expect(Object.keys(state.presets)).toEqual(['intro']);
    expect(d.received.map((m) => m.address)).toEqual(expect.arrayContaining([OSC.welcome.address, OSC.meterStartListenLevels.address, OSC.songStartListenCurrent.address, OSC.alarmStartListenState.address]));
    expect(await d.waitFor(OSC.welcome.address)).toEqual(['test panel']);
  });

  it('marks a silent device lost after 2.5 s, re-welcomes it every 2 s, and takes it back when it speaks', async () => {
    const clock = new FakeClock();
    const h = await startHub(clock);
    const d = await device('dev-a');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    d.mute = true;
    clock.advance(2400);
    expect(stateOf(h, 'dev-a')).toBe('connected');
    clock.advance(200);
    expect(stateOf(h, 'dev-a')).toBe('lost');
    const welcomesBefore = d.received.filter((m) => m.address === OSC.welcome.address).length;
    clock.advance(2000);
    await until(() => d.received.filter((m) => m.address === OSC.welcome.address).length > welcomesBefore, 'a retry welcome');
    const back = next(h, 'deviceState', ({ reason }) => reason === 'returned');
    d.mute = false;
    d.heartbeat();
    await back;
    expect(stateOf(h, 'dev-a')).toBe('connected');
  });

  it('pings connected devices every 2 s so they keep the hub', async () => {
    const clock = new FakeClock();
    const h = await startHub(clock);
    const d = await device('dev-a');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    d.heartbeat();
    await until(() => h.devices()[0].lastHeard > 0, 'heartbeat');
    clock.advance(2000);
    expect(await d.waitFor(OSC.ping.address)).toEqual([]);
  });

  it('follows a renamed track from the heartbeat and resyncs the device for its new slot', async () => {
    const h = await startHub(new FakeClock());
    const d = await device('dev-a', 'Tracks');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    await d.waitFor(OSC.welcome.address);
    d.heartbeat();
    const moved = next(h, 'deviceState', ({ reason }) => reason === 'moved');
    const listed = next(h, 'devices', (list) => list[0]?.track === 'Keys Stems');
    d.track = 'Keys Stems';
    d.heartbeat();
    const [{ device: info }] = await moved;
    expect(info.track).toBe('Keys Stems');
    await listed;
  });

  it('shows where each device’s track is routed, and follows a re-route', async () => {
    const h = await startHub(new FakeClock());
    const d = await device('dev-a', 'Click');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    await d.waitFor(OSC.welcome.address);
    const first = next(h, 'devices', (list) => list[0]?.routing === 'Master');
    d.heartbeat();
    await first;
    const rerouted = next(h, 'devices', (list) => list[0]?.routing === 'Ext. Out 3/4');
    d.routing = 'Ext. Out 3/4';
    d.heartbeat();
    await rerouted;
  });

  it('recognises a restarted device (new id, same track and role) as the lost one coming back', async () => {
    const clock = new FakeClock();
    const h = await startHub(clock);
    const first = await device('dev-a');
    const synced = next(h, 'deviceState');
    first.hello(h.port);
    await synced;
    clock.advance(3000);
    expect(stateOf(h, 'dev-a')).toBe('lost');
    const restarted = await device('dev-b');
    const back = next(h, 'deviceState');
    restarted.hello(h.port);
    const [{ reason, device: info }] = await back;
    expect(reason).toBe('returned');
    expect(info.id).toBe('dev-b');
    expect(h.devices().map((x) => x.id)).toEqual(['dev-b']);
  });

  it('turns meters into readings, with the silence floor as "no reading"', async () => {
    const h = await startHub(new FakeClock());
    const d = await device('dev-a');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    d.song = 'hold on';
    const reading = next(h, 'meter');
    d.meter(-18.25);
    const [meter] = await reading;
    expect(meter).toMatchObject({ deviceId: 'dev-a', songKey: 'hold on', momentary: -17.5, shortTerm: null, integrated: -18.25, truePeak: expect.closeTo(-3.1, 4), limiterGr: 1.5 });
  });

  it('fetches the measurement of a song when the device moves on, for the loudness log', async () => {
    const h = await startHub(new FakeClock());
    const d = await device('dev-a');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    d.state.measurements['hold on'] = { integratedLufs: -17.9, loudnessRangeLu: 5, truePeakMaxDbtp: -1.2, shortTermMaxLufs: -14, seconds: 200, blocksMissed: 0, trimDb: -2, targetLufs: -18 };
    d.song = 'hold on';
    d.heartbeat();
    await next(h, 'song', ({ songKey }) => songKey === 'hold on');
    const finished = next(h, 'songFinished');
    d.song = 'runaway';
    d.heartbeat();
    const [{ songKey, measurement }] = await finished;
    expect(songKey).toBe('hold on');
    expect(measurement.integratedLufs).toBe(-17.9);
  });

  it('pushes a preset and resolves when the device confirms it', async () => {
    const h = await startHub(new FakeClock());
    const d = await device('dev-a');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    await h.pushPreset('dev-a', 'hold on', { ...defaultPreset(), trimDb: -3.5 });
    expect(d.state.presets['hold on'].trimDb).toBe(-3.5);
  });

  it('rejects a request the device does not answer, naming the device and address', async () => {
    const clock = new FakeClock();
    const h = await startHub(clock);
    const d = await device('dev-a');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    d.mute = true;
    const pushing = h.pushTarget('dev-a', -16);
    await d.waitFor(OSC.targetSetLufs.address);
    clock.advance(600);
    await expect(pushing).rejects.toThrow(/dev-a did not answer \/liveblend\/target\/set\/lufs/);
  });

  it('counts and reports garbage and out-of-range packets without falling over', async () => {
    const h = await startHub(new FakeClock());
    const d = await device('dev-a');
    const problems: string[] = [];
    h.on('problem', ({ message }) => problems.push(message));
    d.sendRaw(Buffer.from('not osc at all'), h.port);
    d.sendRaw(Buffer.from('/liveblend/hello\0\0\0\0,sss\0\0\0\0'), h.port);
    const { encode } = await import('node-osc');
    d.sendRaw(encode({ oscType: 'message', address: '/liveblend/hello', args: [{ type: 's', value: 'x' }, { type: 's', value: 'drums' }] }), h.port);
    d.sendRaw(encode({ oscType: 'message', address: '/somebody/else', args: [] }), h.port);
    await until(() => problems.length >= 4, 'four problems');
    expect(problems.join('\n')).toMatch(/\/liveblend\/hello takes 7 arguments/);
    expect(problems.join('\n')).toMatch(/unknown address \/somebody\/else/);
    expect(h.stats.malformed).toBe(2);
    expect(h.stats.refused).toBe(2);
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    expect(h.devices()).toHaveLength(1);
  });

  it('says which port is taken when the discovery port is in use', async () => {
    const h = await startHub(new FakeClock());
    const second = new OscHub({ host: '127.0.0.1', port: h.port, name: 'second' });
    await expect(second.start()).rejects.toThrow(/another panel or `liveblend serve` is running/);
    await second.close();
  });

  it('loses a device after 2.5 s of real silence', async () => {
    const h = await startHub();
    const d = await device('dev-a');
    const synced = next(h, 'deviceState');
    d.hello(h.port);
    await synced;
    d.mute = true;
    const started = Date.now();
    await next(h, 'devices', (list) => list[0]?.state === 'lost', 5000);
    const silence = Date.now() - started;
    expect(silence).toBeGreaterThanOrEqual(2400);
    expect(silence).toBeLessThan(3500);
  });
});
