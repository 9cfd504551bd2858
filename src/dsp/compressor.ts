import type { CompressorSettings } from '../shared/preset';
import { GainReductionReadout } from './gain-reduction';
import { checkBuffers, checkChannelCount, checkSampleRate, type AudioProcessor, type Channel } from './processor';
import { dbToGain } from './units';

/**
 * Feed-forward compressor after Giannoulis, Massberg and Reiss, "Digital Dynamic Range
 * Compressor Design — A Tutorial and Analysis" (JAES 2012): a peak level in dB, the soft-knee
 * gain computer (their eq. 4), and their "smooth branching" peak detector run on the gain
 * reduction in the dB domain, so attack and release are true time constants whatever the
 * depth. Stereo link blends each channel's own level with the loudest channel's, before the
 * gain computer: at 1 every channel gets the same gain and the image cannot shift.
 *
 * New settings take effect at once: a recall mid-song starts a second processing path with the
 * new settings and crossfades to it (chain.ts). That path's compressor starts from the running
 * one's reduction and attacks at least as fast as FADE_ATTACK_MS until the crossfade ends, so it
 * has reached its working level while its share is still small; a slow attack starting from
 * rest would let the makeup gain through as a swell lasting the attack time.
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

/** A new path's detector attacks at least this fast until its crossfade ends (see above). */
export const FADE_ATTACK_MS = 1;
/** Frames per pass (the reduction scratch buffers). */
const CHUNK = 256;

export class Compressor implements AudioProcessor {
  readonly channels: number;
  readonly gainReduction = new GainReductionReadout();
  private sampleRate: number;
  private settings: CompressorSettings;
  private readonly detector: Detector;
  private readonly reductions: Float64Array[];
  private blockMax = 0;
  private blockLast = 0;
  /** While true the detector attacks no slower than FADE_ATTACK_MS (set by a recall's new path, see above). */
  fastAttack = false;

  constructor(settings: CompressorSettings, sampleRate: number, channels: number) {
    checkChannelCount('compressor', channels);
    checkSampleRate('compressor', sampleRate);
    checkSettings(settings);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.settings = { ...settings };
    this.detector = new Detector(channels);
    this.detector.configure(this.settings, sampleRate);
    this.reductions = Array.from({ length: channels }, () => new Float64Array(CHUNK));
  }

  /** Takes new settings at once, keeping the detector's reduction (see above for changes mid-song). */
  setSettings(settings: CompressorSettings): void {
    checkSettings(settings);
    this.settings = { ...settings };
    this.detector.configure(this.settings, this.sampleRate);
  }

  /** Starts the detector where `other`'s is (nothing when it is off; a linked one from the loudest channel). */
  startFrom(other: Compressor): void {
    this.detector.startFrom(other.detector);
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('compressor', sampleRate);
    this.sampleRate = sampleRate;
    this.detector.configure(this.settings, sampleRate);
    this.reset();
  }

  /** Clears the detector. */
  reset(): void {
    this.detector.reduction.fill(0);
    this.gainReduction.clear();
  }

  process(input: readonly Channel[], output: readonly Channel[], frames: number): void {
    checkBuffers('compressor', this.channels, input, output, frames);
    this.blockMax = 0;
    this.blockLast = 0;
    for (let offset = 0; offset < frames; ) {
      const n = Math.min(frames - offset, CHUNK);
      if (this.detector.enabled) this.compress(input, output, offset, n);
      else this.passThrough(input, output, offset, n);
      offset += n;
    }
    this.gainReduction.record(this.blockMax, this.blockLast);
  }

  private passThrough(input: readonly Channel[], output: readonly Channel[], offset: number, n: number): void {
    for (let c = 0; c < this.channels; c++) {
      const x = input[c];
      const y = output[c];
      if (x !== y) for (let i = offset; i < offset + n; i++) y[i] = x[i];
    }
    this.blockLast = 0;
  }

