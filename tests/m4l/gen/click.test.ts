import { describe, expect, it } from 'vitest';
import { BeatClock } from '../../../src/dsp/beat-clock';
import { Click, DEFAULT_CLICK, countInStart, type ClickSettings } from '../../../src/dsp/click';
import { dbToGain } from '../../../src/dsp/units';
import { CLICK_OUTPUTS, CLICK_PARAM_NAMES, clickOnParams, clickParams, clickTempoParams } from '../../../m4l-device/gen/params';
import { DEFAULT_CLICK_SETUP } from '../../../src/shared/osc-protocol';
import { onsets } from '../../support/beats';
import { prng } from '../../support/ebu-signals';
import type { Kernel } from '../../support/genexpr';
import { loadKernel, outputsFor, send } from './kernels';

const RATES = [44100, 48000, 96000];
const TOLERANCE = 1e-6;
/** Max's signal vector: the beat hint from plugsync~ through sig~ changes once per vector. */
const VECTOR = 64;

interface TempoChange {
  /** Sample index from which the new tempo holds. */
  at: number;
  bpm: number;
}

interface Scenario {
  settings: ClickSettings;
  bpm: number;
  startBeat: number;
  seconds: number;
  changes?: TempoChange[];
}

/** src/dsp: a Click run in blocks of random sizes on a BeatClock, tempo changes at block edges. */
function reference(s: Scenario, sampleRate: number): Float64Array {
  const frames = Math.round(s.seconds * sampleRate);
  const clock = new BeatClock(sampleRate, s.bpm, s.startBeat);
  const click = new Click(s.settings, sampleRate);
  const out = new Float64Array(frames);
  const random = prng(7);
  const changes = [...(s.changes ?? [])];
  for (let offset = 0; offset < frames; ) {
    if (changes[0]?.at === offset) clock.setTempo(changes.shift()!.bpm);
    const limit = Math.min(frames, changes[0]?.at ?? frames);
    const n = Math.min(limit - offset, 1 + Math.floor(random() * 900));
    click.process(clock, [out.subarray(offset, offset + n)], n);
    clock.advance(n);
    offset += n;
  }
  return out;
}

/**
 * What the patch feeds the kernel for the same transport: plugphasor~'s beat phase on every
 * sample, and plugsync~'s beat count as a signal that changes once per vector and is `lagMs` late.
 * With `lead`, the transport runs from `lead` samples before the scenario starts (a fresh kernel
 * counts as stopped until its phase moves).
 */
function transportSignals(s: Scenario, sampleRate: number, lead = 0, lagMs = 5): { phase: Float64Array; hint: Float64Array } {
  const frames = Math.round(s.seconds * sampleRate) + lead;
  const clock = new BeatClock(sampleRate, s.bpm, s.startBeat - (lead * s.bpm) / 60 / sampleRate);
  const position = new Float64Array(frames);
  const changes = (s.changes ?? []).map((c) => ({ ...c, at: c.at + lead }));
  for (let i = 0; i < frames; i++) {
    if (changes[0]?.at === i) clock.setTempo(changes.shift()!.bpm);
    position[i] = i === lead ? s.startBeat : clock.position;
    if (i === lead) clock.locate(s.startBeat);
    clock.advance(1);
  }
  const lag = Math.round((lagMs * sampleRate) / 1000);
  const phase = position.map((p) => p - Math.floor(p));
  const hint = position.map((_, i) => position[Math.max(0, i - (i % VECTOR) - lag)]);
  return { phase, hint };
}

function kernelFor(s: Scenario, sampleRate: number): Kernel {
  const kernel = loadKernel('click', sampleRate);
  send(kernel, [...clickParams(s.settings, sampleRate), ...clickTempoParams(s.bpm), ...clickOnParams(true)]);
  return kernel;
}

/** Runs the kernel over the transport in uneven chunks, sending each tempo change when it happens. */
function runKernel(kernel: Kernel, s: Scenario, sampleRate: number, lead = 0): Float64Array {
  const signals = transportSignals(s, sampleRate, lead);
  const frames = signals.phase.length;
  const [out] = outputsFor(kernel, frames);
  const changes = (s.changes ?? []).map((c) => ({ ...c, at: c.at + lead }));
  for (let offset = 0; offset < frames; ) {
    if (changes[0]?.at === offset) send(kernel, clickTempoParams(changes.shift()!.bpm));
    const n = Math.min(frames - offset, (changes[0]?.at ?? frames) - offset, 37 + ((offset * 7) % 500));
    kernel.process([signals.phase.subarray(offset, offset + n), signals.hint.subarray(offset, offset + n)], [out.subarray(offset, offset + n)], n);
    offset += n;
  }
  return out.subarray(lead);
}

function maxDifference(a: Float64Array, b: Float64Array): { at: number; difference: number } {
  let worst = { at: -1, difference: 0 };
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > worst.difference) worst = { at: i, difference: d };
  }
  return worst;
}

