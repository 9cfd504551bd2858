import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Equalizer, eqCoefficients } from '../../src/dsp/eq';
import { magnitudeDb } from '../../src/dsp/filters';
import { defaultPreset, type EqBand } from '../../src/shared/preset';
import { chunkSizes, processInChunks } from '../support/chunks';
import { prng } from '../support/ebu-signals';
import { eqBandArbitrary } from '../support/preset-arbitrary';

const RATE = 48000;

function noise(channels: number, frames: number, seed: number): Float32Array[] {
  const random = prng(seed);
  return Array.from({ length: channels }, () => Float32Array.from({ length: frames }, () => 0.5 * (random() * 2 - 1)));
}

/** The "vocal space" preset a FOH engineer might switch to for a dense chorus. */
function carvedBands(): EqBand[] {
  const bands = defaultPreset().eq;
  bands[0] = { ...bands[0], enabled: true, freqHz: 120, slope: 24 };
  bands[1].gainDb = 6;
  bands[2] = { ...bands[2], gainDb: -9, q: 2 };
  bands[3].gainDb = 6;
  bands[4].gainDb = -6;
  return bands;
}

/** Amplitude of the `freq` component of x over a whole number of its periods at the end. */
function amplitudeAt(x: ArrayLike<number>, freq: number, sampleRate: number): number {
  const periods = Math.max(1, Math.floor(0.2 * freq));
  const length = Math.round((periods * sampleRate) / freq);
  let sin = 0;
  let cos = 0;
  for (let i = x.length - length; i < x.length; i++) {
    const w = (2 * Math.PI * freq * i) / sampleRate;
    sin += x[i] * Math.sin(w);
    cos += x[i] * Math.cos(w);
  }
  return (2 / length) * Math.hypot(sin, cos);
}

describe('Equalizer', () => {
  it('passes audio through bit for bit when flat, running no section', () => {
    const x = noise(2, 4096, 1);
    const eq = new Equalizer(defaultPreset().eq, RATE, 2);
    const y = x.map((c) => new Float32Array(c.length));
    eq.process(x, y, 4096);
    expect(y).toEqual(x);
  });

  it('shapes a sine by exactly the response magnitudeDb draws (0.01 dB) at 44.1, 48 and 96 kHz', () => {
    const bands = carvedBands();
    for (const fs of [44100, 48000, 96000]) {
      for (const freq of [60, 150, 400, 2500, 9000]) {
        const frames = Math.round(1.5 * fs);
        const x = Float64Array.from({ length: frames }, (_, i) => Math.sin((2 * Math.PI * freq * i) / fs));
        const y = new Float64Array(frames);
        new Equalizer(bands, fs, 1).process([x], [y], frames);
        const measured = 20 * Math.log10(amplitudeAt(y, freq, fs));
        expect(Math.abs(measured - magnitudeDb(bands, [freq], fs)[0]), `${freq} Hz at ${fs} Hz`).toBeLessThan(0.01);
      }
    }
  });

  it('gives the same output in one block as in random-size chunks, across a change of bands', () => {
    fc.assert(
      fc.property(
        fc.array(eqBandArbitrary, { minLength: 5, maxLength: 5 }),
        fc.array(eqBandArbitrary, { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 6000 }),
        chunkSizes,
        (first, second, channels, changeAt, sizes) => {
          const x = noise(channels, 8000, 7);
          const run = (split: readonly number[]) => {
            const eq = new Equalizer(first, RATE, channels);
            const before = processInChunks(x.map((c) => c.subarray(0, changeAt)), split, (i, o, n) => eq.process(i, o, n));
            eq.setBands(second);
            const after = processInChunks(x.map((c) => c.subarray(changeAt)), split, (i, o, n) => eq.process(i, o, n));
            return before.map((c, k) => Float32Array.of(...c, ...after[k]));
          };
          expect(run(sizes)).toEqual(run([8000]));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('lists coefficients section by section for the device, identity where a band needs one section', () => {
    const flat = eqCoefficients(carvedBands(), RATE);
    expect(flat).toHaveLength(50);
    expect(Array.from(flat.subarray(15, 20))).toEqual([1, 0, 0, 0, 0]);
    expect(() => eqCoefficients(carvedBands().slice(1), RATE)).toThrow(/4 bands/);
  });

  it('redesigns its bands for a new sample rate', () => {
    const eq = new Equalizer(defaultPreset().eq, 44100, 1);
    eq.setBands(carvedBands());
    eq.setSampleRate(96000);
    const x = Float64Array.from({ length: 96000 }, (_, i) => Math.sin((2 * Math.PI * 2500 * i) / 96000));
    const y = new Float64Array(x.length);
    eq.process([x], [y], x.length);
    expect(20 * Math.log10(amplitudeAt(y, 2500, 96000))).toBeCloseTo(magnitudeDb(carvedBands(), [2500], 96000)[0], 2);
  });
});
