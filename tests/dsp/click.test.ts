import { describe, expect, it } from 'vitest';
import { BeatClock } from '../../src/dsp/beat-clock';
import { ACCENT_HZ, BEAT_HZ, Click, DEFAULT_CLICK, OFFBEAT_DB, countInStart, type ClickSettings } from '../../src/dsp/click';
import { gainToDb } from '../../src/dsp/units';
import { exactBeatSample, onsets } from '../support/beats';
import { prng } from '../support/ebu-signals';

/** Renders `frames` of click in blocks of random sizes (as a host would), advancing the clock. */
function render(settings: ClickSettings, clock: BeatClock, sampleRate: number, frames: number, seed = 1): Float32Array {
  const click = new Click(settings, sampleRate);
  const out = new Float32Array(frames);
  const random = prng(seed);
  for (let offset = 0; offset < frames; ) {
    const n = Math.min(frames - offset, 1 + Math.floor(random() * 700));
    click.process(clock, [out.subarray(offset, offset + n)], n);
    clock.advance(n);
    offset += n;
  }
  return out;
}

/** Dominant pitch of the click starting at `at`, from its zero crossings over 10 ms. */
function pitchAt(x: Float32Array, at: number, sampleRate: number): number {
  const length = Math.round(0.01 * sampleRate);
  let crossings = 0;
  for (let i = at + 1; i < at + length; i++) if (Math.sign(x[i]) !== Math.sign(x[i - 1])) crossings++;
  return (crossings / 2) * (sampleRate / length);
}

function peakDb(x: Float32Array, from: number, to: number): number {
  let peak = 0;
  for (let i = from; i < to; i++) peak = Math.max(peak, Math.abs(x[i]));
  return gainToDb(peak);
}

describe('Click', () => {
  for (const fs of [44100, 48000, 96000]) {
    for (const bpm of [72, 120, 133.3, 174]) {
      it(`starts every click on the beat's exact sample at ${bpm} BPM, ${fs / 1000} kHz`, () => {
        const bars = 4;
        const frames = Math.ceil((bars * 4 * 60 * fs) / bpm);
        const out = render(DEFAULT_CLICK, new BeatClock(fs, bpm), fs, frames, bpm);
        const expected = Array.from({ length: bars * 4 }, (_, k) => exactBeatSample(k, fs, bpm));
        expect(onsets(out, fs)).toEqual(expected);
      });
    }
  }

  it('accents the downbeat with the higher pitch every bar, in any metre', () => {
    const fs = 48000;
    for (const beatsPerBar of [3, 4, 7]) {
      const out = render({ ...DEFAULT_CLICK, beatsPerBar }, new BeatClock(fs, 120), fs, 24000 * beatsPerBar * 3);
      const found = onsets(out, fs);
      expect(found).toHaveLength(beatsPerBar * 3);
      found.forEach((at, k) => {
        expect(pitchAt(out, at, fs)).toBeCloseTo(k % beatsPerBar === 0 ? ACCENT_HZ : BEAT_HZ, -2);
      });
    }
  });

  it('plays offbeat eighths at the beat pitch, 6 dB down', () => {
    const fs = 48000;
    const out = render({ ...DEFAULT_CLICK, subdivision: 'eighth' }, new BeatClock(fs, 100), fs, 28800 * 4);
    const found = onsets(out, fs);
    expect(found).toEqual(Array.from({ length: 8 }, (_, k) => k * 14400));
    const length = Math.round(0.03 * fs);
    expect(peakDb(out, found[3], found[3] + length) - peakDb(out, found[2], found[2] + length)).toBeCloseTo(OFFBEAT_DB, 1);
    expect(pitchAt(out, found[3], fs)).toBeCloseTo(BEAT_HZ, -2);
  });

  it('peaks at its level and dies away to exact silence within 31 ms', () => {
    const fs = 96000;
    const out = render({ ...DEFAULT_CLICK, levelDbfs: -9 }, new BeatClock(fs, 120), fs, 48000);
    expect(peakDb(out, 0, 48000)).toBeCloseTo(-9, 1);
    const end = Math.ceil(0.031 * fs);
    expect(out[end - 2]).not.toBe(0);
    expect(out.subarray(end, 48000).every((v) => v === 0)).toBe(true);
    // The tail ends at zero with zero slope: no tick when it stops.
    expect(Math.abs(out[end - 2])).toBeLessThan(1e-6);
  });

  it('counts in the set number of bars before the song', () => {
    const fs = 44100;
    const settings = { ...DEFAULT_CLICK, countInBars: 2 };
    expect(countInStart(0, settings)).toBe(-8);
    const clock = new BeatClock(fs, 120, countInStart(0, settings));
    const songStart = clock.samplesUntil(0);
    expect(songStart).toBe(8 * 22050);
    const out = render(settings, clock, fs, 22050 * 10);
    const found = onsets(out, fs);
    expect(found).toEqual(Array.from({ length: 10 }, (_, k) => k * 22050));
    expect(found.filter((at) => at < songStart)).toHaveLength(8);
    for (const bar of [0, 4, 8]) expect(pitchAt(out, found[bar], fs)).toBeCloseTo(ACCENT_HZ, -2);
  });

  it('follows a tempo change within the beat it happens in', () => {
    const fs = 48000;
    const clock = new BeatClock(fs, 120);
    const click = new Click(DEFAULT_CLICK, fs);
    const out = new Float32Array(96000);
    click.process(clock, [out.subarray(0, 30000)], 30000);
    clock.advance(30000); // beat 1.25
    clock.setTempo(60);
    click.process(clock, [out.subarray(30000)], 66000);
    // Beat 2 is 0.75 beats on at 60 BPM: 36000 samples after the change.
    expect(onsets(out, fs)).toEqual([0, 24000, 66000]);
  });

  it('refuses settings it cannot play', () => {
    expect(() => new Click({ ...DEFAULT_CLICK, beatsPerBar: 0 }, 48000)).toThrow(/0 beats per bar/);
    expect(() => new Click({ ...DEFAULT_CLICK, levelDbfs: 3 }, 48000)).toThrow(/level 3 dBFS/);
    expect(() => new Click({ ...DEFAULT_CLICK, subdivision: 'triplet' as 'eighth' }, 48000)).toThrow(/triplet/);
    expect(() => new Click({ ...DEFAULT_CLICK, countInBars: 1.5 }, 48000)).toThrow(/count-in/);
  });
});