const peak = (x: Float64Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('click.genexpr against src/dsp Click on a BeatClock', () => {
  for (const sampleRate of RATES) {
    const scenarios: [string, Scenario][] = [
      ['quarters in 4/4 at 120 BPM', { settings: DEFAULT_CLICK, bpm: 120, startBeat: 0, seconds: 2.6 }],
      [
        'eighths in 3/4 at 100 BPM with a bar of count-in',
        { settings: { ...DEFAULT_CLICK, beatsPerBar: 3, subdivision: 'eighth', levelDbfs: -6, countInBars: 1 }, bpm: 100, startBeat: countInStart(0, { ...DEFAULT_CLICK, beatsPerBar: 3, countInBars: 1 }), seconds: 2.6 },
      ],
      [
        'tempo changes within a beat (120 → 137 at beat 1.3, → 90 at beat 2.6)',
        {
          settings: { ...DEFAULT_CLICK, levelDbfs: -20 },
          bpm: 120,
          startBeat: 0.75,
          seconds: 2.8,
          changes: [
            { at: Math.round(0.275 * sampleRate), bpm: 137 },
            { at: Math.round(0.275 * sampleRate) + Math.round((1.3 * 60 * sampleRate) / 137), bpm: 90 },
          ],
        },
      ],
    ];
    for (const [what, scenario] of scenarios) {
      it(`${what}, ${sampleRate / 1000} kHz: within ${TOLERANCE} on every sample`, () => {
        const expected = reference(scenario, sampleRate);
        // The kernel has been running a moment when the reference clock starts.
        const got = runKernel(kernelFor(scenario, sampleRate), scenario, sampleRate, 1);
        expect(onsets(expected, sampleRate).length, 'the reference clicks on its grid').toBeGreaterThanOrEqual(4);
        expect(peak(expected)).toBeCloseTo(dbToGain(scenario.settings.levelDbfs), 2);
        expect(onsets(got, sampleRate)).toEqual(onsets(expected, sampleRate));
        const worst = maxDifference(got, expected);
        expect(worst.difference, `largest difference at sample ${worst.at}`).toBeLessThanOrEqual(TOLERANCE);
      });
    }
  }
});

describe('click.genexpr in the device', () => {
  const sampleRate = 48000;
  const scenario: Scenario = { settings: DEFAULT_CLICK, bpm: 120, startBeat: 0, seconds: 1.2 };

  it('is silent until node switches it on (a bus device, or a click refused on a route to FOH)', () => {
    const kernel = loadKernel('click', sampleRate);
    send(kernel, [...clickParams(scenario.settings, sampleRate), ...clickTempoParams(120)]);
    expect(peak(runKernel(kernel, scenario, sampleRate))).toBe(0);
  });

  it('falls silent at once when switched off mid-click', () => {
    const kernel = kernelFor(scenario, sampleRate);
    const signals = transportSignals(scenario, sampleRate);
    const [out] = outputsFor(kernel, 200);
    kernel.process([signals.phase.subarray(0, 100), signals.hint.subarray(0, 100)], [out.subarray(0, 100)], 100);
    send(kernel, clickOnParams(false));
    kernel.process([signals.phase.subarray(100, 200), signals.hint.subarray(100, 200)], [out.subarray(100, 200)], 100);
    expect(peak(out.subarray(0, 100))).toBeGreaterThan(0);
    expect(peak(out.subarray(100))).toBe(0);
  });

  it('says nothing while Live is stopped, even when the playhead is moved onto a beat; a start on the beat clicks one sample later', () => {
    const kernel = kernelFor(scenario, sampleRate);
    const stopped = 4800;
    const played = 24000;
    // Stopped: plugphasor~ is 0; the hint moves from beat 5.37 to the bar line at beat 8.
    const phase = new Float64Array(stopped + played);
    const hint = new Float64Array(stopped + played).fill(5.37, 0, stopped / 2).fill(8, stopped / 2);
    const increment = 120 / 60 / sampleRate;
    for (let i = 0; i < played; i++) {
      const position = 8 + i * increment;
      phase[stopped + i] = position - Math.floor(position);
      hint[stopped + i] = 8;
    }
    const [out] = outputsFor(kernel, phase.length);
    kernel.process([phase, hint], [out], phase.length);
    expect(peak(out.subarray(0, stopped + 1))).toBe(0);
    expect(onsets(out, sampleRate)).toEqual([stopped + 1]);
    // The accent (1.5 kHz, bar line): its first sample is the onset sample of a 1.5 kHz click.
    const accent = reference({ settings: DEFAULT_CLICK, bpm: 120, startBeat: 8, seconds: 0.01 }, sampleRate);
    expect(out[stopped + 1]).toBeCloseTo(accent[0], 12);
  });

  it('a start in the middle of a beat waits for the next beat', () => {
    const kernel = kernelFor(scenario, sampleRate);
    const signals = transportSignals({ ...scenario, startBeat: 3.5 }, sampleRate);
    const phase = new Float64Array(1000 + signals.phase.length);
    const hint = new Float64Array(phase.length).fill(3);
    phase.set(signals.phase, 1000);
    hint.set(signals.hint, 1000);
    const [out] = outputsFor(kernel, phase.length);
    kernel.process([phase, hint], [out], phase.length);
    expect(onsets(out, sampleRate)).toEqual([1000 + 12000, 1000 + 36000].filter((i) => i < phase.length));
  });
});

describe('click Params', () => {
  it('are exactly the Params click.genexpr declares, with one output', () => {
    const kernel = loadKernel('click', 48000);
    expect(kernel.params.map((p) => p.name)).toEqual([...CLICK_PARAM_NAMES]);
    expect(kernel.outputs).toBe(CLICK_OUTPUTS.length);
    const sent = [...clickParams(DEFAULT_CLICK_SETUP, 48000), ...clickTempoParams(120), ...clickOnParams(true)].map(([name]) => name);
    expect(new Set(sent)).toEqual(new Set(CLICK_PARAM_NAMES));
  });

  it("the show state's default click is src/dsp's DEFAULT_CLICK", () => {
    const { countInBars: _countIn, ...sound } = DEFAULT_CLICK;
    expect(DEFAULT_CLICK_SETUP).toEqual(sound);
  });
});
