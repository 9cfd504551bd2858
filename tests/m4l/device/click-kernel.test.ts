import { describe, expect, it } from 'vitest';
import { clickParams } from '../../../m4l-device/gen/params';
import { DEFAULT_CLICK_SETUP } from '../../../src/shared/osc-protocol';
import { CoreHarness } from './harness';

/** The click kernel's `click_on` as the patch last heard it (0 before node sends any: the Param's default). */
function clickOn(h: CoreHarness): number {
  const sent = h.gen('click_on');
  return sent.length === 0 ? 0 : sent[sent.length - 1];
}

/** A click device at 48 kHz on a track routed to the in-ear outputs. */
function clickDevice(): CoreHarness {
  const h = new CoreHarness();
  h.core.start();
  h.max('samplerate', 48000);
  h.max('role', 'click');
  h.max('routing', 'Ext. Out 3/4');
  return h;
}

describe('the click kernel, driven by the device core', () => {
  it('is designed for the running rate and switched on only for a click device on a route that is not FOH', () => {
    const h = new CoreHarness();
    h.core.start();
    h.max('samplerate', 44100);
    expect(h.gen('click_gain')).toEqual([clickParams(DEFAULT_CLICK_SETUP, 44100).find(([n]) => n === 'click_gain')![1]]);
    expect(h.gen('click_accent_omega')).toEqual([(2 * Math.PI * 1500) / 44100]);
    h.max('routing', 'Ext. Out 3/4');
    expect(clickOn(h), 'a bus device never clicks').toBe(0);
    h.max('role', 'click');
    expect(clickOn(h)).toBe(1);
    h.max('role', 'iem');
    expect(clickOn(h)).toBe(0);
  });

  it('mutes before it raises the alarm when the track is routed to FOH, and sounds again when rerouted', () => {
    const h = clickDevice();
    expect(clickOn(h)).toBe(1);
    const mark = h.mark;
    h.max('routing', 'Master');
    const after = h.outlets.slice(mark);
    const muted = after.findIndex((m) => m[0] === 'gen' && m[1] === 'click_on' && m[2] === 0);
    const alarm = after.findIndex((m) => m[0] === 'ui' && m[1] === 'alarm' && String(m[2]).startsWith('Click routed to FOH'));
    expect(muted).toBeGreaterThanOrEqual(0);
    expect(alarm).toBeGreaterThan(muted);
    // Nothing a panel or the user does un-mutes a refused click.
    h.core.setClickEnabled(true);
    h.core.setClickSetup({ levelDbfs: -3, subdivision: 'eighth', beatsPerBar: 3 });
    h.core.replaceShowState(JSON.stringify({ ...h.core.showState, clickEnabled: true }));
    h.max('samplerate', 96000);
    expect(clickOn(h)).toBe(0);
    h.core.setFohOutputs(JSON.stringify(['Ext. Out 1/2']));
    expect(clickOn(h)).toBe(1);
    expect(h.core.alarm.code).toBe('');
  });

  it('follows the switch, the settings and Live’s tempo, and keeps the settings in the show state', () => {
    const h = clickDevice();
    h.core.setClickEnabled(false);
    expect(clickOn(h)).toBe(0);
    h.core.setClickEnabled(true);
    const mark = h.mark;
    h.core.setClickSetup({ levelDbfs: -20, subdivision: 'eighth', beatsPerBar: 7 });
    expect(h.gen('click_gain', mark)).toEqual([10 ** (-20 / 20)]);
    expect(h.gen('click_step', mark)).toEqual([0.5]);
    expect(h.gen('click_beats_per_bar', mark)).toEqual([7]);
    h.max('tempo', 133.5);
    expect(h.gen('click_tempo', mark)).toEqual([133.5]);

    const reopened = new CoreHarness(h.dict);
    expect(reopened.core.clickSetup()).toEqual({ levelDbfs: -20, subdivision: 'eighth', beatsPerBar: 7 });
    reopened.core.start();
    reopened.max('samplerate', 48000);
    expect(reopened.gen('click_beats_per_bar')).toEqual([7]);
    expect(reopened.gen('click_tempo')).toEqual([120]);
  });

  it('a show state saved before the click settings existed reads back with the default click', () => {
    const h = new CoreHarness();
    const { click: _click, ...old } = h.core.showState;
    const reopened = new CoreHarness({ liveblend_show_state: JSON.stringify(old) });
    expect(reopened.core.clickSetup()).toEqual(DEFAULT_CLICK_SETUP);
  });
});
