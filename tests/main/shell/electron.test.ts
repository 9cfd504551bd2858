import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';

/**
 * The Electron shell under Playwright: the window is locked down and the panel talks to the core
 * through the preload's named actions only. Needs the Electron binary (downloaded by Electron's
 * installer) and a built app (`npm run build`); it says which is missing when it skips.
 */

/**
 * The Electron binary if its installer has run. Read from the package's path.txt rather than
 * `require('electron')`, which downloads the binary when it is missing: a test never reaches the
 * network.
 */
function electronBinary(): string | null {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const built = existsSync('out/main/index.js');
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skip = !binary
  ? 'skipped: no Electron binary here (run `node node_modules/electron/install.js`)'
  : !built
    ? 'skipped: the app is not built (run `npm run build`)'
    : !display
      ? 'skipped: no display (set DISPLAY, e.g. under xvfb-run)'
      : '';

describe.skipIf(skip !== '')(`Electron shell ${skip}`, () => {
  it('opens one locked-down window whose panel reaches the core through window.liveblend only', async () => {
    const home = await mkdtemp(join(tmpdir(), 'liveblend-electron-'));
    const app = await _electron.launch({ executablePath: binary!, args: ['.'], env: { ...process.env, LIVEBLEND_HOME: home, LIVEBLEND_NO_LINK: '1', LIVEBLEND_DISCOVERY_PORT: '0' } });
    try {
      const page = await app.firstWindow();
      const shape = await page.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        shell: (globalThis as unknown as { liveblend: { shell: string } }).liveblend.shell,
      }));
      expect(shape).toEqual({ require: 'undefined', process: 'undefined', shell: 'electron' });
      const info = await page.evaluate(() => (globalThis as unknown as { liveblend: { request: Record<string, (p: object) => Promise<{ shell: string }>> } }).liveblend.request['app:info']({}));
      expect(info.shell).toBe('electron');
      const opened = await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com') === null);
      expect(opened).toBe(true);
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
