import { describe, expect, it } from 'vitest';
import { biquadMagnitude } from '../../src/dsp/biquad';
import { designKWeighting } from '../../src/dsp/kweighting';

const response = (rate: number, f: number) => {
  const k = designKWeighting(rate);
  return 20 * Math.log10(biquadMagnitude(k.shelf, f, rate) * biquadMagnitude(k.highpass, f, rate));
};

describe('K-weighting from the analog prototype', () => {
  it('reproduces the BS.1770 coefficients at 48 kHz', () => {
    const k = designKWeighting(48000);
    expect(k.shelf.b0).toBeCloseTo(1.53512485958697, 8);
    expect(k.shelf.b1).toBeCloseTo(-2.69169618940638, 8);
    expect(k.shelf.b2).toBeCloseTo(1.19839281085285, 8);
    expect(k.shelf.a1).toBeCloseTo(-1.69065929318241, 8);
    expect(k.shelf.a2).toBeCloseTo(0.73248077421585, 8);
    expect([k.highpass.b0, k.highpass.b1, k.highpass.b2]).toEqual([1, -2, 1]);
    expect(k.highpass.a1).toBeCloseTo(-1.99004745483398, 8);
    expect(k.highpass.a2).toBeCloseTo(0.99007225036621, 8);
  });

  it.each([44100, 88200, 96000, 192000])('matches the 48 kHz response at %i Hz within 0.05 dB up to 10 kHz (bilinear warping at 48 kHz)', (rate) => {
    for (const f of [20, 50, 100, 500, 1000, 2000, 5000, 10000]) {
      expect(Math.abs(response(rate, f) - response(48000, f))).toBeLessThan(0.05);
    }
  });

  it('has the shape of the curve: −∞ towards DC, about +4 dB above 2 kHz', () => {
    expect(response(48000, 10)).toBeLessThan(-10);
    expect(response(48000, 8000)).toBeGreaterThan(3.5);
  });

  it('refuses an impossible sample rate', () => {
    expect(() => designKWeighting(0)).toThrow(RangeError);
  });
});
