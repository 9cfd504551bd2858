import { describe, expect, it } from 'vitest';
import type { DeviceChange } from '../../../m4l-device/src/device-core';
import { parseMaxMessage } from '../../../m4l-device/src/max-protocol';
import { dbToGain } from '../../../src/dsp/units';
import { CoreHarness } from './harness';

/** The limiter aims this far under its ceiling (gen/params.ts). */
const LIMITER_MARGIN_DB = 0.001;

/** A device whose controls have already reported their stored values, as Live does at load. */
function loaded(): CoreHarness {
  const h = new CoreHarness();
  for (const key of ['trim', 'eq1_gain', 'eq2_gain', 'eq3_gain', 'eq4_gain', 'eq5_gain']) h.max('param', key, 0);
  h.max('param', 'ceiling', -1);
  h.max('param', 'bypass', 0);
  h.sceneSet();
  return h;
}

function changes(h: CoreHarness): DeviceChange[] {
  const seen: DeviceChange[] = [];
  h.core.onChange((change) => seen.push(change));
  return seen;
}

describe('param messages from the live.* controls', () => {
  it('are checked against the preset ranges before anything happens', () => {
    expect(parseMaxMessage('param', ['trim', -3.5])).toEqual({ ok: true, message: { selector: 'param', args: { key: 'trim', value: -3.5 } } });
    expect(parseMaxMessage('param', ['trim', 30])).toEqual({ ok: false, reason: 'param trim 30: trim 30 is outside -24 to 24 dB (argument 2)' });
    expect(parseMaxMessage('param', ['eq3_gain', -19])).toMatchObject({ ok: false, reason: expect.stringMatching(/-18 to 18 dB/) });
    expect(parseMaxMessage('param', ['ceiling', 0.5])).toMatchObject({ ok: false, reason: expect.stringMatching(/-20 to 0 dBTP/) });
    expect(parseMaxMessage('param', ['bypass', 0.5])).toMatchObject({ ok: false, reason: expect.stringMatching(/bypass 0.5 is outside 0 or 1/) });
    expect(parseMaxMessage('param', ['eq6_gain', 1])).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown control "eq6_gain": expected one of trim, eq1_gain/) });
    expect(parseMaxMessage('param', ['trim'])).toMatchObject({ ok: false });
  });
});

