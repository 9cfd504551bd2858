import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRig, type Rig, type RigDevice } from '../../m4l-device/sim/rig';
import { demoSongs } from '../../m4l-device/sim/songs';
import { startServe, type RunningServe } from '../../src/cli/serve';
import { chromiumMissing, launchChromium } from '../support/chromium';

/**
 * A bigger rig (six stem buses, a click and an in-ear device) streaming meters at real time: the
 * panel must keep up without a long task (> 50 ms) on the main thread, or meters would stutter.
 */

const PANEL = join(process.cwd(), 'out', 'renderer', 'index.html');
const missing = chromiumMissing() ?? (existsSync(PANEL) ? null : `the panel is not built (${PANEL} missing): run \`npm run build\``);

const DEVICES: RigDevice[] = [
  ...['Tracks', 'Keys', 'Pads', 'Guitars', 'Vocal FX', 'Perc'].map((track, i): RigDevice => ({ id: `bus${i}`, role: 'bus', track })),
  { id: 'click', role: 'click', track: 'Click' },
  { id: 'iem', role: 'iem', track: 'IEM Mix' },
];
const STREAM_MS = 6000;

/** Runs in the page: starts collecting long tasks (the Long Tasks API) into window.__longTasks. */
const WATCH_LONG_TASKS = `(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__longTasks.push(Math.round(entry.duration)); }).observe({ type: 'longtask' });
})()`;

describe.skipIf(missing !== null)('meters from eight devices in Chromium', () => {
  let serve: RunningServe;
  let rig: Rig;
  let browser: Browser;
  let page: Page;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'liveblend-e2e-meters-'));
    const out = new PassThrough().resume();
    serve = await startServe({ port: 0, discoveryPort: 0, lan: false, demo: false, link: false, dataDir }, { stdout: out, stderr: new PassThrough().resume() });
    rig = startRig({ discoveryPort: serve.core.hub.port, devices: DEVICES, songs: demoSongs(60) });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(serve.url);
  });

  afterAll(async () => {
    await browser?.close();
    await rig?.close();
    await serve?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('streams every device to Now playing with no long task over 50 ms', async () => {
    await page.getByTestId('tab-rig').click();
    await expect.poll(() => page.getByTestId('device-row').count(), { timeout: 15_000 }).toBe(DEVICES.length);
    await page.getByTestId('tab-now-playing').click();
    rig.launchScene(2);
    const rows = page.getByTestId('device-meter-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(DEVICES.length - 1);
    await expect.poll(() => page.getByTestId('meter-momentary').getAttribute('data-value'), { timeout: 10_000 }).not.toBe('');
    await page.evaluate(WATCH_LONG_TASKS);
    const before = await page.getByTestId('meter-momentary').getAttribute('data-value');
    await page.waitForTimeout(STREAM_MS);
    const longTasks = await page.evaluate<number[]>('window.__longTasks');
    expect(longTasks, `long tasks (ms) while ${DEVICES.length} devices streamed for ${STREAM_MS} ms`).toEqual([]);
    expect(await page.getByTestId('meter-momentary').getAttribute('data-value')).not.toBe(before);
  });
});
