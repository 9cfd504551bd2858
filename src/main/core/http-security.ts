import type { ServerResponse } from 'node:http';

/**
 * Headers on every response of the remote server. The panel is a same-origin Vue app: scripts and
 * styles come from the server itself (Vue's scoped styles are injected at runtime, hence
 * 'unsafe-inline' for styles only), the PanelApi is a same-origin WebSocket, and the pairing QR
 * is an inline SVG data: image. Nothing may frame it (clickjacking a live show's mixer is not funny).
 *
 * 'self' in connect-src covers the same-origin ws:// and wss:// (CSP Level 3), so a tablet on the
 * LAN reaches the API at whatever address it opened the panel on. src/renderer/index.html carries
 * the same policy in a meta tag (less frame-ancestors, which a meta tag cannot set), checked by
 * tests/main/core/http-security.test.ts: both policies apply, so they must agree.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function applySecurityHeaders(response: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Loopback mode has no token, so a web page the engineer happens to open could try to reach the
 * server through DNS rebinding (its own name resolving to 127.0.0.1). Refusing any Host that is not
 * a loopback name closes that door.
 */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0];
  return LOOPBACK_HOSTS.has(host.toLowerCase());
}

/**
 * Browsers always send Origin on a WebSocket upgrade; a page from another site must not drive the
 * panel (cross-site WebSocket hijacking). Non-browser clients (scripts, tests) send none.
 */
export function isSameOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  try {
    const parsed = new URL(origin);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === hostHeader.toLowerCase();
  } catch {
    return false;
  }
}
