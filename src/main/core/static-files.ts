import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Maps a request path to a file inside root, or null when it would leave root or is not a plain
 * path ("..", encoded slashes, NUL). The check is on the resolved path, so every spelling of
 * a traversal ends up refused, not only the ones someone thought of.
 */
export function resolveStaticPath(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || /%2f|%5c/i.test(pathname)) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = resolve(root);
  const full = resolve(base, relative);
  return full.startsWith(base + sep) ? full : null;
}

/** Sends a file from root; hashed assets are cached for good, index.html never (it names the current hashes). */
export async function sendStaticFile(root: string, pathname: string, response: ServerResponse): Promise<void> {
  const path = resolveStaticPath(root, pathname);
  if (path === null) {
    sendText(response, 400, 'bad path');
    return;
  }
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    if (relativeIsIndex(root, path)) sendText(response, 503, 'LiveBlend: the panel is not built yet. Run `npm run build` (electron-vite build) and reload.');
    else sendText(response, 404, 'not found');
    return;
  }
  response.statusCode = 200;
  response.setHeader('Content-Type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
  response.setHeader('Content-Length', info.size);
  response.setHeader('Cache-Control', path.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-store');
  createReadStream(path)
    .on('error', () => response.destroy())
    .pipe(response);
}

function relativeIsIndex(root: string, path: string): boolean {
  return path === resolve(root, 'index.html');
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.end(`${text}\n`);
}
