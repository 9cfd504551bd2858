import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TruePeakLimiter } from '../../src/dsp/limiter';
import { LoudnessMeter } from '../../src/dsp/loudness';
import { designInterpolator } from '../../src/dsp/truepeak';
import { dbToGain, gainToDb } from '../../src/dsp/units';
import { defaultPreset, type LimiterSettings } from '../../src/shared/preset';
import { chunkSizes, maxStep, processInChunks } from '../support/chunks';
import { prng, sineAtPhase } from '../support/ebu-signals';

/** Output true peak may exceed the ceiling by at most this (the brief's tolerance). */
const TOLERANCE_DB = 0.05;

function settings(overrides: Partial<LimiterSettings> = {}): LimiterSettings {
  return { ...defaultPreset().limiter, ...overrides };
}

/** Limits `x` and flushes the lookahead, so the output holds every input sample. */
function limit(x: Float32Array[], s: LimiterSettings, sampleRate: number): Float32Array[] {
  const limiter = new TruePeakLimiter(s, sampleRate, x.length);
  const frames = x[0].length + limiter.latencySamples;
  const input = x.map((c) => {
    const padded = new Float32Array(frames);
    padded.set(c);
    return padded;
  });
  const output = input.map(() => new Float32Array(frames));
  limiter.process(input, output, frames);
  return output;
}

function truePeakDb(x: Float32Array[], sampleRate: number): number {
  const meter = new LoudnessMeter({ sampleRate, channels: x.length });
  meter.process(x, x[0].length);
  return meter.finish().truePeak;
}

/** True peak (dB) of the interpolated points from sample `from` on, with the real samples before it as history. */
function truePeakFromDb(x: Float32Array[], from: number, factor: 2 | 4 = 4): number {
  const interpolator = designInterpolator(factor);
  let peak = 0;
  for (const y of x) {
    for (let n = from + interpolator.tapsPerPhase; n < y.length; n++) {
      for (const h of interpolator.phases) {
        let sum = 0;
        for (let k = 0; k < h.length; k++) sum += h[k] * y[n - k];
        peak = Math.max(peak, Math.abs(sum));
      }
    }
  }
  return gainToDb(peak);
}

function stereo(frames: number, f: (i: number, channel: number) => number): Float32Array[] {
  return [0, 1].map((c) => Float32Array.from({ length: frames }, (_, i) => f(i, c)));
}

/** The inputs that break naive limiters: overs, steps, impulses and inter-sample peaks. */
function adversarialSignals(fs: number): [string, Float32Array[]][] {
  const n = Math.round(fs / 4);
  const random = prng(5);
  const alternating = () => {
    let a = 1;
    return stereo(n, (i) => {
      if (i % 7 === 0) a = 20 * random();
      return a * (i % 2 ? 1 : -1);
    });
  };
  return [
    ['+20 dB square wave', stereo(n, (i) => 10 * (Math.floor((i * 100) / fs) % 2 ? 1 : -1))],
    ['full-scale square wave', stereo(n, (i) => (Math.floor(i / 37) % 2 ? 1 : -1))],
    ['+20 dB impulses', stereo(n, (i) => (i % 1000 === 500 ? 10 : 0))],
    ['impulse doublets', stereo(n, (i) => (i % 997 === 500 ? 10 : i % 997 === 501 ? -10 : 0))],
    ['fs/4 at 45°, 1.41 FS', stereo(n, (i) => 1.41 * Math.sin((Math.PI / 2) * i + Math.PI / 4))],
    ['fs/4 at 45°, +20 dB', stereo(n, (i) => 14.1 * Math.sin((Math.PI / 2) * i + Math.PI / 4))],
    ['+20 dB noise', stereo(n, () => 10 * (random() * 2 - 1))],
    ['noise bursts', stereo(n, (i) => (Math.floor(i / 300) % 3 === 0 ? 10 : 0.3) * (random() * 2 - 1))],
    ['near-Nyquist crescendo', stereo(n, (i) => (i % 2 ? 1 : -1) * Math.min(10, 0.1 * Math.exp(i / 2000)))],
    ['Nyquist bursts of random height', alternating()],
    ['high tone bursts', stereo(n, (i) => (i % 480 < 240 ? 8 : 0.5) * Math.sin((2 * Math.PI * 11000 * i) / fs + 0.3))],
    ['opposite-polarity channels', stereo(n, (i, c) => (c ? -1 : 1) * 6 * Math.sin((2 * Math.PI * 5000 * i) / fs))],
  ];
}

