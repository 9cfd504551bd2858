import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../src/main/core/http-security';

/** A browser enforces the header and the page's meta tag together: a stricter meta would block what the header allows. */

/** Directives meta tags cannot carry (the browser ignores them there). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

function directives(policy: string): Map<string, string> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name, ...sources] = part.split(/\s+/);
        return [name, sources.join(' ')];
      }),
  );
}

describe('content security policy', () => {
  it("lets the panel's own page open its same-origin WebSocket, from any address, in the header and the page alike", async () => {
    const html = await readFile(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta, 'src/renderer/index.html has a CSP meta tag').toBeDefined();
    const header = directives(CONTENT_SECURITY_POLICY);
    const page = directives(meta!);
    expect(header.get('connect-src')).toBe("'self'");
    expect(page).toEqual(new Map([...header].filter(([name]) => !HEADER_ONLY.has(name))));
    expect(header.get('frame-ancestors')).toBe("'none'");
  });
});
