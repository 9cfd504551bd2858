import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Compressor, compressorCurveDb, gainReductionDb } from '../../src/dsp/compressor';
import { dbToGain, gainToDb } from '../../src/dsp/units';
import { defaultPreset, type CompressorSettings } from '../../src/shared/preset';
import { chunkSizes, maxStep, processInChunks } from '../support/chunks';
import { prng } from '../support/ebu-signals';
import { presetArbitrary } from '../support/preset-arbitrary';

const RATE = 48000;

function settings(overrides: Partial<CompressorSettings> = {}): CompressorSettings {
  return { ...defaultPreset().compressor, enabled: true, ...overrides };
}

/** Giannoulis, Massberg & Reiss 2012, eq. 4, written out as in the paper. */
function paperCurve(x: number, t: number, r: number, w: number): number {
  if (2 * (x - t) < -w) return x;
  // With no knee (w = 0) the middle branch is empty: at x = t it would be 0/0.
  if (w > 0 && 2 * Math.abs(x - t) <= w) return x + ((1 / r - 1) * (x - t + w / 2) ** 2) / (2 * w);
  return t + (x - t) / r;
}

/** Output level the compressor settles to for a constant input level (the detector sees |x|). */
function settledLevelDb(levelDb: number, s: CompressorSettings): number {
  const frames = RATE; // far beyond 5 time constants of the slowest settings used here
  const x = new Float64Array(frames).fill(dbToGain(levelDb));
  const y = new Float64Array(frames);
  new Compressor(s, RATE, 1).process([x], [y], frames);
  return gainToDb(y[frames - 1]);
}

