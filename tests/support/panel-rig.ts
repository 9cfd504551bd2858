import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { startRig, type Rig, type RigOptions } from '../../m4l-device/sim/rig';
import { startServe, type RunningServe } from '../../src/cli/serve';
import { launchChromium } from './chromium';

export interface PanelRig {
  serve: RunningServe;
  rig: Rig;
  browser: Browser;
  /** A laptop-sized tab on the panel. */
  page: Page;
  /** What the core reported on stderr while it ran. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * `liveblend serve` (in process, loopback, ports picked by the OS, a fresh data folder, no Link)
 * with the simulator's rig announcing to it, and Chromium open on the panel: what `serve --demo`
 * runs, with the rig in the test's hands.
 */
export async function startPanelRig(rigOptions: Omit<RigOptions, 'discoveryPort'>): Promise<PanelRig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'liveblend-e2e-'));
  const problems: string[] = [];
  const stderr = new PassThrough();
  stderr.on('data', (chunk: Buffer) => problems.push(chunk.toString()));
  const serve = await startServe({ port: 0, discoveryPort: 0, lan: false, demo: false, link: false, dataDir }, { stdout: new PassThrough().resume(), stderr });
  const rig = startRig({ ...rigOptions, discoveryPort: serve.core.hub.port });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(serve.url);
  return {
    serve,
    rig,
    browser,
    page,
    problems,
    async close() {
      await browser.close();
      await rig.close();
      await serve.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
