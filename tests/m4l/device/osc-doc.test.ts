import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_END, REFERENCE_START, renderOscReference } from '../../../m4l-device/src/osc-doc';
import { DEVICE_VERSION } from '../../../m4l-device/src/version';
import { OSC_ADDRESSES } from '../../../src/shared/osc-protocol';

const DOC = new URL('../../../docs/osc.md', import.meta.url);

function docText(): string {
  const text = readFileSync(DOC, 'utf8');
  if (process.env.UPDATE_OSC_DOC !== '1') return text;
  const start = text.indexOf(REFERENCE_START);
  const updated = `${start < 0 ? text : text.slice(0, start)}${renderOscReference()}\n`;
  writeFileSync(DOC, updated);
  return updated;
}

describe('docs/osc.md', () => {
  const text = docText();
  const documented = [...text.matchAll(/^### `([^`]+)`$/gm)].map((m) => m[1]);

  it('documents every address in the protocol table, with its arguments', () => {
    for (const spec of OSC_ADDRESSES) {
      expect(documented, `${spec.address} is missing from docs/osc.md`).toContain(spec.address);
      const section = text.slice(text.indexOf(`### \`${spec.address}\``)).split('\n### ')[0];
      for (const arg of spec.args) expect(section, `${spec.address} argument ${arg.name}`).toContain(`\`${arg.name}\` (${arg.tag},`);
    }
  });

  it('documents no address the table does not have', () => {
    const known = new Set(OSC_ADDRESSES.map((s) => s.address));
    expect(documented.filter((a) => !known.has(a))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('holds the reference exactly as the table writes it (UPDATE_OSC_DOC=1 rewrites it)', () => {
    expect(text.slice(text.indexOf(REFERENCE_START)).trimEnd()).toBe(renderOscReference());
  });
});

it('the version devices announce is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(DEVICE_VERSION).toBe(pkg.version);
});
