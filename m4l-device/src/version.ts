import { readFileSync } from 'node:fs';

/**
 * The version a device announces in /liveblend/hello. `npm run build:device` writes the
 * package.json version into the bundle as __LIVEBLEND_VERSION__ (esbuild's define), so the
 * bundle in a user's Live library never looks for package.json; run from source (tsx, vitest)
 * the define is absent and the version is read from the package.json of this checkout.
 */
declare const __LIVEBLEND_VERSION__: string | undefined;

function checkoutVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || pkg.version === '') throw new Error('package.json has no "version": the device cannot announce its version');
  return pkg.version;
}

export const DEVICE_VERSION: string = typeof __LIVEBLEND_VERSION__ !== 'undefined' ? __LIVEBLEND_VERSION__ : checkoutVersion();
