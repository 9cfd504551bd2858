import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProcessingChain } from '../../src/dsp/chain';
import { LoudnessBlockMeter } from '../../src/dsp/loudness-blocks';
import { LoudnessMeter } from '../../src/dsp/loudness';
import { TruePeakLimiter } from '../../src/dsp/limiter';
import { defaultPreset, type Preset } from '../../src/shared/preset';
import { chorusPreset } from '../support/chorus-preset';
import { chunkSizes, maxStep, processInChunks } from '../support/chunks';
import { presetArbitrary } from '../support/preset-arbitrary';
import { syntheticSong } from '../support/synthetic-song';

const RATE = 48000;

/** A preset that changes nothing at all: trim 0, flat EQ, compressor and limiter off. */
function transparentPreset(): Preset {
  const preset = defaultPreset();
  preset.limiter.enabled = false;
  return preset;
}

function run(preset: Preset, x: Float32Array[], sizes: readonly number[] = [x[0].length]): Float32Array[] {
  const chain = new ProcessingChain({ sampleRate: RATE, channels: x.length, preset });
  return processInChunks(x, sizes, (i, o, n) => chain.process(i as Float32Array[], o as Float32Array[], n));
}

function truePeakDb(x: Float32Array[], sampleRate = RATE): number {
  const meter = new LoudnessMeter({ sampleRate, channels: x.length });
  meter.process(x, x[0].length);
  return meter.finish().truePeak;
}

/**
 * Bass line and pad: steady low tones whose own sample steps are small, so a click would show.
 * Quiet enough (−16 dBFS) that neither preset below reaches its limiter, whose normal work on
 * a signal rising into it is not what this measures.
 */
function bassAndPad(frames: number): Float32Array[] {
  return [0, 1].map((c) =>
    Float32Array.from({ length: frames }, (_, i) => {
      const t = i / RATE;
      return 0.08 * Math.sin(2 * Math.PI * 82.4 * t + c) + 0.04 * Math.sin(2 * Math.PI * 246.9 * t) + 0.02 * Math.sin(2 * Math.PI * 392 * t + 2 * c);
    }),
  );
}