describe('turning a control on the device', () => {
  it('Trim edits the current song\'s preset: stored, saved, revision bumped, listeners told, ramped in', () => {
    const h = loaded();
    h.launch(1);
    h.play(5, -20);
    const seen = changes(h);
    const revision = h.core.revision;
    const before = h.mark;
    h.max('param', 'trim', -4);
    expect(h.core.preset('hold on')).toMatchObject({ stored: true, preset: { trimDb: -4 } });
    expect(h.core.revision).toBe(revision + 1);
    expect(JSON.parse(h.dict.liveblend_show_state as string).presets['hold on'].trimDb).toBe(-4);
    expect(seen).toEqual([{ kind: 'preset', song: 'hold on' }]);
    expect(h.gen('trim', before)).toEqual([dbToGain(-4)]);
    expect(h.gen('recall_count', before)).toHaveLength(1);
    expect(h.gen('reset_count', before)).toEqual([]);
    // The measurement so far was made at another trim: learn must not mix the two.
    expect(h.core.measurements()['hold on']).toMatchObject({ seconds: 0, trimDb: -4 });
  });

  it('an EQ gain or Ceiling changes only that field of the song\'s preset', () => {
    const h = loaded();
    h.core.setPreset('runaway', JSON.stringify({ version: 1, trimDb: -6, eq: [{}, {}, { gainDb: -2 }, {}, {}] }));
    h.launch(3);
    h.max('param', 'eq4_gain', 3.5);
    h.max('param', 'ceiling', -3);
    const { preset } = h.core.preset('runaway');
    expect(preset.trimDb).toBe(-6);
    expect(preset.eq.map((band) => band.gainDb)).toEqual([0, 0, -2, 3.5, 0]);
    expect(preset.eq[3]).toMatchObject({ type: 'peak', freqHz: 2500 });
    expect(preset.limiter.ceilingDbtp).toBe(-3);
    expect(h.gen('lim_ceiling').at(-1)).toBeCloseTo(dbToGain(-3 - LIMITER_MARGIN_DB), 12);
    // Another song keeps its own (default) EQ.
    expect(h.core.preset('hold on').preset.eq[3].gainDb).toBe(0);
  });

  it('the values Live restores at load, and node\'s own display coming back, are not edits', () => {
    const h = new CoreHarness();
    h.max('param', 'trim', 5);
    h.max('param', 'eq2_gain', -3);
    h.sceneSet();
    // Restored after the first recall already showed the default preset: still Live restoring, not a user.
    h.max('param', 'ceiling', -2);
    h.max('param', 'eq4_gain', 6);
    expect(h.core.showState.defaultPreset).toEqual(new CoreHarness().core.showState.defaultPreset);
    h.core.setPreset('hold on', JSON.stringify({ version: 1, trimDb: -2.5, eq: [{}, { gainDb: 1.5 }, {}, {}, {}], limiter: { ceilingDbtp: -1.3 } }));
    h.launch(1);
    expect(h.ui('trim').at(-1)).toBe(-2.5);
    const state = JSON.stringify(h.core.showState);
    const revision = h.core.revision;
    const before = h.mark;
    h.max('param', 'trim', -2.5);
    h.max('param', 'eq2_gain', 1.5);
    // Live hands back a parameter in single precision.
    h.max('param', 'ceiling', Math.fround(-1.3));
    expect(JSON.stringify(h.core.showState)).toBe(state);
    expect(h.core.revision).toBe(revision);
    expect(h.outlets.slice(before)).toEqual([]);
    // The next real move is an edit.
    h.max('param', 'eq2_gain', -1);
    expect(h.core.preset('hold on').preset.eq[1].gainDb).toBe(-1);
  });

  it('every recall shows the song\'s trim, EQ gains and ceiling on the dials, not the previous song\'s', () => {
    const h = loaded();
    h.core.setPreset('hold on', JSON.stringify({ version: 1, trimDb: -2, eq: [{}, { gainDb: 3 }, {}, { gainDb: -4.5 }, {}], limiter: { ceilingDbtp: -2 } }));
    h.core.setPreset('runaway', JSON.stringify({ version: 1, trimDb: 1, eq: [{}, {}, { gainDb: 2 }, {}, {}] }));
    const shown = (from: number) => Object.fromEntries(['trim', 'eq1_gain', 'eq2_gain', 'eq3_gain', 'eq4_gain', 'eq5_gain', 'ceiling'].map((key) => [key, h.ui(key, from)]));
    let from = h.mark;
    h.launch(1);
    expect(shown(from)).toEqual({ trim: [-2], eq1_gain: [0], eq2_gain: [3], eq3_gain: [0], eq4_gain: [-4.5], eq5_gain: [0], ceiling: [-2] });
    from = h.mark;
    h.launch(3);
    expect(shown(from)).toEqual({ trim: [1], eq1_gain: [0], eq2_gain: [0], eq3_gain: [2], eq4_gain: [0], eq5_gain: [0], ceiling: [-1] });
    // The show ceiling caps every preset: the dial shows the ceiling the limiter really runs at.
    from = h.mark;
    h.core.setCeiling(-3);
    expect(h.ui('ceiling', from)).toEqual([-3]);
    // Moving a dial shows the edited preset back on every dial, and the echo is not a second edit.
    from = h.mark;
    const revision = h.core.revision;
    h.max('param', 'eq5_gain', 1);
    expect(shown(from)).toMatchObject({ eq3_gain: [2], eq5_gain: [1] });
    h.max('param', 'eq3_gain', 2);
    expect(h.core.revision).toBe(revision + 1);
  });

  it('before any song, a control edits the default preset that songs without their own play', () => {
    const h = loaded();
    const before = h.mark;
    h.max('param', 'trim', 2);
    h.max('param', 'eq5_gain', -1.5);
    expect(h.core.showState.defaultPreset).toMatchObject({ trimDb: 2 });
    expect(h.core.showState.defaultPreset.eq[4].gainDb).toBe(-1.5);
    expect(h.core.showState.presets).toEqual({});
    // Heard at once: the strip plays the default preset until the first song.
    expect(h.gen('trim', before)).toEqual([dbToGain(2), dbToGain(2)]);

    h.core.setPreset('runaway', JSON.stringify({ version: 1, trimDb: -6 }));
    h.launch(1);
    expect(h.core.preset('hold on')).toMatchObject({ stored: false, preset: { trimDb: 2 } });
    expect(h.gen('trim').at(-1)).toBe(dbToGain(2));
    h.launch(3);
    expect(h.gen('trim').at(-1)).toBe(dbToGain(-6));

    const restarted = new CoreHarness(JSON.parse(JSON.stringify(h.dict)) as Record<string, unknown>);
    expect(restarted.core.preset('hold on').preset.trimDb).toBe(2);
  });

  it('Bypass takes the strip to its unready state (unity, EQ and compressor out) and back, without touching the show', () => {
    const h = loaded();
    h.core.setPreset('hold on', JSON.stringify({ version: 1, trimDb: -6 }));
    h.launch(1);
    const state = JSON.stringify(h.core.showState);
    let before = h.mark;
    h.max('param', 'bypass', 1);
    expect(h.gen('ready', before)).toEqual([0]);
    // A recall while bypassed is staged (the kernel holds triggers while not ready), not un-bypassed.
    h.launch(3);
    expect(h.gen('recall_count', before)).toHaveLength(1);
    expect(h.gen('ready', before)).toEqual([0]);
    before = h.mark;
    h.max('param', 'bypass', 0);
    expect(h.gen('ready', before)).toEqual([1]);
    expect(JSON.stringify(h.core.showState)).toBe(state);
  });

  it('a device saved with Bypass on comes back bypassed', () => {
    const h = new CoreHarness();
    h.max('param', 'bypass', 1);
    h.sceneSet();
    expect(h.gen('recall_count')).toHaveLength(1);
    expect(h.gen('ready')).toEqual([]);
    h.max('param', 'bypass', 0);
    expect(h.gen('ready')).toEqual([1]);
  });

  it('the role menu (`role`, not a param) changes the role and what the strip runs', () => {
    const h = loaded();
    h.core.setPreset('hold on', JSON.stringify({ version: 1, trimDb: -6 }));
    h.launch(1);
    const before = h.mark;
    h.max('role', 'iem');
    expect(h.core.showState.role).toBe('iem');
    expect(h.gen('trim', before)).toEqual([1]);
    expect(() => h.max('role', 'drums')).toThrow(/role drums/);
  });
});
