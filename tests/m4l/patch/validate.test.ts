import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAmxd, readAmxdChunks, writeAmxd } from '../../../m4l-device/patch/amxd';
import { buildDevice, readReleasedLongNames } from '../../../m4l-device/patch/build-device';
import type { MaxBox, MaxPatcher } from '../../../m4l-device/patch/types';
import { PatchValidationError, assertValidPatch, findProblems, type ValidateContext } from '../../../m4l-device/patch/validate';
import { fixtureSources, type FixtureSources } from './fixture-sources';

let fixture: FixtureSources;
let good: MaxPatcher;
let context: ValidateContext;

beforeAll(async () => {
  fixture = fixtureSources();
  const { amxd } = await buildDevice(fixture.sources);
  good = (readAmxd(amxd).patcher as { patcher: MaxPatcher }).patcher;
  context = { distDir: fixture.sources.outDir, releasedLongNames: readReleasedLongNames(fixture.sources.releasedLongNames) };
});
afterAll(() => fixture.remove());

/** The built patch, changed by `edit` (on a deep copy), validated. */
function problemsAfter(edit: (patcher: MaxPatcher, box: (id: string) => MaxBox) => void, ctx: ValidateContext = context): string[] {
  const patcher = structuredClone(good);
  edit(patcher, (id) => patcher.boxes.find((b) => b.box.id === id)!.box);
  return findProblems({ patcher }, ctx);
}

