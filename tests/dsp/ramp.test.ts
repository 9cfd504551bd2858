import { describe, expect, it } from 'vitest';
import { MIN_RAMP_MS, rampLength } from '../../src/dsp/ramp';

describe('rampLength', () => {
  it('converts ms to samples and never goes under 20 ms', () => {
    expect(rampLength(50, 48000)).toBe(2400);
    expect(rampLength(0, 44100)).toBe(Math.round(MIN_RAMP_MS * 44.1));
    expect(rampLength(5, 96000)).toBe(1920);
    expect(() => rampLength(-1, 48000)).toThrow(RangeError);
    expect(() => rampLength(Number.NaN, 48000)).toThrow(RangeError);
  });
});
