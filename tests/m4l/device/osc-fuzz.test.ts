import { Buffer } from 'node:buffer';
import { afterEach, expect, it } from 'vitest';
import { encode } from 'node-osc';
import { OscEndpoint } from '../../../m4l-device/src/osc-endpoint';
import { OSC_ADDRESSES } from '../../../src/shared/osc-protocol';
import { CoreHarness } from './harness';
import { OscTestClient } from './osc-client';

const PACKETS = 10_000;
/**
 * Packets (or bytes) between barriers: a ping answered means everything sent before it was
 * handled, since loopback UDP keeps order. Barriers keep the socket's receive buffer from
 * overflowing, so every hostile packet really reaches the device.
 */
const BATCH = 50;
const BATCH_BYTES = 64 * 1024;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0)) await stop();
});

/** mulberry32: a seeded generator so a failure replays exactly. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostilePackets(rand: () => number): Buffer[] {
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)];
  const requests = OSC_ADDRESSES.filter((spec) => spec.direction === 'panel→device' || spec.direction === 'hub→device');
  const setters = requests.filter((spec) => spec.args.length > 0);
  const wrongTag = (tag: string) => pick(['i', 'f', 's', 'b', 'T', 'F', 'N'].filter((t) => t !== tag && !(tag === 'f' && t === 'i')));
  const valueFor = (tag: string): unknown => {
    switch (tag) {
      case 'i':
        return { type: 'i', value: int(2 ** 31) - 2 ** 30 };
      case 'f':
        return { type: 'f', value: pick([NaN, Infinity, -Infinity, 1e38, -1e38, rand() * 1000 - 500]) };
      case 's':
        return { type: 's', value: pick(['', 'x'.repeat(int(3000)), '\u0000\u0001', '__proto__', '{"version":1}', 'null']) };
      case 'b':
        return { type: 'b', value: Buffer.alloc(int(64)) };
      default:
        return { type: tag, value: tag === 'T' };
    }
  };
  const kinds: Array<() => Buffer> = [
    () => Buffer.from(Array.from({ length: int(200) }, () => int(256))),
    () => {
      const spec = pick(requests);
      const full = encode({ oscType: 'message', address: spec.address, args: spec.args.map((a) => valueFor(a.tag)) });
      return full.subarray(0, int(full.length));
    },
    () => {
      // Every setter with one argument's tag wrong, or one argument too many or too few: never valid.
      const spec = pick(setters);
      const tags = spec.args.map((a) => a.tag as string);
      const mode = int(3);
      if (mode === 0) tags[int(tags.length)] = wrongTag(tags[int(tags.length)] ?? 's');
      if (mode === 1) tags.push(pick(['i', 'f', 's']));
      if (mode === 2) tags.pop();
      if (mode === 0 && tags.every((t, i) => t === spec.args[i].tag)) tags.push('s');
      return encode({ oscType: 'message', address: spec.address, args: tags.map(valueFor) });
    },
    () => encode({ oscType: 'message', address: pick(['/liveblend/target/set/lufs', '/liveblend/ceiling/set/dbtp']), args: [{ type: 'f', value: pick([NaN, Infinity, -Infinity, 1e38]) }] }),
    () => encode({ oscType: 'message', address: '/liveblend/preset/set/song', args: [{ type: 'b', value: Buffer.alloc(60_000, int(256)) }] }),
    () => encode({ oscType: 'message', address: pick(['/liveblend/preset/set/song', '/liveblend/show/set/state', '/liveblend/foh/set/outputs']).replace(/^/, pick(['', '', '/x'])), args: [] }),
    () => {
      const spec = pick(['/liveblend/preset/set/song', '/liveblend/show/set/state']);
      const json = pick([
        '{"version":1,"trimDb":1e309}',
        '{"version":1,"__proto__":{"trimDb":3}}',
        '{"version":2}',
        '['.repeat(20_000),
        '{"version":1,"eq":[{},{},{},{},{},{}]}',
        '{"version":1,"presets":{"a":{"version":1,"trimDb":99}},"targetLufs":-16}',
        'x'.repeat(65_000),
      ]);
      const args = spec.endsWith('song') ? [{ type: 's', value: pick(['hold on', '']) }, { type: 's', value: json }] : [{ type: 's', value: json }];
      return encode({ oscType: 'message', address: spec, args });
    },
    () => encode({ oscType: 'message', address: `/liveblend/${pick(['song', 'nope', 'preset'])}/${pick(['get', 'set', 'delete'])}/${int(1e6)}`, args: [] }),
    () => encode({ oscType: 'bundle', timetag: 0, elements: [{ oscType: 'message', address: '/liveblend/ping', args: [] }] }),
    () => Buffer.concat([Buffer.from('/liveblend/ping\0,ffffffff\0\0\0')]),
    () => Buffer.from('/liveblend/role/set/name\0\0\0\0,s\0\0iem'),
    () => Buffer.alloc(int(8) * 4),
  ];
  return Array.from({ length: PACKETS }, () => pick(kinds)());
}

it(`survives ${PACKETS} malformed and hostile packets with its state unchanged, and still answers ping`, async () => {
  const harness = new CoreHarness().sceneSet();
  harness.core.setPreset('hold on', '{"version":1,"trimDb":-2}');
  harness.launch(1);
  const log: string[] = [];
  const endpoint = new OscEndpoint({ core: harness.core, deviceId: 'fuzz', version: '0', bindAddress: '127.0.0.1', discoveryPort: 9, log: (t) => log.push(t) });
  const port = await endpoint.start();
  cleanup.push(() => endpoint.stop());
  const attacker = await new OscTestClient().open();
  cleanup.push(() => attacker.close());
  const before = JSON.stringify(harness.core.showState);
  const revision = harness.core.revision;

  const packets = hostilePackets(random(0x5eed));
  let pings = 0;
  const barrier = async () => {
    const from = attacker.received.length;
    attacker.send(port, '/liveblend/ping');
    pings++;
    await attacker.next('/liveblend/pong', { from, ms: 5000 });
  };
  let inFlight = 0;
  let bytes = 0;
  for (const packet of packets) {
    attacker.sendRaw(port, packet);
    inFlight++;
    bytes += packet.length;
    if (inFlight >= BATCH || bytes >= BATCH_BYTES) {
      await barrier();
      inFlight = 0;
      bytes = 0;
    }
  }
  await barrier();

  const from = attacker.received.length;
  attacker.send(port, '/liveblend/ping');
  expect((await attacker.next('/liveblend/pong', { from })).args).toEqual(['fuzz']);
  expect(JSON.stringify(harness.core.showState)).toBe(before);
  expect(harness.core.revision).toBe(revision);
  expect(endpoint.counters.received).toBe(PACKETS + pings + 1);
  // Every hostile packet was refused with an error; only the listen requests among them were not.
  expect(endpoint.counters.refused).toBeGreaterThan(PACKETS * 0.95);
  expect(attacker.count('/liveblend/error')).toBe(endpoint.counters.refused);
  expect(endpoint.counters.socketErrors).toBe(0);
});
