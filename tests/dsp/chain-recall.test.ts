import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProcessingChain, warmUpLength } from '../../src/dsp/chain';
import { rampLength } from '../../src/dsp/ramp';
import { defaultPreset, type Preset } from '../../src/shared/preset';
import { maxStep } from '../support/chunks';
import { presetArbitrary } from '../support/preset-arbitrary';
import { syntheticSong } from '../support/synthetic-song';

/**
 * "A preset change mid-signal produces no step larger than the signal itself would": for any two
 * presets, the largest sample-to-sample step while the chain moves from A to B is no larger than
 * a straight crossfade of the two presets' own outputs could make — the larger of A's and B's own
 * steps over the same stretch, plus the straight line between them (the most |B − A| divided by
 * the ramp) — within 5 % and 1e-4 of full scale.
 */

const RUNS = Number(process.env.RECALL_RUNS ?? 120);

interface Case {
  a: Preset;
  b: Preset;
  sampleRate: number;
  channels: 1 | 2;
  rampMs: number;
  seed: number;
  /** Where in the song the change lands (the song has a quiet intro, verses, loud choruses). */
  startSeconds: number;
  gainDb: number;
}

export const caseArbitrary: fc.Arbitrary<Case> = fc.record({
  a: presetArbitrary,
  b: presetArbitrary,
  sampleRate: fc.constantFrom(44100, 48000, 96000),
  channels: fc.constantFrom(1 as const, 2 as const),
  rampMs: fc.oneof(fc.double({ min: 20, max: 60, noNaN: true }), fc.double({ min: 60, max: 2000, noNaN: true })),
  seed: fc.constantFrom(1, 2),
  startSeconds: fc.constantFrom(0.5, 4.2, 8.6),
  gainDb: fc.double({ min: -18, max: 6, noNaN: true }),
});

const SONG_SECONDS = 11;
const songs = new Map<string, Float32Array[]>();

/** The stereo song for a rate and seed, made once (it takes a while at 96 kHz); mono is its mid. */
function song(sampleRate: number, seed: number, channels: 1 | 2): Float32Array[] {
  const key = `${sampleRate}/${seed}`;
  let stereo = songs.get(key);
  if (!stereo) {
    stereo = syntheticSong({ sampleRate, seconds: SONG_SECONDS, channels: 2, seed });
    songs.set(key, stereo);
  }
  return channels === 2 ? stereo : [Float32Array.from(stereo[0], (v, i) => (v + stereo[1][i]) / 2)];
}

/**
 * A limiter with a longer release remembers more than the 50 ms a new path warms up on (see
 * docs/device.md): against B as if it had always played, only presets up to this release are held
 * to the bound. With a 1 s release and 15 dB of limiting the new path starts up to 3 dB louder.
 */
const TYPICAL_RELEASE_MS = 200;
export const typicalCaseArbitrary: fc.Arbitrary<Case> = caseArbitrary.map((k) => ({
  ...k,
  b: { ...k.b, limiter: { ...k.b.limiter, releaseMs: Math.min(k.b.limiter.releaseMs, TYPICAL_RELEASE_MS) } },
}));

function play(preset: Preset, x: Float32Array[], sampleRate: number, change?: { at: number; to: Preset; rampMs: number }): Float32Array[] {
  const chain = new ProcessingChain({ sampleRate, channels: x.length, preset });
  const y = x.map((c) => new Float32Array(c.length));
  const at = change ? change.at : x[0].length;
  chain.process(x.map((c) => c.subarray(0, at)), y.map((c) => c.subarray(0, at)), at);
  if (change) {
    chain.setPreset(change.to, change.rampMs);
    const rest = x[0].length - at;
    chain.process(x.map((c) => c.subarray(at)), y.map((c) => c.subarray(at)), rest);
  }
  return y;
}

/** `x` after `frames` of silence. */
function padFront(x: Float32Array, frames: number): Float32Array {
  const padded = new Float32Array(frames + x.length);
  padded.set(x, frames);
  return padded;
}

function maxDifference(a: Float32Array[], b: Float32Array[], from: number, to: number): number {
  let worst = 0;
  a.forEach((channel, c) => {
    for (let i = from; i < to; i++) worst = Math.max(worst, Math.abs(channel[i] - b[c][i]));
  });
  return worst;
}

