import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig } from '../../m4l-device/sim/rig';
import { demoSongs } from '../../m4l-device/sim/songs';
import { songKeyFromName } from '../../m4l-device/src/song-key';
import type { RunningServe } from '../../src/cli/serve';
import type { Preset } from '../../src/shared/preset';
import { OscTestClient } from '../m4l/device/osc-client';
import { chromiumMissing } from '../support/chromium';
import { startPanelRig, type PanelRig } from '../support/panel-rig';

/**
 * The panel in a real browser against `liveblend serve` with the simulator's rig, as a FOH
 * engineer would use it: songs, meters, EQ edits that reach the device, learn, a device lost
 * and back, two tabs. Screenshots of every view go to test-results/e2e.
 */

const ARTIFACTS = join(process.cwd(), 'test-results', 'e2e');
const PANEL = join(process.cwd(), 'out', 'renderer', 'index.html');
/** Long enough for learn (≥ 30 s measured), short enough to play the set twice in the test. */
const SONG_SECONDS = 36;
const SPEED = 12;
const missing = chromiumMissing() ?? (existsSync(PANEL) ? null : `the panel is not built (${PANEL} missing): run \`npm run build\``);

/** Runs in the page: pairs of visible controls whose boxes overlap (one inside the other is fine). */
const FIND_OVERLAPPING_CONTROLS = `(() => {
  const controls = [...document.querySelectorAll('button, input, select, textarea, [tabindex]:not([tabindex="-1"])')].filter((el) => el.offsetParent !== null);
  const boxes = controls.map((el) => ({ el, r: el.getBoundingClientRect() }));
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      if (boxes[i].el.contains(boxes[j].el) || boxes[j].el.contains(boxes[i].el)) continue;
      const a = boxes[i].r, b = boxes[j].r;
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) found.push(boxes[i].el.outerHTML.slice(0, 80) + ' × ' + boxes[j].el.outerHTML.slice(0, 80));
    }
  }
  return found;
})()`;

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(missing !== null)('the panel in Chromium against serve and the simulated rig', () => {
  let serve: RunningServe;
  let rig: Rig;
  let browser: Browser;
  let page: Page;
  let panel: PanelRig | undefined;

  const keyOf = (scene: number): string => songKeyFromName(rig.songs[scene].scene)!;

  async function view(id: string): Promise<void> {
    await page.getByTestId(`tab-${id}`).click();
  }

  async function screenshot(name: string, target: Page = page): Promise<void> {
    await target.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    panel = await startPanelRig({ speed: SPEED, songs: demoSongs(SONG_SECONDS) });
    ({ serve, rig, browser, page } = panel);
  });

  afterAll(() => panel?.close());

  it('lists the five songs of the set and the three devices', async () => {
    await expect.poll(() => page.getByTestId('song-row').count(), { timeout: 15_000 }).toBe(5);
    await view('rig');
    await expect.poll(() => page.getByTestId('device-row').count(), { timeout: 10_000 }).toBe(3);
    await screenshot('rig');
    await view('setlist');
    await screenshot('setlist');
  });

  it('follows a scene launch within a second and moves the meters', async () => {
    await view('setlist');
    const playing = page.locator('[data-testid=song-row][data-playing=true]');
    rig.launchScene(1);
    // The scene starts on the next bar in Live; the panel must follow within a second of that.
    await waitUntil(() => rig.set.nowPlaying.scene === 1, 5000, 'the scene to start');
    const started = Date.now();
    await expect.poll(() => playing.getAttribute('data-song-key'), { timeout: 1000, interval: 20 }).toBe(keyOf(1));
    expect(Date.now() - started).toBeLessThan(1000);
    await view('now-playing');
    const momentary = page.getByTestId('meter-momentary');
    const first = await momentary.getAttribute('data-value');
    await expect.poll(() => momentary.getAttribute('data-value'), { timeout: 5000 }).not.toBe(first);
    await screenshot('now-playing');
  });

  it('sends a dragged EQ handle to the device, which reports it over OSC', async () => {
    const key = keyOf(1);
    await view('setlist');
    await page.locator(`[data-testid=song-row][data-song-key="${key}"] [data-testid=song-edit]`).click();
    const handle = page.getByTestId('eq-handle-3');
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 + 40, { steps: 5 });
    await page.mouse.up();
    await screenshot('preset-editor');

    const bus = serve.core.hub.devices().find((d) => d.role === 'bus')!;
    const port = Number(bus.address.split(':').pop());
    const osc = await new OscTestClient().open();
    try {
      await expect
        .poll(
          async () => {
            osc.received.length = 0;
            osc.send(port, '/liveblend/preset/get/song', key);
            const reply = await osc.next('/liveblend/preset/get/song', { from: 0, ms: 1000 });
            return (JSON.parse(String(reply.args[1])) as Preset).eq[3].gainDb;
          },
          { timeout: 5000 },
        )
        .toBeLessThan(-1);
    } finally {
      await osc.close();
    }
  });

  it('learns trims from a rehearsal and brings every song within tolerance on the second pass', async () => {
    await rig.playSongs([0, 1, 2, 3, 4]);
    await view('learn');
    await expect.poll(() => page.getByTestId('learn-row').count(), { timeout: 10_000 }).toBe(5);
    await screenshot('learn');
    await page.getByTestId('learn-apply-all').click();
    // Applied: each song's trim is now the learned one, so no row proposes a change any more.
    await expect.poll(async () => (await page.getByTestId('learn-change').allTextContents()).every((text) => /^[+−-]?0\.0 dB$/.test(text.trim())), { timeout: 10_000 }).toBe(true);
    const before = rig.outputMeasurements().length;
    await rig.playSongs([0, 1, 2, 3, 4]);
    const second = rig.outputMeasurements().slice(before).filter((play) => play.device === 'foh');
    expect(second.map((play) => play.song).sort()).toEqual(rig.songs.map((song) => song.scene).sort());
    const target = serve.core.store.show.targetLufs;
    for (const play of second) expect(Math.abs(play.measurement.integrated! - target), play.song).toBeLessThanOrEqual(0.5);
    await view('setlist');
    await expect.poll(() => page.locator('[data-testid=song-deviation][data-level=ok]').count(), { timeout: 10_000 }).toBe(5);
    await screenshot('setlist-after-learn');
  });

  it('shows a stopped device as lost, then back when it restarts, in two tabs at once', async () => {
    const second = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    try {
      await second.goto(serve.url);
      for (const tab of [page, second]) await tab.getByTestId('tab-rig').click();
      await rig.stopDevice('iem');
      for (const tab of [page, second]) {
        await expect.poll(async () => (await tab.locator('[data-testid=device-row] [data-testid=device-state]').allTextContents()).some((text) => text.startsWith('lost')), { timeout: 8000 }).toBe(true);
        await expect.poll(() => tab.getByTestId('connection-banner').isVisible(), { timeout: 2000 }).toBe(true);
      }
      await screenshot('device-lost', second);
      await rig.restartDevice('iem');
      for (const tab of [page, second]) {
        await expect.poll(async () => (await tab.locator('[data-testid=device-row] [data-testid=device-state]').allTextContents()).some((text) => text.startsWith('lost')), { timeout: 8000 }).toBe(false);
      }
    } finally {
      await second.close();
    }
  });

  it('fits laptop and tablet screens with no overlapping controls and reaches every control by keyboard', async () => {
    for (const [width, height] of [
      [1280, 800],
      [1024, 768],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const id of ['setlist', 'now-playing', 'editor', 'learn', 'rig', 'analysis', 'log', 'settings']) {
        await view(id);
        const overlaps = await page.evaluate<string[]>(FIND_OVERLAPPING_CONTROLS);
        expect(overlaps, `${id} at ${width}×${height}`).toEqual([]);
        await screenshot(`${id}-${width}x${height}`);
      }
    }
    await view('settings');
    const reachable = new Set<string>();
    await page.locator('body').focus();
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate<string>("document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? ''");
      reachable.add(id);
    }
    for (const id of ['tab-setlist', 'tab-now-playing', 'tab-editor', 'tab-learn', 'tab-rig', 'tab-analysis', 'tab-log', 'tab-settings']) expect(reachable).toContain(id);
  });

  it('reported no problems from the core while the panel ran', () => {
    expect(panel!.problems.filter((line) => !/lost|stopped|restart/i.test(line))).toEqual([]);
  });
});
