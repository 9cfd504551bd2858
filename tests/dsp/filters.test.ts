import { describe, expect, it } from 'vitest';
import { IDENTITY_BIQUAD, biquadMagnitude } from '../../src/dsp/biquad';
import { MAX_FREQUENCY_FRACTION, designBand, highShelf, highpass, lowShelf, lowpass, magnitudeDb, peak } from '../../src/dsp/filters';
import { defaultPreset, type EqBand } from '../../src/shared/preset';

/**
 * Each cookbook design is checked against its analog prototype H(s), evaluated at the
 * bilinear-warped frequency Ω = tan(π·f/fs) / tan(π·f0/fs): an independent route to the same
 * response, since the digital coefficients never appear in it.
 */

const RATES = [44100, 48000, 96000];
const TOLERANCE_DB = 0.01;

type Complex = [re: number, im: number];
const div = ([a, b]: Complex, [c, d]: Complex): Complex => [(a * c + b * d) / (c * c + d * d), (b * c - a * d) / (c * c + d * d)];
const absDb = ([re, im]: Complex) => 10 * Math.log10(re * re + im * im);
/** p2·s² + p1·s + p0 at s = jΩ. */
const poly = (p2: number, p1: number, p0: number, w: number): Complex => [p0 - p2 * w * w, p1 * w];

function analogDb(band: EqBand, f: number, fs: number, sectionQ = band.q): number {
  const w = Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * Math.min(band.freqHz, MAX_FREQUENCY_FRACTION * fs)) / fs);
  const a = Math.pow(10, band.gainDb / 40);
  const q = sectionQ;
  const k = Math.sqrt(a) / q;
  switch (band.type) {
    case 'lowpass':
      return absDb(div([1, 0], poly(1, 1 / q, 1, w)));
    case 'highpass':
      return absDb(div(poly(1, 0, 0, w), poly(1, 1 / q, 1, w)));
    case 'peak':
      return absDb(div(poly(1, a / q, 1, w), poly(1, 1 / (a * q), 1, w)));
    case 'lowshelf':
      return absDb(div(poly(a, a * k, a * a, w), poly(a, k, 1, w)));
    case 'highshelf':
      return absDb(div(poly(a * a, a * k, a, w), poly(1, k, a, w)));
  }
}

/** 24 dB/oct: the two Butterworth sections' analog responses add in dB. */
function analogBandDb(band: EqBand, f: number, fs: number): number {
  if ((band.type === 'highpass' || band.type === 'lowpass') && band.slope === 24) {
    return analogDb(band, f, fs, 1 / (2 * Math.cos(Math.PI / 8))) + analogDb(band, f, fs, 1 / (2 * Math.cos((3 * Math.PI) / 8)));
  }
  return analogDb(band, f, fs);
}

function logFrequencies(fs: number, count = 200): number[] {
  const top = 0.45 * fs;
  return Array.from({ length: count }, (_, i) => 10 * Math.pow(top / 10, i / (count - 1)));
}

const band = (b: Partial<EqBand> & Pick<EqBand, 'type'>): EqBand => ({ freqHz: 1000, gainDb: 0, q: Math.SQRT1_2, slope: 12, enabled: true, ...b });

const CASES: EqBand[] = [
  band({ type: 'highpass', freqHz: 30, q: 0.7071 }),
  band({ type: 'highpass', freqHz: 80, slope: 24 }),
  band({ type: 'highpass', freqHz: 200, q: 2 }),
  band({ type: 'lowpass', freqHz: 12000, q: 0.5 }),
  band({ type: 'lowpass', freqHz: 18000, slope: 24 }),
  band({ type: 'lowpass', freqHz: 20000, q: 0.7071 }),
  band({ type: 'peak', freqHz: 400, gainDb: -4, q: 1.4 }),
  band({ type: 'peak', freqHz: 2500, gainDb: -6, q: 2 }),
  band({ type: 'peak', freqHz: 90, gainDb: 18, q: 0.1 }),
  band({ type: 'peak', freqHz: 8000, gainDb: -18, q: 10 }),
  band({ type: 'lowshelf', freqHz: 120, gainDb: 6, q: 0.7071 }),
  band({ type: 'lowshelf', freqHz: 250, gainDb: -9, q: 1.5 }),
  band({ type: 'highshelf', freqHz: 10000, gainDb: 3, q: 0.7071 }),
  band({ type: 'highshelf', freqHz: 4000, gainDb: -12, q: 0.4 }),
];

