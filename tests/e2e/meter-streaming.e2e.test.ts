import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig, RigDevice } from '../../m4l-device/sim/rig';
import { demoSongs } from '../../m4l-device/sim/songs';
import { chromiumMissing } from '../support/chromium';
import { startPanelRig, type PanelRig } from '../support/panel-rig';

/**
 * A bigger rig (six stem buses, a click and an in-ear device) streaming meters at real time: every
 * device reaches Now playing and the readings keep moving. Whether the page keeps up without long
 * tasks is a timing, so bench/panel-streaming.ts measures it (docs/benchmarks.md).
 */

const PANEL = join(process.cwd(), 'out', 'renderer', 'index.html');
const missing = chromiumMissing() ?? (existsSync(PANEL) ? null : `the panel is not built (${PANEL} missing): run \`npm run build\``);

const DEVICES: RigDevice[] = [
  ...['Tracks', 'Keys', 'Pads', 'Guitars', 'Vocal FX', 'Perc'].map((track, i): RigDevice => ({ id: `bus${i}`, role: 'bus', track })),
  { id: 'click', role: 'click', track: 'Click' },
  { id: 'iem', role: 'iem', track: 'IEM Mix' },
];

describe.skipIf(missing !== null)('meters from eight devices in Chromium', () => {
  let page: Page;
  let rig: Rig;
  let panel: PanelRig | undefined;

  beforeAll(async () => {
    panel = await startPanelRig({ devices: DEVICES, songs: demoSongs(60) });
    ({ page, rig } = panel);
  });

  afterAll(() => panel?.close());

  it('streams every device to Now playing, readings moving', async () => {
    await page.getByTestId('tab-rig').click();
    await expect.poll(() => page.getByTestId('device-row').count(), { timeout: 15_000 }).toBe(DEVICES.length);
    await page.getByTestId('tab-now-playing').click();
    rig.launchScene(2);
    const rows = page.getByTestId('device-meter-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(DEVICES.length - 1);
    await expect.poll(() => page.getByTestId('meter-momentary').getAttribute('data-value'), { timeout: 10_000 }).not.toBe('');
    const meter = page.getByTestId('meter-momentary');
    const before = await meter.getAttribute('data-value');
    await expect.poll(() => meter.getAttribute('data-value'), { timeout: 5000 }).not.toBe(before);
    const values = await rows.allTextContents();
    expect(values.filter((text) => /−\d/.test(text)).length, values.join('\n')).toBeGreaterThanOrEqual(DEVICES.length - 1);
  });
});
