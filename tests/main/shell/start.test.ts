import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';

/** `npm start` on a machine without a display: it must say why and serve the panel to a browser instead. */

let child: ChildProcess | undefined;
let home: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
  if (home) await rm(home, { recursive: true, force: true });
});

it.runIf(process.platform === 'linux')('falls back to liveblend serve with the reason and the URL when there is no display', async () => {
  home = await mkdtemp(join(tmpdir(), 'liveblend-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LIVEBLEND_HOME: home };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  child = spawn(process.execPath, ['bin/start.js', '--port', '0', '--discovery-port', '0', '--no-link'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  const deadline = Date.now() + 30_000;
  while (!/LiveBlend panel: http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no URL printed; output was:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(out).toMatch(/cannot open its window: no display/);
  const url = out.match(/LiveBlend panel: (http:\S+)/)![1];
  const reply = await fetch(`${url}api`);
  expect(reply.headers.get('x-frame-options')).toBe('DENY');
});
