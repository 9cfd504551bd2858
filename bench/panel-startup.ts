/**
 * Cold start of `liveblend serve --demo` to an interactive panel, and the renderer bundle size.
 *
 *   node bin/run-ts.js bench/panel-startup.ts [runs, default 5] [--no-build]
 *
 * Builds the panel first (`npx electron-vite build`, as `npm run build` does; --no-build measures
 * out/renderer as it is), then, for each run, spawns the CLI exactly as a user types it with a
 * fresh LIVEBLEND_HOME, and times from the spawn to: the URL printed; the first song row
 * visible; and the panel interactive (a song row visible and the Setlist tab clickable). Chromium
 * is launched once beforehand and each run opens a new page in a fresh context, so the times are
 * the panel's, not the browser's own start-up.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../tests/support/chromium';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RENDERER = join(ROOT, 'out', 'renderer');
const DEVICE_BUNDLE = join(ROOT, 'm4l-device', 'dist', 'liveblend-device.js');
const COLD_START_TARGET_MS = 3000;
const BUNDLE_TARGET_GZIP_BYTES = 400 * 1024;
/** A run that has not become interactive by then is reported as failed. */
const RUN_TIMEOUT_MS = 30_000;

export interface StartupRun {
  urlMs: number;
  firstSongRowMs: number;
  interactiveMs: number;
}

export interface BundleSize {
  files: { name: string; raw: number; gzip: number }[];
  raw: number;
  gzip: number;
}

export interface StartupResult {
  runs: StartupRun[];
  bundle: BundleSize;
  loadBefore: number;
  loadAfter: number;
}

function build(): void {
  const steps: [string, string[]][] = [];
  if (!existsSync(DEVICE_BUNDLE)) steps.push(['node', ['bin/run-ts.js', 'm4l-device/scripts/build.ts']]);
  steps.push(['npx', ['electron-vite', 'build', '--logLevel', 'warn']]);
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` failed (exit ${result.status}): the panel cannot be measured unbuilt`);
  }
}

/** Every JS and CSS file the browser loads, raw and gzipped (node:zlib at its default level, as a server would send it). */
export function rendererBundleSize(root = RENDERER): BundleSize {
  const files: BundleSize['files'] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(js|mjs|css)$/.test(entry.name)) {
        const bytes = readFileSync(path);
        files.push({ name: path.slice(root.length + 1), raw: statSync(path).size, gzip: gzipSync(bytes).length });
      }
    }
  };
  walk(root);
  return { files, raw: files.reduce((s, f) => s + f.raw, 0), gzip: files.reduce((s, f) => s + f.gzip, 0) };
}

async function coldStart(browser: Browser): Promise<StartupRun> {
  const home = await mkdtemp(join(tmpdir(), 'liveblend-coldstart-'));
  const start = performance.now();
  const child = spawn(process.execPath, ['bin/liveblend.js', 'serve', '--demo', '--port', '0', '--discovery-port', '0', '--no-link'], {
    cwd: ROOT,
    env: { ...process.env, LIVEBLEND_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const found = /LiveBlend panel: (http\S+)/.exec(line);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
      void exited.then((code) => reject(new Error(`serve exited (${code}) before printing its URL: ${stderr.trim()}`)));
    });
    const urlMs = performance.now() - start;
    const page = await context.newPage();
    await page.goto(url);
    await page.getByTestId('song-row').first().waitFor({ state: 'visible', timeout: RUN_TIMEOUT_MS });
    const firstSongRowMs = performance.now() - start;
    // trial: every actionability check of a click (visible, stable, enabled, not covered), without clicking.
    await page.getByTestId('tab-setlist').click({ trial: true, timeout: RUN_TIMEOUT_MS });
    const interactiveMs = performance.now() - start;
    return { urlMs, firstSongRowMs, interactiveMs };
  } finally {
    await context.close();
    child.kill('SIGTERM');
    await exited;
    await rm(home, { recursive: true, force: true });
  }
}

export async function benchPanelStartup(runs: number, options: { build: boolean }): Promise<StartupResult> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  if (options.build) build();
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error(`the panel is not built (${RENDERER}/index.html missing): run \`npm run build\` or drop --no-build`);
  if (!existsSync(DEVICE_BUNDLE)) throw new Error(`the device bundle is missing (${DEVICE_BUNDLE}): run \`npm run build:device\` or drop --no-build`);
  const bundle = rendererBundleSize();
  const loadBefore = loadavg()[0];
  const browser = await launchChromium();
  const results: StartupRun[] = [];
  try {
    for (let i = 0; i < runs; i++) results.push(await coldStart(browser));
  } finally {
    await browser.close();
  }
  return { runs: results, bundle, loadBefore, loadAfter: loadavg()[0] };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (x: number) => `${x.toFixed(0)} ms`;

export function formatStartup(r: StartupResult): string {
  const column = (pick: (run: StartupRun) => number) => {
    const xs = r.runs.map(pick);
    return `median ${ms(median(xs))}, max ${ms(Math.max(...xs))} (${xs.map((x) => x.toFixed(0)).join(', ')})`;
  };
  const interactive = r.runs.map((run) => run.interactiveMs);
  const lines = [
    `panel cold start: \`liveblend serve --demo\` spawned → panel in Chromium, ${r.runs.length} runs (load average ${r.loadBefore.toFixed(2)} → ${r.loadAfter.toFixed(2)})`,
    `  spawn → URL printed:        ${column((run) => run.urlMs)}`,
    `  spawn → first song row:     ${column((run) => run.firstSongRowMs)}`,
    `  spawn → interactive:        ${column((run) => run.interactiveMs)} (target < ${COLD_START_TARGET_MS} ms: ${median(interactive) < COLD_START_TARGET_MS ? 'met' : 'NOT met'} by the median, ${Math.max(...interactive) < COLD_START_TARGET_MS ? 'met' : 'NOT met'} by the slowest run)`,
    `renderer bundle (out/renderer, JS + CSS): ${kb(r.bundle.raw)} raw, ${kb(r.bundle.gzip)} gzipped (target < ${kb(BUNDLE_TARGET_GZIP_BYTES)} gzipped: ${r.bundle.gzip < BUNDLE_TARGET_GZIP_BYTES ? 'met' : 'NOT met'})`,
    ...r.bundle.files.map((f) => `  ${f.name}: ${kb(f.raw)} raw, ${kb(f.gzip)} gzipped`),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 5);
  console.log(formatStartup(await benchPanelStartup(runs, { build: !process.argv.includes('--no-build') })));
}