describe('device validator', () => {
  it('accepts the built patch', () => {
    expect(findProblems({ patcher: good }, context)).toEqual([]);
  });

  it('refuses a cord to an inlet that does not exist, naming the box', () => {
    const problems = problemsAfter((p) => p.lines.push({ patchline: { source: ['meter-pack', 0], destination: ['meter-msg', 1] } }));
    expect(problems).toEqual(['cord meter-pack:0 → meter-msg:1: box meter-msg [prepend meter] has no inlet 1 (it has 1)']);
  });

  it('refuses a cord from an outlet that does not exist and a cord to a box that does not exist', () => {
    const problems = problemsAfter((p) => {
      p.lines.push({ patchline: { source: ['thisdevice', 3], destination: ['init', 0] } });
      p.lines.push({ patchline: { source: ['init', 0], destination: ['gone', 0] } });
    });
    expect(problems).toEqual([
      'cord thisdevice:3 → init:0: box thisdevice [live.thisdevice] has no outlet 3 (it has 3)',
      'cord init:0 → gone:0: destination box gone does not exist',
    ]);
  });

  it('refuses an unknown object class, naming the box', () => {
    const problems = problemsAfter((_, box) => (box('queue-store').text = 'prepnd store'));
    expect(problems).toContain('box queue-store [prepnd store]: unknown object class "prepnd" (not in m4l-device/patch/object-classes.ts)');
  });

  it('refuses a box saved with the wrong inlet or outlet counts', () => {
    const problems = problemsAfter((_, box) => (box('dspstate').numoutlets = 2));
    expect(problems[0]).toMatch(/^box dspstate \[dspstate~\]: saved with 1 inlets \/ outlets .* but its class has 1 inlets \/ outlets \["int","float","int","int"\]$/);
  });

  it('refuses a renamed released long name', () => {
    const problems = problemsAfter((_, box) => (box('dial-trim').saved_attribute_attributes!.valueof!.parameter_longname = 'Gain'));
    expect(problems).toEqual(['parameter "Trim" was released and is gone: long names never change (Live stores automation by them); restore it']);
  });

  it('refuses a duplicate id, naming both boxes', () => {
    const problems = problemsAfter((_, box) => (box('meter-msg').id = 'node'));
    expect(problems[0]).toBe('box node [prepend meter]: id node is also used by box node [node.script liveblend-device.js @autostart 1]: ids must be unique');
  });

  it('refuses a gen~ whose in/out boxes disagree with its code', () => {
    const problems = problemsAfter((_, box) => {
      const inner = box('meter').patcher!;
      inner.boxes = inner.boxes.filter((b) => b.box.text !== 'out 5');
    });
    expect(problems).toContain('box meter [gen~]: gen patcher has 2 in / 4 out boxes but its code uses in1..in2 and out1..out5: rebuild the box from the kernel');
  });

  it('refuses a script that is not in dist/, naming the box', () => {
    const problems = problemsAfter(() => undefined, { ...context, distDir: join(fixture.sources.root, 'no-such-dist') });
    expect(problems).toContain('box live-adapter [js liveblend-live.js]: script liveblend-live.js is not in ' + join(fixture.sources.root, 'no-such-dist') + ': run npm run build:device');
    expect(problems).toContain('box node [node.script liveblend-device.js @autostart 1]: script liveblend-device.js is not in ' + join(fixture.sources.root, 'no-such-dist') + ': run npm run build:device');
  });

  it('refuses a parameter without a range or a short name', () => {
    const problems = problemsAfter((_, box) => {
      const v = box('dial-ceiling').saved_attribute_attributes!.valueof!;
      v.parameter_mmax = v.parameter_mmin;
      delete v.parameter_shortname;
    });
    expect(problems).toEqual(['box dial-ceiling [live.dial]: parameter has no short name', 'box dial-ceiling [live.dial]: parameter range -20..-20 is missing or empty (set parameter_mmin < parameter_mmax)']);
  });

  it('refuses a dict shared with every device in the set (no --- prefix)', () => {
    const problems = problemsAfter((_, box) => (box('state').text = 'dict liveblend_state @embed 1'));
    expect(problems).toEqual(['box state [dict liveblend_state @embed 1]: "liveblend_state" is shared by every device in the Live set: name it ---liveblend_state']);
  });

  it('refuses a signal cord into an object that takes no signals', () => {
    const problems = problemsAfter((p) => p.lines.push({ patchline: { source: ['strip', 0], destination: ['meter-msg', 0] } }));
    expect(problems).toEqual(['cord strip:0 → meter-msg:0: signal from box strip [gen~] into box meter-msg [prepend meter], which takes no signals']);
  });

  it('refuses a patch that is not an audio effect or does not open in presentation', () => {
    const problems = problemsAfter((p) => {
      (p.project as { amxdtype: number }).amxdtype = 1835887981;
      p.openinpresentation = 0;
    });
    expect(problems).toEqual(['patcher: project.amxdtype is 1835887981, expected 1633771873 (audio effect)', 'patcher: openinpresentation must be 1 so Live shows the device view']);
  });

  it('throws one error listing every problem', () => {
    const patcher = structuredClone(good);
    patcher.boxes.find((b) => b.box.id === 'queue')!.box.text = 'colll';
    expect(() => assertValidPatch({ patcher }, context)).toThrow(PatchValidationError);
    expect(() => assertValidPatch({ patcher }, context)).toThrow(/1 problem\):\n {2}- box queue \[colll\]: unknown object class "colll"/);
  });
});

describe('.amxd container', () => {
  it('round-trips patcher JSON through the chunks', () => {
    const text = JSON.stringify({ patcher: { boxes: [], lines: [], name: 'ünïcode ✓' } });
    expect(readAmxd(writeAmxd(text))).toEqual({ deviceType: 'aaaa', patcher: JSON.parse(text) });
  });

  it('refuses truncated or mis-chunked files with the offset', () => {
    const bytes = writeAmxd('{"patcher":{}}');
    expect(() => readAmxdChunks(bytes.subarray(0, 36))).toThrow(/chunk "ptch" at byte 24 claims \d+ bytes but only 4 remain/);
    expect(() => readAmxdChunks(bytes.subarray(0, 5))).toThrow('truncated chunk header at byte 0');
    expect(() => readAmxd(bytes.subarray(12))).toThrow('expected chunks ampf,meta,ptch, found meta,ptch');
  });
});
