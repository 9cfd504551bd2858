import { describe, expect, it } from 'vitest';
import { BeatClock } from '../../src/dsp/beat-clock';
import { exactBeatSample } from '../support/beats';

describe('BeatClock', () => {
  for (const fs of [44100, 48000, 96000]) {
    for (const bpm of [60, 90, 120, 128, 137.5, 174]) {
      it(`puts every beat on its exact sample at ${bpm} BPM, ${fs / 1000} kHz`, () => {
        const clock = new BeatClock(fs, bpm);
        for (let k = 0; k <= 64; k++) expect(clock.samplesUntil(k)).toBe(exactBeatSample(k, fs, bpm));
        clock.advance(exactBeatSample(10, fs, bpm));
        expect(clock.samplesUntil(10)).toBe(0);
        expect(clock.samplesUntil(11)).toBe(exactBeatSample(11, fs, bpm) - exactBeatSample(10, fs, bpm));
        expect(clock.samplesUntil(9)).toBeLessThan(0);
      });
    }
  }

  it('does not drift over a two-hour show of 128-sample blocks', () => {
    const clock = new BeatClock(48000, 120);
    for (let done = 0; done < 7200 * 48000; done += 128) clock.advance(128);
    expect(clock.position).toBe(14400);
    expect(clock.samplesUntil(14400)).toBe(0);
  });

  it('applies a tempo change from the next sample: the position integrates the tempo', () => {
    const fs = 48000;
    const clock = new BeatClock(fs, 120);
    clock.advance(30000); // beat 1.25
    expect(clock.position).toBe(1.25);
    clock.setTempo(90);
    expect(clock.position).toBe(1.25);
    // Beat 2 is 0.75 beats on at 90 BPM: 0.75 × 32000 samples.
    expect(clock.samplesUntil(2)).toBe(24000);
    clock.advance(24000);
    expect(clock.position).toBe(2);
    expect(clock.samplesUntil(3)).toBe(32000);
  });

  it('relocates and starts anywhere, count-ins included', () => {
    const clock = new BeatClock(44100, 120, -4);
    expect(clock.samplesUntil(0)).toBe(4 * 22050);
    clock.locate(16.5);
    expect(clock.position).toBe(16.5);
    expect(clock.samplesUntil(17)).toBe(11025);
  });

  it('follows a new sample rate from where it is', () => {
    const clock = new BeatClock(44100, 120);
    clock.advance(11025);
    clock.setSampleRate(96000);
    expect(clock.position).toBe(0.5);
    expect(clock.samplesUntil(1)).toBe(24000);
  });

  it('refuses tempos outside Live’s range', () => {
    expect(() => new BeatClock(48000, 10)).toThrow(/tempo 10 BPM/);
    expect(() => new BeatClock(48000, 120).setTempo(1000)).toThrow(RangeError);
    expect(() => new BeatClock(0, 120)).toThrow(RangeError);
  });
});