describe('compressor static curve', () => {
  it('matches the paper’s soft-knee formula for any threshold, ratio, knee and level', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -60, max: 0, noNaN: true }),
        fc.double({ min: 1, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 24, noNaN: true }),
        fc.double({ min: -100, max: 20, noNaN: true }),
        (t, r, w, x) => {
          expect(compressorCurveDb(x, t, r, w)).toBeCloseTo(paperCurve(x, t, r, w), 9);
          expect(gainReductionDb(x, t, r, w)).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is continuous with a continuous slope through the knee', () => {
    const [t, r, w] = [-20, 4, 10];
    for (const edge of [t - w / 2, t + w / 2]) {
      const below = compressorCurveDb(edge - 1e-7, t, r, w);
      const above = compressorCurveDb(edge + 1e-7, t, r, w);
      expect(Math.abs(above - below)).toBeLessThan(1e-6);
      const slopeBelow = (compressorCurveDb(edge - 1e-4, t, r, w) - compressorCurveDb(edge - 2e-4, t, r, w)) / 1e-4;
      const slopeAbove = (compressorCurveDb(edge + 2e-4, t, r, w) - compressorCurveDb(edge + 1e-4, t, r, w)) / 1e-4;
      expect(slopeAbove).toBeCloseTo(slopeBelow, 3);
    }
  });

  it('is what the processor settles to for any settings and level, makeup and stereo link included', () => {
    fc.assert(
      fc.property(
        fc.record({
          thresholdDb: fc.double({ min: -60, max: 0, noNaN: true }),
          ratio: fc.double({ min: 1, max: 20, noNaN: true }),
          kneeDb: fc.double({ min: 0, max: 24, noNaN: true }),
          attackMs: fc.double({ min: 0.1, max: 200, noNaN: true }),
          makeupDb: fc.double({ min: 0, max: 24, noNaN: true }),
          stereoLink: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.double({ min: -70, max: 0, noNaN: true }),
        (curve, levelDb) => {
          const s = settings({ ...curve, releaseMs: 100 });
          // 25 attack time constants: the detector is within e^−25 of where it is going.
          const frames = Math.ceil((25 * s.attackMs * RATE) / 1000);
          const x = new Float64Array(frames).fill(dbToGain(levelDb));
          const y = [new Float64Array(frames), new Float64Array(frames)];
          new Compressor(s, RATE, 2).process([x, x], y, frames);
          const expected = compressorCurveDb(levelDb, s.thresholdDb, s.ratio, s.kneeDb) + s.makeupDb;
          for (const channel of y) expect(gainToDb(channel[frames - 1])).toBeCloseTo(expected, 6);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('Compressor', () => {
  it('attacks and releases with the set time constants (1 − 1/e of a step)', () => {
    const s = settings({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 10, releaseMs: 100 });
    const frames = RATE;
    const x = new Float64Array(frames);
    x.fill(dbToGain(-30), 0, 12000);
    x.fill(1, 12000, 36000);
    x.fill(dbToGain(-30), 36000);
    const y = new Float64Array(frames);
    new Compressor(s, RATE, 1).process([x], [y], frames);
    const reductionAt = (i: number) => gainToDb(x[i]) - gainToDb(y[i]);
    const full = gainReductionDb(0, -20, 4, 0);
    expect(reductionAt(12000 + 480 - 1)).toBeCloseTo(full * (1 - 1 / Math.E), 1);
    expect(reductionAt(35999)).toBeCloseTo(full, 3);
    expect(reductionAt(36000 + 4800 - 1)).toBeCloseTo(full / Math.E, 1);
  });

  it('links stereo: at 1 both channels move together, at 0 the quiet channel is untouched', () => {
    const frames = 9600;
    const loud = new Float64Array(frames).fill(1);
    const quiet = new Float64Array(frames).fill(0.01);
    const gains = (link: number) => {
      const out = [new Float64Array(frames), new Float64Array(frames)];
      new Compressor(settings({ stereoLink: link, thresholdDb: -20, kneeDb: 0 }), RATE, 2).process([loud, quiet], out, frames);
      return [out[0][frames - 1] / loud[0], out[1][frames - 1] / quiet[0]];
    };
    const [l1, r1] = gains(1);
    expect(r1).toBeCloseTo(l1, 12);
    expect(gainToDb(l1)).toBeCloseTo(-10, 1);
    const [l0, r0] = gains(0);
    expect(l0).toBeCloseTo(l1, 12);
    expect(r0).toBe(1);
    const [, rHalf] = gains(0.5);
    expect(gainToDb(rHalf)).toBeCloseTo(-(gainToDb(0.505) + 20) / 2, 1);
  });

  it('passes audio untouched while switched off', () => {
    const x = Float64Array.from({ length: 12000 }, (_, i) => 0.9 * Math.sin((2 * Math.PI * 100 * i) / RATE));
    const y = new Float64Array(x.length);
    new Compressor(settings({ enabled: false, thresholdDb: -30, ratio: 8, makeupDb: 6 }), RATE, 1).process([x], [y], x.length);
    expect(y).toEqual(x);
  });

  it('starts a new detector where another one is, and attacks fast while told to (a recall’s new path)', () => {
    const loud = Float64Array.from({ length: 4800 }, (_, i) => 0.9 * Math.sin((2 * Math.PI * 100 * i) / RATE));
    const running = new Compressor(settings({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 5 }), RATE, 1);
    running.process([loud], [new Float64Array(4800)], 4800);
    const slow = settings({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 200 });
    const seeded = new Compressor(slow, RATE, 1);
    seeded.startFrom(running);
    seeded.process([loud.subarray(0, 1)], [new Float64Array(1)], 1);
    expect(seeded.gainReduction.currentDb).toBeCloseTo(running.gainReduction.currentDb, 0);
    // From rest, a 200 ms attack needs most of a second to reach the curve; told to attack fast, a few ms.
    const fresh = new Compressor(slow, RATE, 1);
    fresh.fastAttack = true;
    fresh.process([loud.subarray(0, 480)], [new Float64Array(480)], 480);
    const resting = new Compressor(slow, RATE, 1);
    resting.process([loud.subarray(0, 480)], [new Float64Array(480)], 480);
    expect(fresh.gainReduction.currentDb).toBeGreaterThan(4 * resting.gainReduction.currentDb);
  });

  it('reports gain reduction now and the most since the meter last looked', () => {
    const comp = new Compressor(settings({ thresholdDb: -20, ratio: 4, kneeDb: 0, attackMs: 0.1, releaseMs: 5 }), RATE, 1);
    const burst = new Float64Array(4800).fill(1);
    comp.process([burst], [new Float64Array(4800)], 4800);
    expect(comp.gainReduction.currentDb).toBeCloseTo(15, 3);
    const quiet = new Float64Array(48000).fill(0.001);
    comp.process([quiet], [new Float64Array(48000)], 48000);
    expect(comp.gainReduction.currentDb).toBeLessThan(0.001);
    expect(comp.gainReduction.takeMaxDb()).toBeCloseTo(15, 3);
    expect(comp.gainReduction.takeMaxDb()).toBeLessThan(0.001);
  });

  it('refuses settings no compressor can have, with RangeError', () => {
    expect(() => new Compressor(settings({ ratio: 0.5 }), RATE, 2)).toThrow(/ratio 0.5/);
    expect(() => new Compressor(settings({ attackMs: 0 }), RATE, 2)).toThrow(/attack 0 ms/);
    expect(() => new Compressor(settings(), RATE, 2).setSettings(settings({ stereoLink: 2 }))).toThrow(RangeError);
  });

  it('gives the same output in one block as in random-size chunks, across a settings change', () => {
    fc.assert(
      fc.property(presetArbitrary, presetArbitrary, fc.integer({ min: 1, max: 2 }), chunkSizes, (a, b, channels, sizes) => {
        const random = prng(11);
        const x = Array.from({ length: channels }, () => Float32Array.from({ length: 6000 }, (_, i) => (i % 2000 < 700 ? 1 : 0.05) * (random() * 2 - 1)));
        const run = (split: readonly number[]) => {
          const comp = new Compressor(a.compressor, RATE, channels);
          const first = processInChunks(x.map((c) => c.subarray(0, 3000)), split, (i, o, n) => comp.process(i, o, n));
          comp.setSettings(b.compressor);
          const second = processInChunks(x.map((c) => c.subarray(3000)), split, (i, o, n) => comp.process(i, o, n));
          return first.map((c, k) => Float32Array.of(...c, ...second[k]));
        };
        expect(run(sizes)).toEqual(run([6000]));
      }),
      { numRuns: 40 },
    );
  });
});
