import { describe, expect, it } from 'vitest';
import { dbToGain } from '../../../src/dsp/units';
import { CoreHarness } from './harness';

/** 120 bpm: a beat is 500 ms, a 4/4 bar 2 s. */
const BEAT_MS = 500;

function aligned(): CoreHarness {
  const h = new CoreHarness().sceneSet();
  h.core.setTempo(120);
  h.core.setPreset('hold on', JSON.stringify({ version: 1, trimDb: -6 }));
  h.core.setPreset('runaway', JSON.stringify({ version: 1, trimDb: 3 }));
  h.core.setAlignRecallToBar(true);
  return h;
}

describe('bar-aligned recalls', () => {
  it('are off by default: a new song is recalled the moment it starts', () => {
    const h = new CoreHarness().sceneSet();
    expect(h.core.showState.alignRecallToBar).toBe(false);
    h.core.setSongTime(5);
    const before = h.mark;
    h.launch(1);
    expect(h.gen('recall_count', before)).toHaveLength(1);
  });

  it('when on, a song starting mid-bar is announced at once and recalled on the next bar line', () => {
    const h = aligned();
    h.core.setSongTime(5);
    const before = h.mark;
    h.launch(1);
    expect(h.core.currentSong.key).toBe('hold on');
    expect(h.ui('song', before)).toEqual(['02 Hold On [v2]']);
    expect(h.gen('trim', before)).toEqual([]);
    // Beat 5 → bar line at beat 8: 3 beats later, counted on from the last song_time by the tempo.
    h.clock.advance(3 * BEAT_MS - 1);
    expect(h.gen('trim', before)).toEqual([]);
    h.clock.advance(1);
    expect(h.gen('trim', before)).toEqual([dbToGain(-6)]);
    expect(h.gen('recall_count', before)).toHaveLength(1);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a second song before the bar replaces the waiting one', () => {
    const h = aligned();
    h.core.setSongTime(4.5);
    const before = h.mark;
    h.launch(1);
    h.clock.advance(BEAT_MS);
    h.launch(3);
    h.clock.advance(4 * BEAT_MS);
    expect(h.gen('trim', before)).toEqual([dbToGain(3)]);
    expect(h.gen('recall_count', before)).toHaveLength(1);
  });

  it('stopping the transport applies the waiting recall at once', () => {
    const h = aligned();
    h.core.setSongTime(1);
    const before = h.mark;
    h.launch(3);
    h.clock.advance(BEAT_MS);
    expect(h.gen('trim', before)).toEqual([]);
    h.core.setPlaying(false);
    expect(h.gen('trim', before)).toEqual([dbToGain(3)]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('turning alignment off applies the waiting recall at once', () => {
    const h = aligned();
    h.core.setSongTime(1);
    const before = h.mark;
    h.launch(3);
    h.core.setAlignRecallToBar(false);
    expect(h.gen('trim', before)).toEqual([dbToGain(3)]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a launch reported just after the downbeat Live quantised it to is recalled at once, not a bar late', () => {
    const h = aligned();
    h.core.setSongTime(8);
    h.clock.advance(40);
    const before = h.mark;
    h.launch(1);
    expect(h.gen('trim', before)).toEqual([dbToGain(-6)]);
  });

  it('counts bars in the time signature Live reports (6/8: three quarter-note beats)', () => {
    const h = aligned();
    h.max('signature', 6, 8);
    h.core.setSongTime(4);
    const before = h.mark;
    h.launch(1);
    h.clock.advance(2 * BEAT_MS - 1);
    expect(h.gen('trim', before)).toEqual([]);
    h.clock.advance(1);
    expect(h.gen('trim', before)).toEqual([dbToGain(-6)]);
    expect(() => h.max('signature', 4, 3)).toThrow(/denominator must be 1, 2, 4, 8 or 16/);
  });

  it('follows tempo changes and song_time reports while it waits', () => {
    const h = aligned();
    h.core.setSongTime(6);
    const before = h.mark;
    h.launch(1);
    // Half time after one beat: the remaining beat to the bar line at 8 now takes 1000 ms.
    h.clock.advance(BEAT_MS);
    h.core.setTempo(60);
    h.clock.advance(999);
    expect(h.gen('trim', before)).toEqual([]);
    h.clock.advance(1);
    expect(h.gen('trim', before)).toEqual([dbToGain(-6)]);

    // A reported position at or past the bar line lands the recall without waiting for the timer.
    h.core.setSongTime(9);
    const mark = h.mark;
    h.launch(3);
    h.core.setSongTime(12);
    expect(h.gen('trim', mark)).toEqual([dbToGain(3)]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('the setting is part of the show state and survives a restart', () => {
    const h = aligned();
    const revision = h.core.revision;
    h.core.setAlignRecallToBar(false);
    h.core.setAlignRecallToBar(true);
    expect(h.core.revision).toBe(revision + 2);
    const restarted = new CoreHarness(JSON.parse(JSON.stringify(h.dict)) as Record<string, unknown>);
    expect(restarted.core.showState.alignRecallToBar).toBe(true);
  });
});
