import { describe, expect, it } from 'vitest';
import { channelWeights } from '../../../src/dsp/channel-weights';
import { LoudnessBlockMeter } from '../../../src/dsp/loudness-blocks';
import { LoudnessStats } from '../../../src/dsp/loudness-stats';
import { energyToLufs } from '../../../src/dsp/units';
import { meterParams, METER_OUTPUTS, METER_PARAM_NAMES } from '../../../m4l-device/gen/params';
import { sineSegments, syntheticProgramme, type Segment, type Signal } from '../../support/ebu-signals';
import { referenceMeasure } from '../../support/reference-meter';
import { loadKernel, outputsFor, run, send } from './kernels';

const tone = (seconds: number, levelDb: number | null): Segment => ({ seconds, levelDb });

interface Block {
  counter: number;
  energies: number[];
  samplePeak: number;
  truePeak: number;
}

/**
 * What node sees: the meter kernel's outlets read once per block by counter (snapshot~ polls
 * faster than blocks finish). Channels go through stereo kernels in pairs, as the device would
 * with one meter per stereo pair; a pair's missing right channel is silence.
 */
function kernelBlocks(signal: Signal): Block[] {
  const { sampleRate, channels } = signal;
  const n = channels[0].length;
  const perPair: Block[][] = [];
  for (let c = 0; c < channels.length; c += 2) {
    const kernel = loadKernel('meter', sampleRate);
    send(kernel, meterParams(sampleRate));
    const input = [channels[c], channels[c + 1] ?? new Float32Array(n)];
    const out = outputsFor(kernel, n);
    run(kernel, input, out, 0, n);
    const blocks: Block[] = [];
    let last = 0;
    for (let i = 0; i < n; i++) {
      if (out[0][i] === last) continue;
      expect(out[0][i]).toBe(last + 1);
      last = out[0][i];
      blocks.push({ counter: last, energies: [out[1][i], out[2][i]], samplePeak: out[3][i], truePeak: out[4][i] });
    }
    perPair.push(blocks);
  }
  return perPair[0].map((block, b) => ({
    ...block,
    energies: perPair.flatMap((pair) => pair[b].energies).slice(0, channels.length),
    samplePeak: Math.max(...perPair.map((pair) => pair[b].samplePeak)),
    truePeak: Math.max(...perPair.map((pair) => pair[b].truePeak)),
  }));
}

interface Readings {
  stats: LoudnessStats;
  momentary: number[];
  shortTerm: number[];
}

/** Stage (b) fed with the kernel's blocks; momentary and short-term after each block. */
function measure(signal: Signal): Readings {
  const stats = new LoudnessStats(channelWeights(signal.channels.length));
  const momentary: number[] = [];
  const shortTerm: number[] = [];
  for (const block of kernelBlocks(signal)) {
    stats.pushBlock(block.energies);
    momentary.push(stats.momentary);
    shortTerm.push(stats.shortTerm);
  }
  return { stats, momentary, shortTerm };
}

const within = (value: number | null, expected: number, tolerance: number) => expect(Math.abs((value ?? -Infinity) - expected)).toBeLessThanOrEqual(tolerance);

