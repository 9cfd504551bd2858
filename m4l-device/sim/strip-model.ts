import { STRIP_PARAM_NAMES } from '../gen/params';
import { ProcessingChain } from '../../src/dsp/chain';
import type { PathSettings } from '../../src/dsp/chain-path';
import { EQ_SECTIONS, eqCoefficients } from '../../src/dsp/eq';
import { dbToGain, gainToDb } from '../../src/dsp/units';
import { defaultPreset, type CompressorSettings, type LimiterSettings } from '../../src/shared/preset';

/**
 * The strip kernel (m4l-device/gen/strip.genexpr) played by src/dsp: it takes the same
 * `gen <name> <value>` Params node sends the patch and keeps the kernel's rules
 * (m4l-device/gen/params.ts): values are staged and change nothing until a new `recall_count`
 * (ramp) or `reset_count` (land at once, clear state); before `ready` it plays the default
 * preset (unity, EQ and compressor out, limiter at −1 dBTP) and holds triggers until ready.
 *
 * The Params carry designed values (coefficients, gains, time constants); the src/dsp
 * processors take settings, so each is turned back into the setting that designs it.
 */

const EQ_PARAMS = EQ_SECTIONS * 5;
/** The limiter's margin under its ceiling (params.ts sends ceiling − margin as a gain). */
const LIMITER_MARGIN_DB = 0.001;
const KNOWN = new Set(STRIP_PARAM_NAMES);

export class StripModel {
  readonly channels = 2;
  private sampleRate: number;
  private readonly staged = new Map<string, number>();
  private ready = false;
  private lastRecall: number | null = null;
  private lastReset: number | null = null;
  private heldTrigger: 'recall' | 'reset' | null = null;
  private readonly chain: ProcessingChain;
  /** Every Param received, by name (tests read what the patch was sent). */
  readonly received = new Map<string, number>();

  constructor(sampleRate: number, maxBlockFrames: number) {
    this.sampleRate = sampleRate;
    this.chain = new ProcessingChain({ sampleRate, channels: this.channels, preset: defaultPreset(), maxBlockFrames });
  }

  get compressorReductionDb(): number {
    return this.chain.compressorReduction.currentDb;
  }

  get limiterReductionDb(): number {
    return this.chain.limiterReduction.currentDb;
  }

  /** A Param from node; unknown names are refused as gen~ would refuse them (an error in the Max console). */
  param(name: string, value: number): void {
    if (!KNOWN.has(name)) throw new Error(`gen~ strip: no Param named '${name}'`);
    if (!Number.isFinite(value)) throw new Error(`gen~ strip: Param ${name} got ${value}`);
    this.received.set(name, value);
    if (name === 'ready') return this.setReady(value !== 0);
    if (name === 'recall_count' || name === 'reset_count') {
      const kind = name === 'recall_count' ? 'recall' : 'reset';
      const last = kind === 'recall' ? this.lastRecall : this.lastReset;
      if (last === value) return;
      if (kind === 'recall') this.lastRecall = value;
      else this.lastReset = value;
      if (!this.ready) {
        this.heldTrigger = kind === 'reset' || this.heldTrigger === 'reset' ? 'reset' : 'recall';
        return;
      }
      return this.apply(kind === 'reset' ? 0 : this.rampSamples());
    }
    this.staged.set(name, value);
  }

  /** A new sample rate clears the kernel's state; node re-sends everything for the new rate. */
  setSampleRate(sampleRate: number): void {
    this.sampleRate = sampleRate;
    this.chain.setSampleRate(sampleRate);
  }

  process(input: readonly Float32Array[], output: readonly Float32Array[], frames: number): void {
    this.chain.process(input, output, frames);
  }

  private setReady(ready: boolean): void {
    if (ready === this.ready) return;
    this.ready = ready;
    if (!ready) return this.playDefault(this.rampSamples());
    const held = this.heldTrigger;
    this.heldTrigger = null;
    this.apply(held === 'reset' ? 0 : this.rampSamples());
  }

  private rampSamples(): number {
    return this.staged.get('ramp_samples') ?? Math.round(0.05 * this.sampleRate);
  }

  /** Moves to the staged preset over `ramp` samples; 0 lands at once and clears state, as a reset. */
  private apply(ramp: number): void {
    const fallback = defaultPreset();
    const value = (name: string, otherwise: number) => this.staged.get(name) ?? otherwise;
    const coefficients = Array.from({ length: EQ_PARAMS }, (_, i) => this.staged.get(eqName(i)));
    const eq = coefficients.every((c) => c !== undefined) ? (coefficients as number[]) : eqCoefficients(fallback.eq, this.sampleRate);
    const compressor: CompressorSettings = {
      enabled: value('comp_on', 0) !== 0,
      thresholdDb: value('comp_threshold', fallback.compressor.thresholdDb),
      ratio: value('comp_ratio', fallback.compressor.ratio),
      kneeDb: value('comp_knee', fallback.compressor.kneeDb),
      attackMs: timeConstantMs(this.staged.get('comp_attack'), this.sampleRate, fallback.compressor.attackMs),
      releaseMs: timeConstantMs(this.staged.get('comp_release'), this.sampleRate, fallback.compressor.releaseMs),
      makeupDb: gainToDb(value('comp_makeup', 1)),
      stereoLink: value('comp_link', fallback.compressor.stereoLink),
    };
    const release = this.staged.get('lim_release');
    const limiter: LimiterSettings = {
      enabled: value('lim_on', 1) !== 0,
      ceilingDbtp: Math.min(0, gainToDb(value('lim_ceiling', dbToGain(fallback.limiter.ceilingDbtp - LIMITER_MARGIN_DB))) + LIMITER_MARGIN_DB),
      releaseMs: release === undefined ? fallback.limiter.releaseMs : timeConstantMs(1 - release, this.sampleRate, fallback.limiter.releaseMs),
      lookaheadMs: (value('lim_window', Math.round((fallback.limiter.lookaheadMs * this.sampleRate) / 1000)) * 1000) / this.sampleRate,
    };
    this.moveTo(value('trim', 1), eq, compressor, limiter, ramp);
  }

  private playDefault(ramp: number): void {
    const preset = defaultPreset();
    this.moveTo(1, eqCoefficients(preset.eq, this.sampleRate), { ...preset.compressor, enabled: false }, preset.limiter, ramp);
  }

  private moveTo(trim: number, eq: ArrayLike<number>, compressor: CompressorSettings, limiter: LimiterSettings, ramp: number): void {
    const settings: PathSettings = { trim, eq: Float64Array.from(eq), bands: null, compressor, limiter };
    this.chain.moveTo(settings, ramp);
    if (ramp === 0) this.chain.reset();
  }
}

function eqName(index: number): string {
  return `eq${Math.floor(index / 5)}_${['b0', 'b1', 'b2', 'a1', 'a2'][index % 5]}`;
}

/** Inverse of timeConstantCoefficient (exp(−1000 / (ms · rate))). */
function timeConstantMs(coefficient: number | undefined, sampleRate: number, otherwise: number): number {
  if (coefficient === undefined || coefficient <= 0 || coefficient >= 1) return otherwise;
  return -1000 / (sampleRate * Math.log(coefficient));
}
