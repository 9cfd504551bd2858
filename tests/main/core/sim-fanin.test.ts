import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRig, type Rig, type RigDevice } from '../../../m4l-device/sim/rig';
import { demoSongs } from '../../../m4l-device/sim/songs';
import { startServe, type RunningServe } from '../../../src/cli/serve';
import type { MeterReading } from '../../../src/shared/api';
import { TestWsClient } from './ws-client';

/**
 * A big rig: 32 simulated devices (each the real device script in its own process, as in Live)
 * stream meters at 10 Hz through the hub to a panel's ws connection, every device at full rate.
 */

const DEVICES: RigDevice[] = Array.from({ length: 32 }, (_, i) => ({ id: `stem${i + 1}`, role: 'bus', track: `Stem ${i + 1}` }));
const WINDOW_MS = 5000;

let serve: RunningServe;
let rig: Rig;
let client: TestWsClient;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'liveblend-fanin-'));
  serve = await startServe({ port: 0, discoveryPort: 0, lan: false, demo: false, link: false, dataDir }, { stdout: new PassThrough().resume(), stderr: new PassThrough().resume() });
  rig = startRig({ discoveryPort: serve.core.hub.port, devices: DEVICES, songs: demoSongs(60) });
  client = await TestWsClient.open(`${serve.url.replace('http', 'ws')}api`);
});

afterAll(async () => {
  client?.socket.close();
  await rig?.close();
  await serve?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('delivers meters from 32 simulated devices at 10 Hz to a ws client', async () => {
  await rig.waitFor(() => serve.core.hub.devices().filter((d) => d.state === 'connected').length === DEVICES.length, 60_000, 'all 32 devices to be welcomed');
  rig.launchScene(0);
  const counts = new Map<string, number>();
  const off = client.on((event, payload) => {
    if (event !== 'meters:frame') return;
    for (const reading of payload as MeterReading[]) if (reading.momentary !== null) counts.set(reading.deviceId, (counts.get(reading.deviceId) ?? 0) + 1);
  });
  // Meters carry loudness once the song has started on every device; then count afresh.
  await rig.waitFor(() => counts.size === DEVICES.length, 20_000, 'loudness from every device');
  counts.clear();
  const started = Date.now();
  // A measuring window: the rate is counted over real time.
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  off();
  const seconds = (Date.now() - started) / 1000;
  expect(counts.size).toBe(DEVICES.length);
  for (const [device, count] of counts) expect(count / seconds, device).toBeGreaterThanOrEqual(9);
}, 120_000);
