import { describe, expect, it } from 'vitest';
import { LoudnessBlockMeter } from '../../src/dsp/loudness-blocks';
import { prng, syntheticProgramme, type Signal } from '../support/ebu-signals';

interface Readings {
  blocks: number[][];
  /** Momentary and short-term maximum energies of every span that takeMaxima() closed, then of the rest. */
  maxima: number[];
  /** Sample and true peak of each channel. */
  peaks: number[];
}

/**
 * Feeds the signal in chunks of random size (or in one piece without a seed); with `spans`,
 * takes the window maxima after every `spans` chunks.
 */
function read(signal: Signal, options: { portable: boolean; seed?: number; spans?: number }): Readings {
  const blocks: number[][] = [];
  const channels = signal.channels.length;
  const meter = new LoudnessBlockMeter({ sampleRate: signal.sampleRate, channels, portable: options.portable, onBlock: (m) => blocks.push(Array.from(m)) });
  const maxima: number[] = [];
  const random = options.seed === undefined ? () => 1 : prng(options.seed);
  const total = signal.channels[0].length;
  for (let start = 0, chunk = 1; start < total; chunk++) {
    const n = options.seed === undefined ? total : Math.min(1 + Math.floor(random() * 7000), total - start);
    meter.process(signal.channels.map((x) => x.subarray(start, start + n)), n);
    start += n;
    if (options.spans && chunk % options.spans === 0) {
      const { momentaryEnergy, shortTermEnergy } = meter.takeMaxima();
      maxima.push(momentaryEnergy, shortTermEnergy);
    }
  }
  meter.finish();
  const { momentaryEnergy, shortTermEnergy } = meter.peekMaxima();
  maxima.push(momentaryEnergy, shortTermEnergy);
  return { blocks, maxima, peaks: Array.from({ length: channels }, (_, c) => [meter.samplePeak(c), meter.truePeak(c)]).flat() };
}

/** Programme with a loud burst between samples (fs/4 at 45°: samples at 0.71 of the true peak) in the middle. */
function programmeWithIntersamplePeaks(rate: number, seed: number): Signal {
  const signal = syntheticProgramme(rate, 8, seed);
  const start = 4 * rate;
  signal.channels.forEach((x, c) => {
    for (let n = 0; n < rate / 10; n++) x[start + n] = 0.95 * Math.sin((Math.PI / 2) * n + Math.PI / 4 + c * Math.PI);
  });
  return signal;
}

describe('stereo SIMD kernel', () => {
  it('runs stereo meters here, and only those', () => {
    expect(new LoudnessBlockMeter({ sampleRate: 48000, channels: 2 }).simd).toBe(true);
    expect(new LoudnessBlockMeter({ sampleRate: 48000, channels: 2, portable: true }).simd).toBe(false);
    expect(new LoudnessBlockMeter({ sampleRate: 48000, channels: 1 }).simd).toBe(false);
    expect(new LoudnessBlockMeter({ sampleRate: 48000, channels: 6 }).simd).toBe(false);
  });

  it.each([44100, 48000, 96000])('gives the portable loop’s block energies, window maxima and peaks bit for bit at %i Hz', (rate) => {
    const signal = programmeWithIntersamplePeaks(rate, rate);
    const portable = read(signal, { portable: true, seed: 1, spans: 7 });
    const simd = read(signal, { portable: false, seed: 1, spans: 7 });
    expect(portable.blocks.length).toBe(80);
    expect(portable.maxima.length).toBeGreaterThan(10);
    expect(simd.blocks).toEqual(portable.blocks);
    expect(simd.maxima).toEqual(portable.maxima);
    expect(simd.peaks).toEqual(portable.peaks);
    // Each channel's true peak lies between samples, so the true-peak screen had work to do.
    expect(portable.peaks[1]).toBeGreaterThan(portable.peaks[0] * 1.3);
    expect(portable.peaks[3]).toBeGreaterThan(portable.peaks[2] * 1.3);
  });

  it('does not depend on chunking: one piece and random chunks agree bit for bit', () => {
    const signal = programmeWithIntersamplePeaks(48000, 7);
    const whole = read(signal, { portable: false });
    const chunked = read(signal, { portable: false, seed: 5 });
    expect(chunked).toEqual(whole);
  });
});