  private compress(input: readonly Channel[], output: readonly Channel[], offset: number, n: number): void {
    const detector = this.detector;
    const reductions = this.reductions;
    detector.detect(input, offset, n, reductions, this.fastAttack);
    const makeup = detector.makeup;
    const shared = detector.shared;
    let most = this.blockMax;
    let last = 0;
    if (shared) {
      // One gain for every channel: computed once per frame (in place of the reduction), not per channel.
      const r = reductions[0];
      last = r[n - 1];
      for (let i = 0; i < n; i++) {
        const reduction = r[i];
        if (reduction > most) most = reduction;
        r[i] = makeup * Math.exp(-reduction / DB_PER_NEPER);
      }
      for (let c = 0; c < this.channels; c++) {
        const x = input[c];
        const y = output[c];
        for (let i = 0; i < n; i++) y[offset + i] = x[offset + i] * r[i];
      }
    } else {
      for (let c = 0; c < this.channels; c++) {
        const x = input[c];
        const y = output[c];
        const r = reductions[c];
        for (let i = 0; i < n; i++) {
          const reduction = r[i];
          if (reduction > most) most = reduction;
          y[offset + i] = x[offset + i] * (makeup * Math.exp(-reduction / DB_PER_NEPER));
        }
        if (r[n - 1] > last) last = r[n - 1];
      }
    }
    this.blockMax = most;
    this.blockLast = last;
  }
}

/** One compressor's settings, as the per-sample loop wants them, and its detector's state. */
class Detector {
  enabled = false;
  thresholdDb = 0;
  ratio = 1;
  kneeDb = 0;
  /** Levels at or below this are under the knee: the curve asks for nothing, so the logarithm is skipped. */
  kneeStartLevel = 0;
  attack = 0;
  /** The attack while a new path fades in: no slower than FADE_ATTACK_MS. */
  fadeAttack = 0;
  release = 0;
  makeup = 1;
  stereoLink = 1;
  /** Fully linked (or mono), every channel sees the same level, so one detector (channel 0) serves them all. */
  shared = true;
  /** Smoothed gain reduction per channel, dB. */
  readonly reduction: Float64Array;

  constructor(private readonly channels: number) {
    this.reduction = new Float64Array(channels);
  }

  configure(settings: CompressorSettings, sampleRate: number): void {
    this.enabled = settings.enabled;
    this.thresholdDb = settings.thresholdDb;
    this.ratio = settings.ratio;
    this.kneeDb = settings.kneeDb;
    this.kneeStartLevel = dbToGain(settings.thresholdDb - settings.kneeDb / 2);
    this.attack = timeConstantCoefficient(settings.attackMs, sampleRate);
    this.fadeAttack = Math.min(this.attack, timeConstantCoefficient(FADE_ATTACK_MS, sampleRate));
    this.release = timeConstantCoefficient(settings.releaseMs, sampleRate);
    this.makeup = dbToGain(settings.makeupDb);
    this.stereoLink = settings.stereoLink;
    this.shared = settings.stereoLink === 1 || this.channels === 1;
  }


  /** Starts from where `other` is (nothing when it is off); a linked detector takes the loudest channel's reduction. */
  startFrom(other: Detector): void {
    const reduction = this.reduction;
    if (!other.enabled) reduction.fill(0);
    else if (other.shared) reduction.fill(other.reduction[0]);
    else if (this.shared) {
      let loudest = 0;
      for (let c = 0; c < this.channels; c++) loudest = Math.max(loudest, other.reduction[c]);
      reduction.fill(loudest);
    } else reduction.set(other.reduction);
  }

  /**
   * Runs the detector over frames [offset, offset + n): reductions[c][i] is channel c's smoothed
   * reduction (dB) at frame offset + i; a shared detector writes channel 0 only. A flag, not
   * the coefficient, says which attack: a double passed to a call V8 does not inline is boxed.
   */
  detect(input: readonly Channel[], offset: number, n: number, reductions: readonly Float64Array[], fadingIn: boolean): void {
    const { thresholdDb, ratio, kneeDb, kneeStartLevel, release, stereoLink, shared, channels, reduction } = this;
    const attack = fadingIn ? this.fadeAttack : this.attack;
    const own = 1 - stereoLink;
    for (let i = 0; i < n; i++) {
      let loudest = 0;
      for (let c = 0; c < channels; c++) {
        const a = Math.abs(input[c][offset + i]);
        if (a > loudest) loudest = a;
      }
      for (let c = 0; c < (shared ? 1 : channels); c++) {
        const level = shared ? loudest : stereoLink * loudest + own * Math.abs(input[c][offset + i]);
        const wanted = level > kneeStartLevel ? gainReductionDb(DB_PER_NEPER * Math.log(level), thresholdDb, ratio, kneeDb) : 0;
        const previous = reduction[c];
        const coefficient = wanted > previous ? attack : release;
        const smoothed = coefficient * previous + (1 - coefficient) * wanted;
        reduction[c] = smoothed;
        reductions[c][i] = smoothed;
      }
    }
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