describe('cookbook designs against their analog prototypes', () => {
  for (const fs of RATES) {
    for (const c of CASES) {
      it(`${c.type} ${c.freqHz} Hz ${c.gainDb} dB Q ${c.q} ${c.slope} dB/oct at ${fs / 1000} kHz`, () => {
        const freqs = logFrequencies(fs);
        const digital = magnitudeDb([c], freqs, fs);
        let worst = 0;
        freqs.forEach((f, i) => {
          const expected = analogBandDb(c, f, fs);
          // Far down a pass filter's skirt both are below −120 dB; compare where it matters.
          if (expected > -120) worst = Math.max(worst, Math.abs(digital[i] - expected));
        });
        expect(worst).toBeLessThan(TOLERANCE_DB);
      });
    }
  }

  it('hits the textbook points: −3.01 dB at a Butterworth corner, the full gain at a peak centre, half the gain at a shelf corner', () => {
    const fs = 48000;
    expect(magnitudeDb([band({ type: 'highpass', freqHz: 100 })], [100], fs)[0]).toBeCloseTo(-3.0103, 3);
    expect(magnitudeDb([band({ type: 'lowpass', freqHz: 5000, slope: 24 })], [5000], fs)[0]).toBeCloseTo(-3.0103, 3);
    expect(magnitudeDb([band({ type: 'peak', freqHz: 2500, gainDb: -5, q: 1 })], [2500], fs)[0]).toBeCloseTo(-5, 6);
    expect(magnitudeDb([band({ type: 'lowshelf', freqHz: 120, gainDb: 6 })], [120], fs)[0]).toBeCloseTo(3, 6);
    expect(magnitudeDb([band({ type: 'highshelf', freqHz: 120, gainDb: 6 })], [20, 20000], fs)[1]).toBeCloseTo(6, 2);
  });

  it('falls at 12 or 24 dB per octave well below a high-pass corner', () => {
    const fs = 48000;
    const octaveDrop = (slope: 12 | 24) => {
      const [quarter, eighth] = magnitudeDb([band({ type: 'highpass', freqHz: 800, slope })], [100, 50], fs);
      return quarter - eighth;
    };
    expect(octaveDrop(12)).toBeCloseTo(12, 0);
    expect(octaveDrop(24)).toBeCloseTo(24, 0);
  });
});

describe('designBand', () => {
  it('returns one section, two for 24 dB/oct pass filters, the identity for disabled or 0 dB bands', () => {
    expect(designBand(band({ type: 'peak', gainDb: 3 }), 48000)).toHaveLength(1);
    expect(designBand(band({ type: 'lowpass', slope: 24 }), 48000)).toHaveLength(2);
    expect(designBand(band({ type: 'highpass', slope: 24, enabled: false }), 48000)).toEqual([IDENTITY_BIQUAD]);
    expect(designBand(band({ type: 'lowshelf', gainDb: 0 }), 48000)).toEqual([IDENTITY_BIQUAD]);
    expect(designBand(band({ type: 'peak', gainDb: 0 }), 48000)).toEqual([IDENTITY_BIQUAD]);
  });

  it('keeps a 20 kHz band at 44.1 kHz where it is set, and acts at 0.49·fs where the rate cannot reach it', () => {
    const at44 = magnitudeDb([band({ type: 'lowpass', freqHz: 20000 })], [20000], 44100)[0];
    expect(at44).toBeCloseTo(-3.0103, 3);
    const at32 = designBand(band({ type: 'highshelf', freqHz: 20000, gainDb: 6 }), 32000)[0];
    expect(at32).toEqual(highShelf(0.49 * 32000, 6, Math.SQRT1_2, 32000));
    for (const c of [at32, lowpass(20000, 0.7, 32000), highpass(20000, 0.7, 32000)]) {
      expect(Object.values(c).every(Number.isFinite)).toBe(true);
      expect(Math.abs(c.a2)).toBeLessThan(1);
    }
  });

  it('refuses designs that cannot exist, with RangeError', () => {
    expect(() => lowpass(1000, 0.7, 0)).toThrow(RangeError);
    expect(() => lowpass(1000, 0.7, 1e7)).toThrow(/sample rate/);
    expect(() => highpass(-5, 0.7, 48000)).toThrow(/frequency -5 Hz/);
    expect(() => peak(1000, 3, 0, 48000)).toThrow(/Q 0/);
    expect(() => lowShelf(1000, Number.NaN, 0.7, 48000)).toThrow(/gain NaN/);
    expect(() => designBand({ ...band({ type: 'highpass' }), slope: 18 as 12 }, 48000)).toThrow(/slope 18/);
  });
});

describe('magnitudeDb', () => {
  it('is flat for the default preset and the sum of its bands otherwise', () => {
    const fs = 48000;
    const freqs = logFrequencies(fs, 50);
    expect(Math.max(...magnitudeDb(defaultPreset().eq, freqs, fs).map(Math.abs))).toBe(0);
    const bands = CASES.slice(6, 11);
    const combined = magnitudeDb(bands, freqs, fs);
    freqs.forEach((f, i) => {
      const sum = bands.reduce((db, b) => db + analogBandDb(b, f, fs), 0);
      expect(combined[i]).toBeCloseTo(sum, 6);
    });
  });

  it('is computed from the sections the audio runs', () => {
    const fs = 96000;
    const b = band({ type: 'lowpass', freqHz: 3000, slope: 24 });
    const [first, second] = designBand(b, fs);
    const expected = 20 * Math.log10(biquadMagnitude(first, 5000, fs) * biquadMagnitude(second, 5000, fs));
    expect(magnitudeDb([b], [5000], fs)[0]).toBe(expected);
  });
});
