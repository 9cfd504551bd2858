import type { Preset } from '../shared/preset';
import { Compressor } from './compressor';
import { Equalizer } from './eq';
import type { GainReductionReadout } from './gain-reduction';
import { TruePeakLimiter } from './limiter';
import { checkBuffers, checkChannelCount, checkSampleRate } from './processor';
import { LinearRamp, rampLength } from './ramp';
import { dbToGain } from './units';

/**
 * One song's processing, as the device runs it sample for sample: trim (ramped) → five-band EQ →
 * compressor → true-peak limiter. Float32 at the edges, double precision between stages. The
 * per-sample maths is kept to what gen~ can mirror: TDF-II biquads, one-pole smoothers, straight
 * ramps and delay lines. Stages that are switched off or flat cost nothing except the limiter's
 * delay, which stays so the latency Live compensates never changes.
 *
 * Ambience sends are not audio processing here: the device sets Live's send levels.
 */

export interface OutputTap {
  process(output: readonly Float32Array[], frames: number): void;
}

export interface ChainOptions {
  sampleRate: number;
  channels: number;
  preset: Preset;
  /** Longest stretch processed in one pass (internal buffers); longer calls are split. */
  maxBlockFrames?: number;
  /** Sees every block of output, e.g. a LoudnessBlockMeter feeding the device's meters. */
  tap?: OutputTap;
}

const DEFAULT_MAX_BLOCK = 1024;

export class ProcessingChain {
  readonly channels: number;
  readonly maxBlockFrames: number;
  private sampleRate: number;
  private preset: Preset;
  private readonly trim: LinearRamp;
  private readonly eq: Equalizer;
  private readonly compressor: Compressor;
  private readonly limiter: TruePeakLimiter;
  private readonly work: Float64Array[];
  /** The trim ramp's gains for the block being processed. */
  private readonly trimValues: Float64Array;
  private readonly tap: OutputTap | undefined;

  constructor(options: ChainOptions) {
    const { sampleRate, channels, preset } = options;
    checkChannelCount('chain', channels);
    checkSampleRate('chain', sampleRate);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.maxBlockFrames = options.maxBlockFrames ?? DEFAULT_MAX_BLOCK;
    if (!Number.isInteger(this.maxBlockFrames) || this.maxBlockFrames < 1) throw new RangeError(`chain: block size ${this.maxBlockFrames} must be a whole number ≥ 1`);
    this.preset = preset;
    this.trim = new LinearRamp(dbToGain(preset.trimDb));
    this.eq = new Equalizer(preset.eq, sampleRate, channels);
    this.compressor = new Compressor(preset.compressor, sampleRate, channels);
    this.limiter = new TruePeakLimiter(preset.limiter, sampleRate, channels, this.maxBlockFrames);
    this.work = Array.from({ length: channels }, () => new Float64Array(this.maxBlockFrames));
    this.trimValues = new Float64Array(this.maxBlockFrames);
    this.tap = options.tap;
  }

  /** Samples between a frame entering and leaving (the limiter's lookahead). */
  get latencySamples(): number {
    return this.limiter.latencySamples;
  }

  get compressorReduction(): GainReductionReadout {
    return this.compressor.gainReduction;
  }

  get limiterReduction(): GainReductionReadout {
    return this.limiter.gainReduction;
  }

  /**
   * Moves to another preset over `rampMs` (the preset's own ramp by default, never under 20 ms):
   * gains and filter coefficients travel in straight lines, so a recall mid-song does not click.
   * A new limiter lookahead waits for reset(), because it changes the latency.
   */
  setPreset(preset: Preset, rampMs: number = preset.rampMs): void {
    const samples = rampLength(rampMs, this.sampleRate);
    this.preset = preset;
    this.trim.rampTo(dbToGain(preset.trimDb), samples);
    this.eq.setBands(preset.eq, samples, dbToGain(preset.trimDb));
    this.compressor.setSettings(preset.compressor, samples);
    this.limiter.setSettings(preset.limiter, samples);
  }

  /** Clears all state and lands every ramp on its target (transport stopped, device re-armed). */
  reset(): void {
    this.trim.jumpTo(this.trim.target);
    this.eq.reset();
    this.compressor.reset();
    this.limiter.reset();
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('chain', sampleRate);
    this.sampleRate = sampleRate;
    this.trim.jumpTo(dbToGain(this.preset.trimDb));
    this.eq.setSampleRate(sampleRate);
    this.compressor.setSampleRate(sampleRate);
    this.limiter.setSampleRate(sampleRate);
  }

  process(input: readonly Float32Array[], output: readonly Float32Array[], frames: number): void {
    checkBuffers('chain', this.channels, input, output, frames);
    const work = this.work;
    for (let offset = 0; offset < frames; offset += this.maxBlockFrames) {
      const n = Math.min(this.maxBlockFrames, frames - offset);
      this.applyTrim(input, offset, n);
      this.eq.process(work, work, n, this.trimValues);
      this.compressor.process(work, work, n);
      this.limiter.process(work, work, n);
      for (let c = 0; c < this.channels; c++) {
        const w = work[c];
        const y = output[c];
        for (let i = 0; i < n; i++) y[offset + i] = w[i];
      }
    }
    this.tap?.process(output, frames);
  }

  /** Trims frames [offset, offset + n) into the work buffers; trimValues holds the gain of each (the EQ's crossfade reads it). */
  private applyTrim(input: readonly Float32Array[], offset: number, n: number): void {
    const trim = this.trim;
    const gains = this.trimValues;
    trim.fill(gains, n);
    for (let c = 0; c < this.channels; c++) {
      const x = input[c];
      const w = this.work[c];
      for (let i = 0; i < n; i++) w[i] = x[offset + i] * gains[i];
    }
    trim.advance(n);
  }
}