describe('meter.genexpr block energies equal LoudnessBlockMeter’s', () => {
  it.each([44100, 48000, 96000])('at %i Hz within 1e-9 relative, with the same peaks', (rate) => {
    const signal = syntheticProgramme(rate, 3, 11);
    const expected: number[][] = [];
    const reference = new LoudnessBlockMeter({ sampleRate: rate, channels: 2, onBlock: (m) => expected.push(Array.from(m)) });
    reference.process(signal.channels, signal.channels[0].length);
    reference.finish();
    // Sixteen samples of silence let the kernel complete the last intervals, as finish() does.
    const padded: Signal = { sampleRate: rate, channels: signal.channels.map((x) => Float32Array.from([...x, ...new Array(16).fill(0)])) };
    const blocks = kernelBlocks(padded);
    expect(blocks.length).toBe(expected.length);
    expect(blocks.length).toBe(30);
    blocks.forEach((block, b) => {
      for (let c = 0; c < 2; c++) expect(Math.abs(block.energies[c] - expected[b][c])).toBeLessThanOrEqual(1e-9 * expected[b][c]);
    });
    const samplePeak = Math.max(reference.samplePeak(0), reference.samplePeak(1));
    const truePeak = Math.max(reference.truePeak(0), reference.truePeak(1));
    expect(Math.max(...blocks.map((b) => b.samplePeak))).toBe(samplePeak);
    expect(Math.abs(Math.max(...blocks.map((b) => b.truePeak)) - truePeak)).toBeLessThanOrEqual(1e-9 * truePeak);
    expect(truePeak).toBeGreaterThanOrEqual(samplePeak);
  });

  it('declares exactly the Params params.ts names, with the 48 kHz design as defaults', () => {
    const kernel = loadKernel('meter', 48000);
    expect(kernel.params.map((p) => p.name).sort()).toEqual([...METER_PARAM_NAMES].sort());
    for (const [name, value] of meterParams(48000)) expect([name, kernel.getParam(name)]).toEqual([name, value]);
    expect(kernel.outputs).toBe(METER_OUTPUTS.length);
  });

  it('restarts its block on a sample-rate change and measures the new rate with its coefficients', () => {
    const kernel = loadKernel('meter', 48000);
    const first = sineSegments(48000, [tone(0.25, -20)]);
    run(kernel, first.channels, outputsFor(kernel, first.channels[0].length), 0, first.channels[0].length);
    kernel.setSampleRate(96000);
    send(kernel, meterParams(96000));
    const second = sineSegments(96000, [tone(0.5, -23)]);
    const out = outputsFor(kernel, second.channels[0].length);
    run(kernel, second.channels, out, 0, second.channels[0].length);
    const n = second.channels[0].length;
    // Two blocks at 48 kHz, then five whole 9600-sample blocks at 96 kHz.
    expect(out[0][n - 1]).toBe(7);
    expect(out[0][9600 - 2]).toBe(2);
    expect(out[0][9600 - 1]).toBe(3);
    within(energyToLufs(out[1][n - 1] + out[2][n - 1]), -23, 0.05);
  });
});

