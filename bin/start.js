#!/usr/bin/env node
// `npm start`: the Electron panel where Electron can run; otherwise says why and serves the
// panel to a browser instead (`liveblend serve`), printing the URL. Extra arguments (e.g. --demo)
// go to the app or to serve.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron binary's path, or null when the package is there but its download never happened. */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function whyElectronCannotStart() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  }
  if (electronBinary()) return null;
  console.log('Electron is not downloaded yet; trying its installer (node node_modules/electron/install.js)…');
  const install = spawnSync(process.execPath, [join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: 'inherit', timeout: 180_000 });
  if (install.status === 0 && electronBinary()) return null;
  return `the Electron binary is missing and its installer failed (${install.error?.message ?? `exit ${install.status}`}); check the network, or run \`node node_modules/electron/install.js\` yourself`;
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const why = whyElectronCannotStart();
if (why) {
  console.log(`LiveBlend cannot open its window: ${why}.\nServing the panel to a browser instead (liveblend serve):`);
  run(process.execPath, [join(root, 'bin/liveblend.js'), 'serve', ...process.argv.slice(2)]);
} else {
  if (!existsSync(join(root, 'out/main/index.js'))) {
    console.log('Building the app once (electron-vite build)…');
    const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  run(electronBinary(), [root, ...process.argv.slice(2)]);
}
