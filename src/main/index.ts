import { app, BrowserWindow, session, shell } from 'electron';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_DISCOVERY_PORT } from '../shared/osc-protocol';
import { CONTENT_SECURITY_POLICY } from './core/http-security';
import { startCore, type RunningCore } from './core/start-core';
import { serveIpc } from './ipc-transport';

/**
 * The Electron shell: one window onto the panel, the core in this (main) process, IPC between
 * them. Locked down: context isolation, sandbox, no Node in the renderer, a strict CSP, navigation
 * pinned to the app, new windows refused (https links open in the browser), one instance at a time.
 */

const devServer = process.env.ELECTRON_RENDERER_URL;
const indexFile = join(import.meta.dirname, '../renderer/index.html');
const appOrigin = devServer ? new URL(devServer).origin : null;

/** The only pages allowed to talk to the core: the built panel file, or the dev server in development. */
function isAppUrl(url: string): boolean {
  if (appOrigin) return url.startsWith(`${appOrigin}/`);
  return url.split('#')[0].split('?')[0] === pathToFileURL(indexFile).href;
}

let window: BrowserWindow | null = null;
let running: RunningCore | null = null;
let demoRig: ChildProcess | null = null;
const demo = process.argv.includes('--demo');

/**
 * `npm run demo` in Electron: the simulator's rig runs as `liveblend demo --headless` beside the
 * app (Electron's binary doubles as Node), announcing to this core as a real Live set would.
 */
function startDemoRig(discoveryPort: number): ChildProcess {
  const cli = join(app.getAppPath(), 'bin', 'liveblend.js');
  const child = spawn(process.execPath, [cli, 'demo', '--headless', '--discovery-port', String(discoveryPort)], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: 'inherit',
  });
  child.on('exit', () => (demoRig = null));
  return child;
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    backgroundColor: '#111318',
    title: 'LiveBlend',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  if (devServer) void win.loadURL(devServer);
  else void win.loadFile(indexFile);
  win.on('closed', () => (window = null));
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  void app.whenReady().then(async () => {
    // The dev server needs its own websocket for hot reload; the built app needs nothing beyond 'self'.
    const csp = devServer ? CONTENT_SECURITY_POLICY.replace("connect-src 'self'", `connect-src 'self' ${devServer.replace(/^http/, 'ws')}`) : CONTENT_SECURITY_POLICY;
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    running = await startCore({
      app: { version: app.getVersion(), shell: 'electron', demo },
      settings: { network: 'loopback', pairing: null, discoveryPort: Number(process.env.LIVEBLEND_DISCOVERY_PORT ?? DEFAULT_DISCOVERY_PORT), theme: 'dark' },
      discoveryHost: '127.0.0.1',
      dataDir: process.env.LIVEBLEND_HOME,
      link: process.env.LIVEBLEND_NO_LINK !== '1',
    });
    serveIpc(running.core, isAppUrl, () => window?.webContents ?? null);
    if (demo) demoRig = startDemoRig(running.hub.port);
    window = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let closing = false;
  app.on('will-quit', (event) => {
    if (!running || closing) return;
    closing = true;
    event.preventDefault();
    demoRig?.kill('SIGTERM');
    void running.close().finally(() => app.quit());
  });
}
