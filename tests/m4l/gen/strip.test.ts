import { describe, expect, it } from 'vitest';
import { ProcessingChain } from '../../../src/dsp/chain';
import { rampLength } from '../../../src/dsp/ramp';
import { dbToGain } from '../../../src/dsp/units';
import { defaultPreset, parsePreset, type Preset } from '../../../src/shared/preset';
import { readyParams, recallTrigger, resetTrigger, stripParams, STRIP_OUTPUTS, STRIP_PARAM_NAMES } from '../../../m4l-device/gen/params';
import { prng } from '../../support/ebu-signals';
import { loadKernel, outputsFor, run, send } from './kernels';

const RATES = [44100, 48000, 96000];
const TOLERANCE = 1e-6;

/** EQ, compressor and limiter all engaged; +9 dB of trim drives the limiter well into its ceiling. */
const LOUD: Preset = parsePreset({
  version: 1,
  trimDb: 9,
  eq: [
    { type: 'highpass', freqHz: 80, slope: 24, enabled: true },
    { type: 'lowshelf', freqHz: 150, gainDb: 3 },
    { type: 'peak', freqHz: 400, gainDb: -4, q: 1.4 },
    { type: 'peak', freqHz: 3000, gainDb: 2.5, q: 0.8 },
    { type: 'highshelf', freqHz: 9000, gainDb: -2 },
  ],
  compressor: { enabled: true, thresholdDb: -18, ratio: 4, kneeDb: 6, attackMs: 3, releaseMs: 80, makeupDb: 2, stereoLink: 1 },
  limiter: { enabled: true, ceilingDbtp: -2, releaseMs: 40, lookaheadMs: 1.5 },
  rampMs: 25,
});

/** Another song: unlinked compressor, a 12 dB/oct low cut, a lower ceiling, a different ramp. */
const OTHER: Preset = parsePreset({
  version: 1,
  trimDb: 4,
  eq: [
    { type: 'highpass', freqHz: 120, slope: 12, q: 0.9, enabled: true },
    { type: 'lowshelf', freqHz: 200, gainDb: -3 },
    { type: 'peak', freqHz: 800, gainDb: 5, q: 2 },
    { type: 'peak', freqHz: 2500, gainDb: 0 },
    { type: 'highshelf', freqHz: 12000, gainDb: 4 },
  ],
  compressor: { enabled: true, thresholdDb: -24, ratio: 8, kneeDb: 0, attackMs: 1, releaseMs: 200, makeupDb: 5, stereoLink: 0.4 },
  limiter: { enabled: true, ceilingDbtp: -4, releaseMs: 120, lookaheadMs: 1.5 },
  rampMs: 40,
});

/** Everything out: trim only, flat EQ, compressor and limiter bypassed (the limiter keeps its delay). */
const BYPASSED: Preset = parsePreset({
  version: 1,
  trimDb: -3,
  compressor: { enabled: false },
  limiter: { enabled: false, ceilingDbtp: -1, releaseMs: 100, lookaheadMs: 1.5 },
  rampMs: 20,
});

/** Stereo test programme: sines, then noise, then impulses (each a third), left and right different. */
function programme(sampleRate: number, seconds: number, seed: number): Float32Array[] {
  const n = Math.round(sampleRate * seconds);
  const random = prng(seed);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  const third = Math.floor(n / 3);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    if (i < third) {
      left[i] = 0.45 * Math.sin(2 * Math.PI * 997 * t) + 0.3 * Math.sin(2 * Math.PI * 61 * t);
      right[i] = 0.5 * Math.sin(2 * Math.PI * 4001 * t + 1) + 0.2 * Math.sin(2 * Math.PI * 150 * t);
    } else if (i < 2 * third) {
      left[i] = 0.7 * (random() * 2 - 1);
      right[i] = 0.35 * (random() * 2 - 1);
    } else {
      left[i] = i % 997 === 0 ? 1 : 0;
      right[i] = i % 1511 === 0 ? -0.9 : 0;
    }
  }
  return [left, right];
}

interface Event {
  at: number;
  /** What the chain does, and what node sends the kernel for it. */
  chain(chain: ProcessingChain): void;
  kernel: [name: string, value: number][];
}