describe('ProcessingChain', () => {
  it('is exactly a delay when nothing is asked of it, in stereo and mono', () => {
    for (const channels of [1, 2] as const) {
      const x = syntheticSong({ sampleRate: RATE, seconds: 1, channels });
      for (const preset of [transparentPreset(), defaultPreset()]) {
        const chain = new ProcessingChain({ sampleRate: RATE, channels, preset });
        const latency = chain.latencySamples;
        expect(latency).toBe(new TruePeakLimiter(preset.limiter, RATE, channels).latencySamples);
        const y = x.map((c) => new Float32Array(c.length));
        chain.process(x, y, x[0].length);
        // The song peaks just under −1 dBTP, so even the default limiter leaves it alone.
        for (let c = 0; c < channels; c++) expect(y[c].subarray(latency)).toEqual(x[c].subarray(0, x[c].length - latency));
      }
    }
  });

  it('gives the same output in one block as in random-size chunks, across a preset change', () => {
    fc.assert(
      fc.property(presetArbitrary, presetArbitrary, fc.constantFrom(1, 2), fc.integer({ min: 0, max: 12000 }), chunkSizes, (a, b, channels, changeAt, sizes) => {
        const x = syntheticSong({ sampleRate: RATE, seconds: 0.25, channels: channels as 1 | 2, seed: 4 });
        const go = (split: readonly number[]) => {
          const chain = new ProcessingChain({ sampleRate: RATE, channels, preset: a, maxBlockFrames: 256 });
          const process = (i: Float32Array[], o: Float32Array[], n: number) => chain.process(i, o, n);
          const first = processInChunks(x.map((c) => c.subarray(0, changeAt)), split, (i, o, n) => process(i as Float32Array[], o as Float32Array[], n));
          chain.setPreset(b);
          const second = processInChunks(x.map((c) => c.subarray(changeAt)), split, (i, o, n) => process(i as Float32Array[], o as Float32Array[], n));
          return first.map((c, k) => Float32Array.of(...c, ...second[k]));
        };
        expect(go(sizes)).toEqual(go([12000]));
      }),
      { numRuns: 30 },
    );
  });

  it('keeps a song pushed 10 dB into the limiter under its ceiling', () => {
    const x = syntheticSong({ sampleRate: RATE, seconds: 4 });
    const preset = chorusPreset();
    preset.trimDb = 10;
    expect(truePeakDb(run(preset, x))).toBeLessThanOrEqual(preset.limiter.ceilingDbtp + 0.05);
  });

  it('recalls a preset mid-song without a click', () => {
    const x = bassAndPad(RATE);
    const half = RATE / 2;
    const settle = 4800;
    const latency = new ProcessingChain({ sampleRate: RATE, channels: 2, preset: chorusPreset() }).latencySamples;
    const own = Math.max(maxStep(run(defaultPreset(), x), settle), maxStep(run(chorusPreset(), x), settle));
    for (const [from, to] of [
      [defaultPreset(), chorusPreset()],
      [chorusPreset(), defaultPreset()],
    ]) {
      const chain = new ProcessingChain({ sampleRate: RATE, channels: 2, preset: from });
      const y = x.map((c) => new Float32Array(c.length));
      chain.process(x.map((c) => c.subarray(0, half)), y.map((c) => c.subarray(0, half)), half);
      chain.setPreset(to, 20);
      chain.process(x.map((c) => c.subarray(half)), y.map((c) => c.subarray(half)), half);
      // +6 dB of trim over 20 ms adds a slope of (2 − 1)/960 of the signal per sample to its
      // own: under 2 % here. Everything else crossfades between steady states.
      expect(maxStep(y, settle + latency) / own).toBeLessThan(1.05);
    }
  });

  it('lets recalls that arrive during a crossfade wait, then lands on the newest without a click', () => {
    const x = bassAndPad(RATE);
    const carved = chorusPreset();
    const boosted = transparentPreset();
    boosted.eq[1].gainDb = 9;
    boosted.trimDb = -3;
    const chain = new ProcessingChain({ sampleRate: RATE, channels: 2, preset: transparentPreset() });
    const y = x.map((c) => new Float32Array(c.length));
    const step = 480;
    for (let offset = 0; offset < RATE; offset += step) {
      if (offset === 24000) chain.setPreset(carved, 20);
      if (offset === 24480) chain.setPreset(transparentPreset(), 20);
      if (offset === 24960) chain.setPreset(boosted, 20);
      chain.process(x.map((c) => c.subarray(offset, offset + step)), y.map((c) => c.subarray(offset, offset + step)), step);
    }
    const own = Math.max(...[transparentPreset(), carved, boosted].map((p) => maxStep(run(p, x), 4800)));
    expect(maxStep(y, 4800) / own).toBeLessThan(1.05);
    // The middle recall never sounded; the chain ends on the newest preset, sample for sample.
    const last = 12000;
    expect(Array.from(y[0].subarray(-last))).toEqual(Array.from(run(boosted, x)[0].subarray(-last)));
  });

  it('stays bounded under recalls every 10 ms between any presets', () => {
    fc.assert(
      fc.property(fc.array(presetArbitrary, { minLength: 3, maxLength: 10 }), (presets) => {
        const x = syntheticSong({ sampleRate: RATE, seconds: 0.5, seed: 6 });
        const chain = new ProcessingChain({ sampleRate: RATE, channels: 2, preset: presets[0] });
        const y = x.map((c) => new Float32Array(c.length));
        for (let k = 0; k * 480 < x[0].length; k++) {
          chain.setPreset(presets[k % presets.length], 20);
          const at = k * 480;
          const n = Math.min(480, x[0].length - at);
          chain.process(x.map((c) => c.subarray(at, at + n)), y.map((c) => c.subarray(at, at + n)), n);
        }
        // +24 dB of trim, five bands of +18 dB and +24 dB of makeup bound what any preset can do.
        expect(y.every((c) => c.every((v) => Number.isFinite(v) && Math.abs(v) < 10 ** (160 / 20)))).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  it('feeds its output to a meter tap and reads out gain reduction', () => {
    // Two seconds of the loud chorus (bars 4–7 start 8 s in).
    const x = syntheticSong({ sampleRate: RATE, seconds: 10 }).map((c) => c.subarray(8 * RATE));
    const blocks: number[] = [];
    const tap = new LoudnessBlockMeter({ sampleRate: RATE, channels: 2, onBlock: (_, index) => blocks.push(index) });
    const chain = new ProcessingChain({ sampleRate: RATE, channels: 2, preset: chorusPreset(), tap });
    const y = x.map((c) => new Float32Array(c.length));
    for (let offset = 0; offset < x[0].length; offset += 4800) {
      chain.process(x.map((c) => c.subarray(offset, offset + 4800)), y.map((c) => c.subarray(offset, offset + 4800)), 4800);
    }
    expect(blocks).toHaveLength(20);
    tap.finish();
    expect(20 * Math.log10(tap.truePeak(0))).toBeLessThanOrEqual(-3 + 0.05);
    expect(chain.compressorReduction.takeMaxDb()).toBeGreaterThan(1);
    expect(chain.limiterReduction.takeMaxDb()).toBeGreaterThan(1);
  });

  it('keeps its latency through preset changes and applies a new lookahead at reset', () => {
    const chain = new ProcessingChain({ sampleRate: RATE, channels: 2, preset: defaultPreset() });
    const latency = chain.latencySamples;
    const longer = defaultPreset();
    longer.limiter.lookaheadMs = 3;
    chain.setPreset(transparentPreset());
    chain.setPreset(longer);
    expect(chain.latencySamples).toBe(latency);
    chain.reset();
    expect(chain.latencySamples).toBe(latency + 72);
  });

  it('runs at a new sample rate', () => {
    const chain = new ProcessingChain({ sampleRate: 44100, channels: 2, preset: chorusPreset() });
    chain.setSampleRate(96000);
    const x = syntheticSong({ sampleRate: 96000, seconds: 1 });
    const y = x.map((c) => new Float32Array(c.length));
    chain.process(x, y, x[0].length);
    expect(truePeakDb(y, 96000)).toBeLessThanOrEqual(-3 + 0.05);
  });

  it('refuses buffers that do not match', () => {
    const chain = new ProcessingChain({ sampleRate: RATE, channels: 2, preset: defaultPreset() });
    expect(() => chain.process([new Float32Array(4)], [new Float32Array(4)], 4)).toThrow(/needs 2 channels/);
    expect(() => chain.process([new Float32Array(4), new Float32Array(2)], [new Float32Array(4), new Float32Array(4)], 4)).toThrow(/channel 1/);
    expect(() => new ProcessingChain({ sampleRate: RATE, channels: 2, preset: defaultPreset(), maxBlockFrames: 0 })).toThrow(/block size/);
  });
});

describe('ProcessingChain.process() allocates nothing per block in steady state', () => {
  const probe = fileURLToPath(new URL('../support/chain-allocation-probe.ts', import.meta.url));

  function measure(sampleRate: number, channels: number, mode = ''): { bytes: number; compressorDb: number; limiterDb: number; blocksMeasured: number } {
    const result = spawnSync(process.execPath, ['--import', 'tsx', probe, String(sampleRate), String(channels), mode], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`allocation probe failed: ${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  it('sees an allocation when there is one, so a reading of 0 means something', () => {
    expect(measure(RATE, 2, 'allocate').bytes).toBeGreaterThanOrEqual(12);
  });

  for (const [sampleRate, channels] of [
    [48000, 2],
    [44100, 1],
    [96000, 2],
  ] as const) {
    it(`with every stage working (${channels === 2 ? 'stereo' : 'mono'}, ${sampleRate / 1000} kHz)`, () => {
      const { bytes, compressorDb, limiterDb } = measure(sampleRate, channels);
      expect(bytes).toBeLessThan(1);
      expect(compressorDb).toBeGreaterThan(1);
      expect(limiterDb).toBeGreaterThan(1);
    });
  }

  // The device's chain always has its meter tap: stereo runs the WebAssembly kernel, mono the JavaScript loop.
  for (const [sampleRate, channels] of [
    [48000, 2],
    [44100, 1],
  ] as const) {
    it(`with a loudness meter tapping its output (${channels === 2 ? 'stereo, SIMD kernel' : 'mono, JavaScript loop'}, ${sampleRate / 1000} kHz)`, () => {
      const { bytes, blocksMeasured, limiterDb } = measure(sampleRate, channels, 'tap');
      expect(bytes).toBeLessThan(1);
      expect(blocksMeasured).toBeGreaterThan(2000);
      expect(limiterDb).toBeGreaterThan(1);
    });
  }
});