interface Measure {
  step: number;
  bound: number;
}

/** The largest step a straight crossfade from `a` to `b` over `ramp` samples may make in frames [from, to), with the test's slack. */
function crossfadeBound(a: Float32Array[], b: Float32Array[], from: number, to: number, ramp: number): number {
  const own = Math.max(maxStep(a, from, to), maxStep(b, from, to));
  const line = maxDifference(a, b, from, to) / ramp;
  return (own + line) * 1.05 + 1e-4;
}

/**
 * `reference` is what B's own output is taken to be: 'alone', B played from the start of the
 * song; 'known', B started on the song WARM_UP_MS before the change — all the device can know
 * of it (a recall's new path warms up on that much of the input that has just played).
 */
export function measure(k: Case, reference: 'alone' | 'known' = 'known'): Measure {
  const { a, sampleRate, rampMs } = k;
  // The lookahead sets the latency, which changes only at a reset: B plays with A's.
  const b: Preset = { ...k.b, limiter: { ...k.b.limiter, lookaheadMs: a.limiter.lookaheadMs } };
  const ramp = rampLength(rampMs, sampleRate);
  const at = Math.round(0.3 * sampleRate);
  const latency = new ProcessingChain({ sampleRate, channels: 1, preset: a }).latencySamples;
  const end = at + latency + ramp + 1;
  const seconds = (end + 64) / sampleRate;
  const from = Math.round(k.startSeconds * sampleRate);
  const gain = 10 ** (k.gainDb / 20);
  const x = song(sampleRate, k.seed, k.channels).map((c) => Float32Array.from(c.subarray(from, from + Math.ceil(seconds * sampleRate)), (v) => v * gain));
  const alone = play(a, x, sampleRate);
  const known = at - warmUpLength(sampleRate);
  const other = reference === 'alone' ? play(b, x, sampleRate) : play(b, x.map((c) => c.subarray(known)), sampleRate).map((c) => padFront(c, known));
  const moved = play(a, x, sampleRate, { at, to: b, rampMs });
  return { step: maxStep(moved, at, end), bound: crossfadeBound(alone, other, at, end, ramp) };
}

describe('a recall between any two presets does not click', () => {
  const check = (reference: 'alone' | 'known') => (k: Case) => {
    const { step, bound } = measure(k, reference);
    if (step > bound && process.env.RECALL_DUMP) writeFileSync(process.env.RECALL_DUMP, JSON.stringify(k));
    expect(step).toBeLessThanOrEqual(bound);
  };
  const options = { numRuns: RUNS, seed: process.env.RECALL_SEED ? Number(process.env.RECALL_SEED) : undefined, endOnFailure: !!process.env.RECALL_FIRST };

  it(`steps no more than a straight crossfade of the two presets' outputs as the device can know them (${RUNS} random cases)`, () => {
    fc.assert(fc.property(caseArbitrary, check('known')), options);
  }, 240_000);

  it(`steps no more than a straight crossfade of the two presets' outputs had each always played, for limiter releases up to ${TYPICAL_RELEASE_MS} ms (${RUNS} random cases)`, () => {
    fc.assert(fc.property(typicalCaseArbitrary, check('alone')), options);
  }, 240_000);

  it('measures a click when there is one: switching presets with no fade fails the same bound', () => {
    // A hard switch between two steady presets: what the measure must catch.
    const sampleRate = 48000;
    const x = song(sampleRate, 1, 2).map((c) => c.slice(8.6 * sampleRate));
    const quiet: Preset = { ...defaultPreset(), trimDb: -12 };
    const loud: Preset = { ...defaultPreset(), trimDb: -2 };
    const at = Math.round(0.2 * sampleRate);
    const alone = play(quiet, x, sampleRate);
    const other = play(loud, x, sampleRate);
    const switched = alone.map((c, k) => Float32Array.from(c, (v, i) => (i < at ? v : other[k][i])));
    const ramp = rampLength(20, sampleRate);
    expect(maxStep(switched, at - 1, at + ramp)).toBeGreaterThan(crossfadeBound(alone, other, at - 1, at + ramp, ramp));
  });
});
