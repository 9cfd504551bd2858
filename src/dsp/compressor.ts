import type { CompressorSettings } from '../shared/preset';
import { GainReductionReadout } from './gain-reduction';
import { LinearRamp } from './ramp';
import { checkBuffers, checkChannelCount, checkSampleRate, copyThrough, type AudioProcessor, type Channel } from './processor';
import { dbToGain } from './units';

/**
 * Feed-forward compressor after Giannoulis, Massberg and Reiss, "Digital Dynamic Range
 * Compressor Design — A Tutorial and Analysis" (JAES 2012): a peak level in dB, the soft-knee
 * gain computer (their eq. 4), and their "smooth branching" peak detector run on the gain
 * reduction in the dB domain, so attack and release are true time constants whatever the
 * depth. Stereo link blends each channel's own level with the loudest channel's, before the
 * gain computer: at 1 every channel gets the same gain and the image cannot shift.
 */

const DB_PER_NEPER = 20 / Math.LN10;

/** Static curve: output level (dB) for an input level (dB) — G&M&R 2012 eq. 4. */
export function compressorCurveDb(inputDb: number, thresholdDb: number, ratio: number, kneeDb: number): number {
  return inputDb - gainReductionDb(inputDb, thresholdDb, ratio, kneeDb);
}

/** Gain reduction (dB, ≥ 0) the static curve asks for at `inputDb`. */
export function gainReductionDb(inputDb: number, thresholdDb: number, ratio: number, kneeDb: number): number {
  const over = inputDb - thresholdDb;
  const slope = 1 - 1 / ratio;
  if (2 * over <= -kneeDb) return 0;
  if (2 * over < kneeDb) {
    const intoKnee = over + kneeDb / 2;
    return (slope * intoKnee * intoKnee) / (2 * kneeDb);
  }
  return slope * over;
}

/** One-pole coefficient for a time constant: the smoother covers 1 − 1/e of a step in `ms`. */
export function timeConstantCoefficient(ms: number, sampleRate: number): number {
  return Math.exp(-1000 / (ms * sampleRate));
}

export class Compressor implements AudioProcessor {
  readonly channels: number;
  readonly gainReduction = new GainReductionReadout();
  private sampleRate: number;
  private settings: CompressorSettings;
  /** Wet amount: 1 when enabled; ramps so switching the compressor in or out cannot click. */
  private readonly mix: LinearRamp;
  private readonly makeup: LinearRamp;
  /** Smoothed gain reduction per channel, dB. */
  private readonly reduction: Float64Array;
  private kneeStartLevel = 0;
  private attack = 0;
  private release = 0;

  constructor(settings: CompressorSettings, sampleRate: number, channels: number) {
    checkChannelCount('compressor', channels);
    checkSampleRate('compressor', sampleRate);
    checkSettings(settings);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.settings = { ...settings };
    this.mix = new LinearRamp(settings.enabled ? 1 : 0);
    this.makeup = new LinearRamp(dbToGain(settings.makeupDb));
    this.reduction = new Float64Array(channels);
    this.derive();
  }

  /** Applies new settings; makeup and switching in or out ramp over `rampSamples`, the rest is smoothed by the detector. */
  setSettings(settings: CompressorSettings, rampSamples: number): void {
    checkSettings(settings);
    if (settings.enabled && this.isBypassed()) this.reduction.fill(0);
    // Unlinking starts every channel's detector from the shared one's state.
    else if (this.settings.stereoLink === 1) this.reduction.fill(this.reduction[0]);
    this.settings = { ...settings };
    this.mix.rampTo(settings.enabled ? 1 : 0, rampSamples);
    this.makeup.rampTo(dbToGain(settings.makeupDb), rampSamples);
    this.derive();
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('compressor', sampleRate);
    this.sampleRate = sampleRate;
    this.derive();
    this.reset();
  }

  reset(): void {
    this.reduction.fill(0);
    this.mix.jumpTo(this.mix.target);
    this.makeup.jumpTo(this.makeup.target);
    this.gainReduction.clear();
  }

