import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEVICE_SCRIPT, startRig, type Rig } from '../../../m4l-device/sim/rig';
import { startServe, type RunningServe } from '../../../src/cli/serve';
import { TestWsClient } from './ws-client';

/** The headless panel with the simulator's rig over real UDP: the built device script, unchanged. */

const built = existsSync(DEVICE_SCRIPT);
let dir: string;
let serve: RunningServe | undefined;
let rig: Rig | undefined;
let client: TestWsClient | undefined;
const sink = () => new Writable({ write: (_c, _e, done) => done() });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-sim-'));
  serve = await startServe({ port: 0, discoveryPort: 0, lan: false, demo: false, link: false, staticRoot: dir, dataDir: dir }, { stdout: sink(), stderr: sink() });
  client = await TestWsClient.open(`ws://127.0.0.1:${serve.server.port}/api`);
});

afterEach(async () => {
  await client?.close();
  await rig?.close();
  await serve?.close();
  rig = serve = client = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!built)(`serve + simulator rig${built ? '' : ' (skipped: run `npm run build:device` first)'}`, () => {
  it('sees the rig’s devices, loses one that stops, and resends the show when it restarts', async () => {
    const connected = (list: { state: string }[]) => list.filter((d) => d.state === 'connected').length;
    const appeared = client!.waitFor('devices:changed', (list) => connected(list) === 3, 20_000);
    rig = startRig({ discoveryPort: serve!.core.hub.port });
    const before = new Set((await appeared).map((d) => d.id));
    expect(before.size).toBe(3);

    await rig.stopDevice('foh');
    await client!.waitFor('devices:changed', (list) => connected(list) === 2, 10_000);
    // Changed while the device is gone: only a resync can bring it this.
    const show = await client!.request('show:get');
    const edit = await client!.request('show:update', { baseRevision: show.revision, changes: { targetLufs: -16 } });
    expect(edit.ok).toBe(true);

    const back = client!.waitFor('devices:changed', (list) => connected(list) === 3 && list.length === 3, 20_000);
    await rig.restartDevice('foh');
    const after = await back;
    const restarted = after.find((d) => !before.has(d.id)) ?? after.find((d) => d.state === 'connected')!;
    await expect.poll(async () => (await serve!.core.hub.fetchState(restarted.id)).targetLufs, { timeout: 10_000 }).toBe(-16);
  });
});
