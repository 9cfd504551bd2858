import { app, BrowserWindow, shell } from 'electron';
import { join } from 'node:path';

/**
 * The Electron shell: one window onto the panel, locked down (context isolation, sandbox, no
 * Node in the renderer, navigation pinned to the app, new windows opened in the browser).
 */
function createWindow(): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    backgroundColor: '#111318',
    title: 'LiveBlend',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== window.webContents.getURL()) event.preventDefault();
  });
  const devServer = process.env.ELECTRON_RENDERER_URL;
  if (devServer) void window.loadURL(devServer);
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
}

void app.whenReady().then(() => {
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