  process(input: readonly Channel[], output: readonly Channel[], frames: number): void {
    checkBuffers('compressor', this.channels, input, output, frames);
    if (this.isBypassed()) {
      copyThrough(this.channels, input, output, frames);
      this.gainReduction.record(0, 0);
      return;
    }
    const { thresholdDb, ratio, kneeDb, stereoLink } = this.settings;
    const kneeStart = this.kneeStartLevel;
    const attack = this.attack;
    const release = this.release;
    const own = 1 - stereoLink;
    const channels = this.channels;
    const reduction = this.reduction;
    // Fully linked (or mono), every channel sees the same level, so one detector serves them all.
    const shared = stereoLink === 1 || channels === 1;
    const makeupFrames = Math.min(this.makeup.remaining, frames);
    const mixFrames = Math.min(this.mix.remaining, frames);
    let blockMax = 0;
    for (let i = 0; i < frames; i++) {
      let loudest = 0;
      for (let c = 0; c < channels; c++) {
        const a = Math.abs(input[c][i]);
        if (a > loudest) loudest = a;
      }
      const makeup = i < makeupFrames ? this.makeup.at(i) : this.makeup.target;
      const mix = i < mixFrames ? this.mix.at(i) : this.mix.target;
      for (let c = 0; c < channels; c++) {
        const x = input[c][i];
        let smoothed = reduction[0];
        if (c === 0 || !shared) {
          const level = shared ? loudest : stereoLink * loudest + own * Math.abs(x);
          // Below the knee the curve asks for nothing: skip the logarithm for most samples.
          const wanted = level > kneeStart ? gainReductionDb(DB_PER_NEPER * Math.log(level), thresholdDb, ratio, kneeDb) : 0;
          const previous = reduction[c];
          const coefficient = wanted > previous ? attack : release;
          smoothed = coefficient * previous + (1 - coefficient) * wanted;
          reduction[c] = smoothed;
          if (smoothed > blockMax) blockMax = smoothed;
        }
        const gain = makeup * Math.exp(-smoothed / DB_PER_NEPER);
        output[c][i] = x * (1 + mix * (gain - 1));
      }
    }
    this.mix.advance(frames);
    this.makeup.advance(frames);
    let last = 0;
    for (let c = 0; c < (shared ? 1 : channels); c++) last = Math.max(last, reduction[c]);
    this.gainReduction.record(blockMax, last);
  }

  private isBypassed(): boolean {
    return this.mix.target === 0 && this.mix.remaining === 0;
  }

  private derive(): void {
    const { thresholdDb, kneeDb, attackMs, releaseMs } = this.settings;
    this.kneeStartLevel = dbToGain(thresholdDb - kneeDb / 2);
    this.attack = timeConstantCoefficient(attackMs, this.sampleRate);
    this.release = timeConstantCoefficient(releaseMs, this.sampleRate);
  }
}

function checkSettings(settings: CompressorSettings): void {
  const { thresholdDb, ratio, kneeDb, attackMs, releaseMs, makeupDb, stereoLink } = settings;
  const finite = Number.isFinite;
  const rules: [ok: boolean, problem: string][] = [
    [finite(thresholdDb), `threshold ${thresholdDb} dB must be a finite number`],
    [finite(ratio) && ratio >= 1, `ratio ${ratio} must be a number ≥ 1`],
    [finite(kneeDb) && kneeDb >= 0, `knee ${kneeDb} dB must be a number ≥ 0`],
    [finite(attackMs) && attackMs > 0, `attack ${attackMs} ms must be a positive number`],
    [finite(releaseMs) && releaseMs > 0, `release ${releaseMs} ms must be a positive number`],
    [finite(makeupDb), `makeup ${makeupDb} dB must be a finite number`],
    [stereoLink >= 0 && stereoLink <= 1, `stereo link ${stereoLink} is outside 0–1`],
  ];
  const broken = rules.find(([ok]) => !ok);
  if (broken) throw new RangeError(`compressor: ${broken[1]}`);
}
