import { randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';

/**
 * LAN pairing: one random token per `liveblend serve --lan` run. A tablet opens the pairing URL
 * once (from the QR code); the server swaps the token for an HttpOnly cookie so it leaves the
 * address bar and the browser history, and every later request and ws upgrade carries it.
 */

export const PAIRING_COOKIE = 'liveblend_pairing';
export const PAIRING_QUERY = 'token';

/** 128 bits, URL-safe: long enough that guessing over the network is hopeless. */
export function createPairingToken(): string {
  return randomBytes(16).toString('base64url');
}

/** Compares in constant time so response timing says nothing about how much of a guess was right. */
export function tokenMatches(expected: string, candidate: string | undefined): boolean {
  if (candidate === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(candidate);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Where a token can arrive: the pairing URL's query, the cookie it leaves behind, or a bearer header for scripts. */
export function tokenFromRequest(url: URL, headers: { cookie?: string; authorization?: string }): string | undefined {
  const fromQuery = url.searchParams.get(PAIRING_QUERY);
  if (fromQuery) return fromQuery;
  const bearer = headers.authorization?.match(/^Bearer\s+(\S+)$/i);
  if (bearer) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === PAIRING_COOKIE) return value.join('=');
  }
  return undefined;
}

export function pairingCookie(token: string): string {
  return `${PAIRING_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The addresses a tablet on the same network can reach: non-internal IPv4 first, as people type those. */
export function lanAddresses(): string[] {
  const found: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (!entry.internal && entry.family === 'IPv4') found.push(entry.address);
    }
  }
  return found;
}

export function pairingUrl(host: string, port: number, token: string): string {
  return `http://${host}:${port}/?${PAIRING_QUERY}=${encodeURIComponent(token)}`;
}