describe('meter.genexpr blocks through src/dsp stage (b): EBU Tech 3341 cases 1–12', () => {
  it.each([44100, 48000, 96000])('case 1 at %i Hz: −23 dBFS reads M, S, I = −23.0', (rate) => {
    const r = measure(sineSegments(rate, [tone(20, -23)]));
    within(r.stats.integrated(), -23, 0.1);
    r.momentary.slice(3).forEach((m) => within(m, -23, 0.1));
    r.shortTerm.slice(29).forEach((s) => within(s, -23, 0.1));
  });

  it.each([44100, 96000])('case 2 at %i Hz: −33 dBFS reads −33.0', (rate) => {
    const r = measure(sineSegments(rate, [tone(20, -33)]));
    within(r.stats.integrated(), -33, 0.1);
    within(r.stats.snapshot().momentaryMax, -33, 0.1);
  });

  it('case 2 at 48 kHz, and case 3: −36/−23/−36 dBFS gives I = −23.0', () => {
    within(measure(sineSegments(48000, [tone(20, -33)])).stats.integrated(), -33, 0.1);
    within(measure(sineSegments(48000, [tone(10, -36), tone(60, -23), tone(10, -36)])).stats.integrated(), -23, 0.1);
  });

  it('case 4: −72/−36/−23/−36/−72 dBFS gives I = −23.0; case 5: −26/−20/−26 dBFS gives −23.0', () => {
    within(measure(sineSegments(48000, [tone(10, -72), tone(10, -36), tone(60, -23), tone(10, -36), tone(10, -72)])).stats.integrated(), -23, 0.1);
    within(measure(sineSegments(48000, [tone(20, -26), tone(20.1, -20), tone(20, -26)])).stats.integrated(), -23, 0.1);
  });

  it('case 6: 5.0 channels at −28 −28 −24 −30 −30 dBFS give I = −23.0', () => {
    const signal = sineSegments(48000, [tone(20, 0)], { channelLevelsDb: [-28, -28, -24, -30, -30] });
    within(measure(signal).stats.integrated(), -23, 0.1);
  });

  it('cases 7 and 8 (authentic programme): synthetic programme matches a brute-force reference', () => {
    for (const seed of [7, 8]) {
      const signal = syntheticProgramme(48000, 40, seed);
      const ref = referenceMeasure(signal.channels, 48000, [1, 1]);
      within(measure(signal).stats.integrated(), ref.integrated, 0.02);
    }
  });

  it('case 9: 1.34 s at −20 / 1.66 s at −30 dBFS keeps S at −23.0 after 3 s', () => {
    const segments: Segment[] = [];
    for (let i = 0; i < 7; i++) segments.push(tone(1.34, -20), tone(1.66, -30));
    measure(sineSegments(48000, segments)).shortTerm.slice(29).forEach((s) => within(s, -23, 0.1));
  });

  it('case 10: a 3 s burst at shifted offsets reads max S = −23.0 in all 20 variants', () => {
    for (let k = 0; k < 20; k++) {
      const r = measure(sineSegments(48000, [tone(1 + k * 0.0047, null), tone(3, -23), tone(1, null)]));
      within(r.stats.snapshot().shortTermMax, -23, 0.1);
    }
  });

  it('case 11: twenty 3 s bursts from −38 to −19 dBFS read max S −38 … −19 per 6 s segment', () => {
    const segments: Segment[] = [];
    for (let i = 0; i < 20; i++) {
      const offset = (i * 0.137) % 1;
      segments.push(tone(offset, null), tone(3, -38 + i), tone(3 - offset, null));
    }
    const r = measure(sineSegments(48000, segments));
    for (let i = 0; i < 20; i++) {
      const segment = r.shortTerm.slice(i * 60, (i + 1) * 60);
      within(Math.max(...segment), -38 + i, 0.1);
    }
  });

  it('case 12: 0.18 s at −20 / 0.22 s at −30 dBFS keeps M at −23.0 after 1 s', () => {
    const segments: Segment[] = [];
    for (let i = 0; i < 25; i++) segments.push(tone(0.18, -20), tone(0.22, -30));
    measure(sineSegments(48000, segments)).momentary.slice(9).forEach((m) => within(m, -23, 0.1));
  });
});

describe('meter.genexpr blocks through src/dsp stage (b): EBU Tech 3342 loudness range (±1 LU)', () => {
  const cases: [string, Segment[], number][] = [
    ['case 1: −20 then −30 dBFS', [tone(20, -20), tone(20, -30)], 10],
    ['case 2: −20 then −15 dBFS', [tone(20, -20), tone(20, -15)], 5],
    ['case 3: −40 then −20 dBFS', [tone(20, -40), tone(20, -20)], 20],
    ['case 4: −50/−35/−20/−35/−50 dBFS', [tone(20, -50), tone(20, -35), tone(20, -20), tone(20, -35), tone(20, -50)], 15],
  ];
  it.each(cases)('%s', (_name, segments, expected) => {
    within(measure(sineSegments(48000, segments)).stats.loudnessRange(), expected, 1);
  });

  it('case 1 at 44.1 and 96 kHz', () => {
    for (const rate of [44100, 96000]) within(measure(sineSegments(rate, [tone(20, -20), tone(20, -30)])).stats.loudnessRange(), 10, 1);
  });

  it('cases 5 and 6 (authentic programme): synthetic programme LRA matches a brute-force reference within 0.05 LU', () => {
    for (const seed of [5, 6]) {
      const signal = syntheticProgramme(48000, 60, seed);
      const ref = referenceMeasure(signal.channels, 48000, [1, 1]);
      expect(ref.lra).toBeGreaterThan(3);
      within(measure(signal).stats.loudnessRange(), ref.lra, 0.05);
    }
  });
});
