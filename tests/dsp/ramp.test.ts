import { describe, expect, it } from 'vitest';
import { LinearRamp, MIN_RAMP_MS, rampLength } from '../../src/dsp/ramp';

describe('rampLength', () => {
  it('converts ms to samples and never goes under 20 ms', () => {
    expect(rampLength(50, 48000)).toBe(2400);
    expect(rampLength(0, 44100)).toBe(Math.round(MIN_RAMP_MS * 44.1));
    expect(rampLength(5, 96000)).toBe(1920);
    expect(() => rampLength(-1, 48000)).toThrow(RangeError);
    expect(() => rampLength(Number.NaN, 48000)).toThrow(RangeError);
  });
});

describe('LinearRamp', () => {
  it('moves in equal steps and lands exactly on the target', () => {
    const ramp = new LinearRamp(1);
    ramp.rampTo(0.25, 4);
    expect([0, 1, 2, 3, 4, 5].map((i) => ramp.at(i))).toEqual([0.8125, 0.625, 0.4375, 0.25, 0.25, 0.25]);
    ramp.advance(3);
    expect(ramp.value).toBe(0.4375);
    expect(ramp.remaining).toBe(1);
    ramp.advance(10);
    expect(ramp.value).toBe(0.25);
    expect(ramp.remaining).toBe(0);
  });

  it('gives the same values however the blocks fall', () => {
    const whole = new LinearRamp(0);
    const split = new LinearRamp(0);
    whole.rampTo(1, 1000);
    split.rampTo(1, 1000);
    const a = Array.from({ length: 1200 }, (_, i) => whole.at(i));
    const b: number[] = [];
    for (const n of [1, 7, 300, 2, 890]) {
      for (let i = 0; i < n; i++) b.push(split.at(i));
      split.advance(n);
    }
    expect(b).toEqual(a);
  });

  it('starts a new ramp from where the old one had got to', () => {
    const ramp = new LinearRamp(0);
    ramp.rampTo(1, 100);
    ramp.advance(50);
    ramp.rampTo(0, 10);
    expect(ramp.at(0)).toBeCloseTo(0.45, 12);
    ramp.jumpTo(2);
    expect(ramp.at(0)).toBe(2);
  });
});