function recall(at: number, preset: Preset, sampleRate: number, sequence: number): Event {
  return { at, chain: (c) => c.setPreset(preset), kernel: [...stripParams(preset, sampleRate), recallTrigger(sequence)] };
}

interface Run {
  chain: Float32Array[];
  kernel: Float64Array[];
  compressorGr: Float64Array;
  limiterGr: Float64Array;
  chainLimiterMaxDb: number;
}

/** Plays `input` through a chain and the strip kernel, both starting on `start`, applying events in between. */
function compare(sampleRate: number, start: Preset, input: Float32Array[], events: Event[]): Run {
  const n = input[0].length;
  const chain = new ProcessingChain({ sampleRate, channels: 2, preset: start });
  const kernel = loadKernel('strip', sampleRate);
  send(kernel, [...stripParams(start, sampleRate), ...readyParams(true)]);
  const chainOut = [new Float32Array(n), new Float32Array(n)];
  const kernelOut = outputsFor(kernel, n);
  let chainLimiterMaxDb = 0;
  const boundaries = [0, ...events.map((e) => e.at), n];
  for (let k = 0; k + 1 < boundaries.length; k++) {
    if (k > 0) {
      events[k - 1].chain(chain);
      send(kernel, events[k - 1].kernel);
    }
    const from = boundaries[k];
    // Uneven chunks, so neither side can lean on block boundaries.
    for (let offset = from; offset < boundaries[k + 1]; ) {
      const frames = Math.min(boundaries[k + 1] - offset, 37 + ((offset * 7) % 700));
      chain.process(input.map((x) => x.subarray(offset, offset + frames)), chainOut.map((y) => y.subarray(offset, offset + frames)), frames);
      chainLimiterMaxDb = Math.max(chainLimiterMaxDb, chain.limiterReduction.takeMaxDb());
      run(kernel, input, kernelOut, offset, frames);
      offset += frames;
    }
  }
  return { chain: chainOut, kernel: kernelOut.slice(0, 2), compressorGr: kernelOut[2], limiterGr: kernelOut[3], chainLimiterMaxDb };
}

/** A third song for the waiting recalls: quieter, compressor out, a different ramp. */
const SOFTER: Preset = parsePreset({ ...OTHER, trimDb: -2, compressor: { ...OTHER.compressor, enabled: false }, rampMs: 30 });

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function peak(x: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]));
  return p;
}

function expectSame(result: Run): void {
  for (let c = 0; c < 2; c++) {
    expect(peak(result.chain[c])).toBeGreaterThan(0.05);
    expect(maxDifference(result.kernel[c], result.chain[c])).toBeLessThanOrEqual(TOLERANCE);
  }
}