describe('TruePeakLimiter ceiling', () => {
  for (const fs of [44100, 48000, 96000, 192000]) {
    it(`holds −1 dBTP against adversarial inputs at ${fs / 1000} kHz`, () => {
      for (const [name, x] of adversarialSignals(fs)) {
        expect(truePeakDb(limit(x, settings({ lookaheadMs: 0.5, releaseMs: 5 }), fs), fs), name).toBeLessThanOrEqual(-1 + TOLERANCE_DB);
      }
    });
  }

  it('holds any ceiling for random programme and settings', () => {
    const kinds = ['noise', 'sine', 'square', 'impulses', 'nyquist'] as const;
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom(...kinds),
          levelDb: fc.double({ min: -10, max: 20, noNaN: true }),
          freq: fc.double({ min: 0.001, max: 0.499, noNaN: true }),
          phase: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
          seed: fc.integer(),
          ceilingDbtp: fc.double({ min: -20, max: 0, noNaN: true }),
          lookaheadMs: fc.double({ min: 0.5, max: 10, noNaN: true }),
          releaseMs: fc.double({ min: 1, max: 1000, noNaN: true }),
          fs: fc.constantFrom(44100, 48000, 96000),
        }),
        (c) => {
          const random = prng(c.seed);
          let amplitude = dbToGain(c.levelDb);
          const x = stereo(6000, (i, channel) => {
            if (channel === 0 && random() < 0.003) amplitude = dbToGain(c.levelDb - 30 * random());
            const t = 2 * Math.PI * c.freq * i + c.phase;
            switch (c.kind) {
              case 'noise':
                return amplitude * (random() * 2 - 1);
              case 'sine':
                return amplitude * Math.sin(t + channel);
              case 'square':
                return amplitude * Math.sign(Math.sin(t));
              case 'impulses':
                return random() < 0.01 ? amplitude * (random() < 0.5 ? -1 : 1) : 0;
              case 'nyquist':
                return amplitude * (i % 2 ? 1 : -1) * (random() < 0.3 ? 0.2 : 1);
            }
          });
          const s = settings({ ceilingDbtp: c.ceilingDbtp, lookaheadMs: c.lookaheadMs, releaseMs: c.releaseMs });
          expect(truePeakDb(limit(x, s, c.fs), c.fs)).toBeLessThanOrEqual(c.ceilingDbtp + TOLERANCE_DB);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds any ceiling against the Tech 3341 inter-sample-peak signals, full-scale squares and impulses, driven up to +20 dB', () => {
    // Cases 15–19 of EBU Tech 3341: sines whose peaks fall between samples, by frequency (as a
    // fraction of the rate), amplitude and starting phase.
    const tech3341: [fraction: number, amplitude: number, phaseDeg: number][] = [
      [1 / 4, 0.5, 0],
      [1 / 4, 0.5, 45],
      [1 / 6, 0.5, 60],
      [1 / 8, 0.5, 67.5],
      [1 / 4, Math.SQRT2, 45],
    ];
    fc.assert(
      fc.property(
        fc.record({
          signal: fc.oneof(fc.constantFrom(...tech3341.keys()).map((k) => ({ kind: 'tech3341' as const, k })), fc.constantFrom({ kind: 'square' as const, k: 0 }, { kind: 'impulses' as const, k: 0 })),
          overDb: fc.double({ min: 0, max: 20, noNaN: true }),
          ceilingDbtp: fc.double({ min: -20, max: 0, noNaN: true }),
          lookaheadMs: fc.double({ min: 0.5, max: 10, noNaN: true }),
          releaseMs: fc.double({ min: 1, max: 1000, noNaN: true }),
          fs: fc.constantFrom(44100, 48000, 96000),
        }),
        ({ signal, overDb, ceilingDbtp, lookaheadMs, releaseMs, fs }) => {
          const gain = dbToGain(overDb);
          let x: Float32Array[];
          if (signal.kind === 'tech3341') {
            const [fraction, amplitude, phaseDeg] = tech3341[signal.k];
            x = sineAtPhase(fs, 0.1, fraction * fs, amplitude, phaseDeg).channels.map((c) => c.map((v) => v * gain));
          } else if (signal.kind === 'square') {
            x = stereo(Math.round(fs / 10), (i) => gain * (Math.floor((i * 200) / fs) % 2 ? 1 : -1));
          } else {
            x = stereo(Math.round(fs / 10), (i) => (i % 441 === 100 ? gain : i % 441 === 300 ? -gain : 0));
          }
          const s = settings({ ceilingDbtp, lookaheadMs, releaseMs });
          expect(truePeakDb(limit(x, s, fs), fs)).toBeLessThanOrEqual(ceilingDbtp + TOLERANCE_DB);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('holds against a hill-climbing search for the worst input (short lookahead, fast release)', () => {
    // One stage alone reached +0.1 dB here: a burst of near-Nyquist samples growing faster than
    // the lookahead ramp. The catching stage must take that back.
    const fs = 48000;
    const random = prng(12);
    const s = settings({ lookaheadMs: 0.5, releaseMs: 5.6 });
    const overshoot = (x: Float32Array) => truePeakFromDb(limit([x], s, fs), 0) + 1;
    let x = Float32Array.from({ length: 300 }, () => (random() * 2 - 1) * dbToGain(random() * 30 - 10));
    let worst = overshoot(x);
    for (let step = 0; step < 1500; step++) {
      const candidate = x.slice();
      for (let k = 0; k <= 3 * random(); k++) {
        const i = Math.floor(random() * candidate.length);
        candidate[i] = random() < 0.3 ? (random() * 2 - 1) * 20 : candidate[i] * (0.5 + random()) * (random() < 0.2 ? -1 : 1);
      }
      const o = overshoot(candidate);
      if (o > worst) [x, worst] = [candidate, o];
    }
    expect(truePeakDb(limit([x], s, fs), fs)).toBeLessThanOrEqual(-1 + TOLERANCE_DB);
  });
});

describe('TruePeakLimiter', () => {
  it('passes programme under the ceiling bit for bit, delayed by its latency', () => {
    const fs = 48000;
    const random = prng(3);
    const x = stereo(10000, () => 0.5 * (random() * 2 - 1));
    const limiter = new TruePeakLimiter(settings(), fs, 2);
    const latency = limiter.latencySamples;
    // 1.5 ms window + the detector's 15-sample interpolation span, plus the catcher's 16 + 14.
    expect(latency).toBe(72 + 14 + 16 + 14);
    const y = x.map((c) => new Float32Array(c.length));
    limiter.process(x, y, x[0].length);
    for (let c = 0; c < 2; c++) expect(y[c].subarray(latency)).toEqual(x[c].subarray(0, x[c].length - latency));
    expect(limiter.gainReduction.takeMaxDb()).toBe(0);
  });

  it('uses one stage at 192 kHz, where the true peak is the sample peak', () => {
    expect(new TruePeakLimiter(settings(), 192000, 2).latencySamples).toBe(288 - 1);
  });

  it('takes a tone 6 dB over the ceiling down by 6 dB, and reads it out', () => {
    const fs = 48000;
    const amplitude = dbToGain(-1 + 6);
    const x = stereo(24000, (i) => amplitude * Math.sin((2 * Math.PI * 997 * i) / fs));
    const limiter = new TruePeakLimiter(settings(), fs, 2);
    const y = x.map((c) => new Float32Array(c.length));
    limiter.process(x, y, 24000);
    expect(limiter.gainReduction.currentDb).toBeCloseTo(6, 1);
    expect(limiter.gainReduction.takeMaxDb()).toBeCloseTo(6, 1);
    expect(gainToDb(Math.max(...y[0].subarray(12000).map(Math.abs)))).toBeCloseTo(-1, 1);
  });

  it('releases towards unity with the set time constant', () => {
    const fs = 48000;
    const x = stereo(48000, (i) => (i < 4800 ? 4 : 0.1) * Math.sin((2 * Math.PI * 100 * i) / fs));
    const limiter = new TruePeakLimiter(settings({ releaseMs: 100 }), fs, 2);
    const y = x.map((c) => new Float32Array(c.length));
    const latency = limiter.latencySamples;
    limiter.process(x, y, 48000);
    const deepest = dbToGain(-1) / 4;
    // 100 ms after the burst (at a crest of the tone), 1/e of the gain's distance from unity
    // is left; the hold and ramp delay the start by ~2 % of the release time.
    const i = 4800 + 4800 + 120;
    const gap = 1 - y[0][i + latency] / x[0][i];
    expect(gap / ((1 - deepest) * Math.exp(-(i - 4800) / 4800))).toBeCloseTo(1, 1);
  });

  it('gives the same output in one block as in random-size chunks, across a settings change', () => {
    fc.assert(
      fc.property(fc.double({ min: -12, max: 0, noNaN: true }), fc.boolean(), fc.integer({ min: 1, max: 2 }), chunkSizes, (ceiling, enabled, channels, sizes) => {
        const random = prng(9);
        const x = Array.from({ length: channels }, () => Float32Array.from({ length: 8000 }, (_, i) => (i % 3000 < 900 ? 3 : 0.2) * (random() * 2 - 1)));
        const run = (split: readonly number[]) => {
          const limiter = new TruePeakLimiter(settings(), 44100, channels, 512);
          const first = processInChunks(x.map((c) => c.subarray(0, 4000)), split, (i, o, n) => limiter.process(i, o, n));
          limiter.setSettings(settings({ ceilingDbtp: ceiling, enabled, releaseMs: 30 }));
          const second = processInChunks(x.map((c) => c.subarray(4000)), split, (i, o, n) => limiter.process(i, o, n));
          return first.map((c, k) => Float32Array.of(...c, ...second[k]));
        };
        expect(run(sizes)).toEqual(run([8000]));
      }),
      { numRuns: 40 },
    );
  });

  it('keeps its latency when switched off, and limits from rest when switched in', () => {
    const fs = 48000;
    const x = stereo(48000, (i) => 2 * Math.sin((2 * Math.PI * 100 * i) / fs));
    const limiter = new TruePeakLimiter(settings({ enabled: false }), fs, 2);
    const latency = limiter.latencySamples;
    const y = x.map((c) => new Float32Array(c.length));
    limiter.process(x.map((c) => c.subarray(0, 12000)), y.map((c) => c.subarray(0, 12000)), 12000);
    expect(y[0].subarray(latency, 12000)).toEqual(x[0].subarray(0, 12000 - latency));
    limiter.setSettings(settings());
    limiter.process(x.map((c) => c.subarray(12000)), y.map((c) => c.subarray(12000)), 36000);
    expect(limiter.latencySamples).toBe(latency);
    // What was already in the delay line leaves unlimited; everything after is under the ceiling.
    expect(truePeakFromDb(y, 12000 + latency + 16)).toBeLessThanOrEqual(-1 + TOLERANCE_DB);
  });

  it('starts from what the music just played asked for when it listened first (a recall’s new path)', () => {
    const fs = 48000;
    const slow = settings({ releaseMs: 1000 });
    const burst = stereo(4800, (i) => (i < 480 ? 4 : 1.5) * Math.sin((2 * Math.PI * 100 * i) / fs));
    const listened = new TruePeakLimiter(slow, fs, 2);
    listened.listen(burst, 4800);
    const after = stereo(480, (i) => 1.5 * Math.sin((2 * Math.PI * 100 * i) / fs));
    const y = after.map((c) => new Float32Array(c.length));
    listened.process(after, y, 480);
    // The 4× burst 90 ms ago still holds the gain near ceiling/4 under a 1 s release, as a limiter that had played it would.
    const played = new TruePeakLimiter(slow, fs, 2);
    played.process(burst, burst.map((c) => new Float32Array(c.length)), 4800);
    played.process(after, after.map((c) => new Float32Array(c.length)), 480);
    expect(listened.gainReduction.currentDb).toBeCloseTo(played.gainReduction.currentDb, 0);
    expect(listened.gainReduction.currentDb).toBeGreaterThan(10);
  });

  it('applies a new lookahead at reset, since it changes the latency Live compensates', () => {
    const limiter = new TruePeakLimiter(settings({ lookaheadMs: 1.5 }), 48000, 2);
    const before = limiter.latencySamples;
    limiter.setSettings(settings({ lookaheadMs: 5 }));
    expect(limiter.latencySamples).toBe(before);
    limiter.reset();
    expect(limiter.latencySamples).toBe(before + 240 - 72);
  });

  it('refuses impossible settings and buffers', () => {
    expect(() => new TruePeakLimiter(settings({ ceilingDbtp: 1 }), 48000, 2)).toThrow(/ceiling 1 dBTP/);
    expect(() => new TruePeakLimiter(settings({ lookaheadMs: 20 }), 48000, 2)).toThrow(/lookahead 20 ms/);
    expect(() => new TruePeakLimiter(settings(), 48000, 0)).toThrow(/0 channels/);
    const limiter = new TruePeakLimiter(settings(), 48000, 2);
    expect(() => limiter.process([new Float32Array(8)], [new Float32Array(8)], 8)).toThrow(/needs 2 channels/);
  });
});
