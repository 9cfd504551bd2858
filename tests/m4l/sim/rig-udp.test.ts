import { afterEach, describe, expect, it } from 'vitest';
import { OSC } from '../../../src/shared/osc-protocol';
import { dbToGain } from '../../../src/dsp/units';
import { startRig, type Rig } from '../../../m4l-device/sim/rig';
import { demoSongs } from '../../../m4l-device/sim/songs';
import { OscTestClient, f, s, type Received } from './osc-test-client';

// Real UDP on loopback against the built device bundle, each device in its own process.

let rig: Rig | null = null;
const clients: OscTestClient[] = [];

afterEach(async () => {
  await rig?.close();
  rig = null;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function client(): Promise<OscTestClient> {
  const c = await OscTestClient.open();
  clients.push(c);
  return c;
}

/**
 * hello args: id, role, track, set, version, port, sample rate. The first hello can go out before
 * the [js] adapter's names have passed the ready gate; the next one (2 s later) carries them.
 */
function helloFrom(discovery: OscTestClient, role: string, since = 0): Promise<Received> {
  return discovery.waitFor((m) => m.address === OSC.hello.address && m.args[1] === role && m.args[2] !== '', 15_000, `hello from the ${role} device`, since);
}

describe('the rig over real UDP', () => {
  it('announces two devices, answers pings, streams meters to two listeners and follows a scene launch within 50 ms', async () => {
    const discovery = await client();
    rig = startRig({
      devices: [
        { id: 'foh', role: 'bus', track: 'Tracks' },
        { id: 'iem', role: 'iem', track: 'IEM Mix' },
      ],
      songs: demoSongs(60),
      discoveryPort: discovery.port,
      speed: 1,
    });
    const [busHello, iemHello] = await Promise.all([helloFrom(discovery, 'bus'), helloFrom(discovery, 'iem')]);
    expect(busHello.args.slice(2, 4)).toEqual(['Tracks', 'LiveBlend Demo']);
    expect(iemHello.args[2]).toBe('IEM Mix');
    expect(busHello.args[6]).toBe(48000);
    const busPort = Number(busHello.args[5]);
    const iemPort = Number(iemHello.args[5]);
    expect(busPort).not.toBe(iemPort);

    const [a, b] = [await client(), await client()];
    a.send(busPort, OSC.welcome.address, s('test hub'));
    a.send(busPort, OSC.ping.address);
    const pong = await a.waitFor((m) => m.address === '/liveblend/pong', 2000, 'pong');
    expect(pong.args).toEqual([busHello.args[0]]);
    expect(pong.from).toBe(busPort);

    // A preset for "hold on" that the launch must recall: a 4.5 dB cut the patch can be checked for.
    a.send(busPort, OSC.presetSetSong.address, s('hold on'), s(JSON.stringify({ version: 1, trimDb: -4.5 })));
    await a.waitFor((m) => m.address === OSC.presetSetSong.address, 2000, 'preset stored');

    for (const listener of [a, b]) {
      for (const port of [busPort, iemPort]) {
        listener.send(port, OSC.meterStartListenLevels.address);
        listener.send(port, OSC.songStartListenCurrent.address);
      }
    }
    rig.launchScene(0);
    await rig.runFor(0.3);
    const from = [a.received.length, b.received.length];
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const seconds = (performance.now() - startedAt) / 1000;
    for (const [i, listener] of [a, b].entries()) {
      for (const [id, port] of [[busHello.args[0], busPort], [iemHello.args[0], iemPort]] as const) {
        const meters = listener.received.slice(from[i]).filter((m) => m.address === OSC.meter.address && m.from === port);
        expect(meters.length / seconds, `meters/s from ${String(id)} to listener ${i}`).toBeGreaterThanOrEqual(9);
        expect(meters.every((m) => m.args[0] === id)).toBe(true);
      }
    }

    // Launch "02 Hold On [v2]" from a stopped transport: it starts at once, as in Live.
    rig.stop();
    await rig.runFor(0.1);
    const mark = [a.received.length, b.received.length];
    const genMark = rig.device('foh').genLog.length;
    const launchedAt = performance.now();
    rig.launchScene(1);
    for (const [i, listener] of [a, b].entries()) {
      const update = await listener.waitFor((m) => m.address === OSC.songGetCurrent.address && m.from === busPort && m.args[0] === 'hold on', 2000, 'song update', mark[i]);
      expect(update.args.slice(1, 3)).toEqual(['02 Hold On [v2]', 'scene']);
      expect(update.atWallMs - launchedAt).toBeLessThan(50);
    }
    await rig.waitFor(() => rig!.device('foh').genLog.slice(genMark).some((g) => g.name === 'trim' && Math.abs(g.value - dbToGain(-4.5)) < 1e-9), 2000, 'the recalled trim');
    const trim = rig.device('foh').genLog.slice(genMark).find((g) => g.name === 'trim')!;
    expect(trim.atWallMs - launchedAt).toBeLessThan(50);
    expect(rig.device('foh').strip.received.get('trim')).toBeCloseTo(dbToGain(-4.5), 12);
  });

  it('a device restarted in the same set reads back the state it saved', async () => {
    const discovery = await client();
    rig = startRig({ devices: [{ id: 'foh', role: 'bus', track: 'Tracks' }], songs: demoSongs(40), discoveryPort: discovery.port, speed: 1 });
    const hello = await helloFrom(discovery, 'bus');
    const c = await client();
    c.send(Number(hello.args[5]), OSC.targetSetLufs.address, f(-20));
    await c.waitFor((m) => m.address === OSC.targetSetLufs.address, 2000, 'target set');
    await rig.restartDevice('foh');
    const since = discovery.received.length;
    const again = await helloFrom(discovery, 'bus', since);
    c.send(Number(again.args[5]), OSC.targetGetLufs.address);
    const target = await c.waitFor((m) => m.address === OSC.targetGetLufs.address, 2000, 'target');
    expect(target.args).toEqual([-20]);
  });
});