describe('strip.genexpr matches src/dsp ProcessingChain sample for sample', () => {
  describe.each(RATES)('%i Hz', (rate) => {
    it('on sines, noise and impulses with EQ, compressor and limiter engaged and limiting', () => {
      const result = compare(rate, LOUD, programme(rate, 0.45, 1), []);
      expectSame(result);
      expect(peak(result.compressorGr)).toBeGreaterThan(3);
      expect(peak(result.limiterGr)).toBeGreaterThan(1);
      expect(Math.abs(peak(result.limiterGr) - result.chainLimiterMaxDb)).toBeLessThan(1e-6);
      // Limiting for real: the chain's output stays under its −2 dBTP ceiling (sample peaks here).
      expect(peak(result.chain[0])).toBeLessThanOrEqual(dbToGain(-2));
    });

    it('through preset changes mid-signal: a recall, another during the crossfade (waits, newest wins), switching stages out and back in', () => {
      const input = programme(rate, 0.6, 2);
      const at = (seconds: number) => Math.round(seconds * rate);
      const events = [
        recall(at(0.08), OTHER, rate, 1),
        recall(at(0.09), LOUD, rate, 2),
        recall(at(0.25), BYPASSED, rate, 3),
        recall(at(0.3), OTHER, rate, 4),
        recall(at(0.45), LOUD, rate, 5),
      ];
      expectSame(compare(rate, LOUD, input, events));
    });

    it('lets only the newest of two recalls that arrive during a fade play, once the fade ends', () => {
      const input = programme(rate, 0.4, 9);
      const at = (seconds: number) => Math.round(seconds * rate);
      const first = recall(at(0.08), OTHER, rate, 1);
      const replaced = recall(at(0.09), BYPASSED, rate, 2);
      const newest = recall(at(0.1), SOFTER, rate, 3);
      const both = compare(rate, LOUD, input, [first, replaced, newest]);
      expectSame(both);
      const onlyNewest = compare(rate, LOUD, input, [first, newest]);
      const onlyFirst = compare(rate, LOUD, input, [first]);
      const fadeEnd = first.at + new ProcessingChain({ sampleRate: rate, channels: 2, preset: LOUD }).latencySamples + rampLength(OTHER.rampMs, rate);
      // The pending recall waits: until the first fade ends the output is the first recall's alone.
      expect(fadeEnd).toBeGreaterThan(newest.at);
      for (let c = 0; c < 2; c++) {
        expect(maxDifference(both.kernel[c].subarray(0, fadeEnd), onlyFirst.kernel[c].subarray(0, fadeEnd))).toBe(0);
        // The replaced one never plays, the newest one does.
        expect(maxDifference(both.kernel[c], onlyNewest.kernel[c])).toBe(0);
        expect(maxDifference(both.kernel[c].subarray(fadeEnd), onlyFirst.kernel[c].subarray(fadeEnd))).toBeGreaterThan(0.05);
      }
    });

    it('changes nothing on a recall of settings that sound the same as the running ones', () => {
      const input = programme(rate, 0.3, 10);
      const at = Math.round(0.1 * rate);
      // Only the ramp and the lookahead differ (a new lookahead waits for a reset), or only the
      // settings of a compressor switched off in both.
      const noCompressor = parsePreset({ ...OTHER, compressor: { ...OTHER.compressor, enabled: false } });
      const cases: [Preset, Preset][] = [
        [LOUD, parsePreset({ ...LOUD, rampMs: 60, limiter: { ...LOUD.limiter, lookaheadMs: 3 } })],
        [noCompressor, parsePreset({ ...noCompressor, compressor: { ...OTHER.compressor, enabled: false, thresholdDb: -6, ratio: 2, attackMs: 30 }, rampMs: 80 })],
      ];
      for (const [start, same] of cases) {
        const recalled = compare(rate, start, input, [recall(at, same, rate, 1)]);
        expectSame(recalled);
        const untouched = compare(rate, start, input, []);
        for (let c = 0; c < 2; c++) expect(maxDifference(recalled.kernel[c], untouched.kernel[c])).toBe(0);
      }
    });
  });

  it('lands at once and takes a new lookahead on a reset (chain.setPreset then chain.reset)', () => {
    const rate = 48000;
    const longer = parsePreset({ ...OTHER, limiter: { ...OTHER.limiter, lookaheadMs: 4 } });
    const event: Event = {
      at: 9000,
      chain: (c) => {
        c.setPreset(longer);
        c.reset();
      },
      kernel: [...stripParams(longer, rate), resetTrigger(1)],
    };
    expectSame(compare(rate, LOUD, programme(rate, 0.4, 3), [event]));
  });

  it('keeps the staged batch silent until its trigger arrives', () => {
    const rate = 44100;
    const staged: Event = { at: 4000, chain: () => undefined, kernel: stripParams(OTHER, rate) };
    const trigger: Event = { at: 8000, chain: (c) => c.setPreset(OTHER), kernel: [recallTrigger(7)] };
    expectSame(compare(rate, LOUD, programme(rate, 0.3, 4), [staged, trigger]));
  });

  it('clears its state when the sample rate changes and then plays the new rate’s coefficients', () => {
    const input48 = programme(48000, 0.1, 5);
    const input96 = programme(96000, 0.15, 6);
    const kernel = loadKernel('strip', 48000);
    send(kernel, [...stripParams(LOUD, 48000), ...readyParams(true)]);
    run(kernel, input48, outputsFor(kernel, input48[0].length), 0, input48[0].length);
    kernel.setSampleRate(96000);
    send(kernel, [...stripParams(LOUD, 96000), resetTrigger(1)]);
    const out = outputsFor(kernel, input96[0].length);
    run(kernel, input96, out, 0, input96[0].length);
    const fresh = new ProcessingChain({ sampleRate: 96000, channels: 2, preset: LOUD });
    const expected = [new Float32Array(input96[0].length), new Float32Array(input96[0].length)];
    fresh.process(input96, expected, input96[0].length);
    for (let c = 0; c < 2; c++) expect(maxDifference(out[c], expected[c])).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('strip.genexpr before node is ready (ready = 0)', () => {
  it.each(RATES)('at %i Hz plays the default preset whatever is staged: unity, EQ and compressor out, limiter at −1 dBTP', (rate) => {
    const input = programme(rate, 0.3, 7).map((x) => x.map((v) => v * 2.5));
    const kernel = loadKernel('strip', rate);
    send(kernel, [...stripParams(LOUD, rate), recallTrigger(1)]);
    const out = outputsFor(kernel, input[0].length);
    run(kernel, input, out, 0, input[0].length);
    const chain = new ProcessingChain({ sampleRate: rate, channels: 2, preset: defaultPreset() });
    const expected = [new Float32Array(input[0].length), new Float32Array(input[0].length)];
    chain.process(input, expected, input[0].length);
    for (let c = 0; c < 2; c++) expect(maxDifference(out[c], expected[c])).toBeLessThanOrEqual(TOLERANCE);
    expect(peak(out[3])).toBeGreaterThan(1);
    expect(peak(out[2])).toBe(0);
    expect(peak(out[0])).toBeLessThanOrEqual(dbToGain(-1));
    // Unity where the limiter does not act: a quiet stretch comes out as it went in, delayed.
    const latency = chain.latencySamples;
    const quiet = loadKernel('strip', rate);
    const soft = [new Float32Array(4000).map((_, i) => 0.1 * Math.sin(i / 7)), new Float32Array(4000)];
    const softOut = outputsFor(quiet, 4000);
    run(quiet, soft, softOut, 0, 4000);
    expect(maxDifference(softOut[0].subarray(latency), soft[0].subarray(0, 4000 - latency))).toBeLessThan(1e-12);
  });

  it('ramps from the default preset to the staged one when node reports ready, and back when it goes', () => {
    const rate = 48000;
    const input = programme(rate, 0.4, 8);
    const goReady: Event = { at: 5000, chain: (c) => c.setPreset(LOUD), kernel: [...stripParams(LOUD, rate), ...readyParams(true)] };
    const goAway: Event = { at: 12000, chain: (c) => c.setPreset(defaultPreset(), LOUD.rampMs), kernel: readyParams(false) };
    const n = input[0].length;
    const chain = new ProcessingChain({ sampleRate: rate, channels: 2, preset: defaultPreset() });
    const kernel = loadKernel('strip', rate);
    const expected = [new Float32Array(n), new Float32Array(n)];
    const out = outputsFor(kernel, n);
    const cuts = [0, goReady.at, goAway.at, n];
    [null, goReady, goAway].forEach((event, k) => {
      if (event) {
        event.chain(chain);
        send(kernel, event.kernel);
      }
      const from = cuts[k];
      const frames = cuts[k + 1] - from;
      chain.process(input.map((x) => x.subarray(from, from + frames)), expected.map((y) => y.subarray(from, from + frames)), frames);
      run(kernel, input, out, from, frames);
    });
    for (let c = 0; c < 2; c++) expect(maxDifference(out[c], expected[c])).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('strip.genexpr and params.ts agree', () => {
  it('declares exactly the Params params.ts names, and its defaults are the default preset at 48 kHz', () => {
    const kernel = loadKernel('strip', 48000);
    expect(kernel.params.map((p) => p.name).sort()).toEqual([...STRIP_PARAM_NAMES].sort());
    for (const [name, value] of stripParams(defaultPreset(), 48000)) expect([name, kernel.getParam(name)]).toEqual([name, value]);
    expect(kernel.inputs).toBe(2);
    expect(kernel.outputs).toBe(STRIP_OUTPUTS.length);
  });
});
