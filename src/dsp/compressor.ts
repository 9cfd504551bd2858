import type { CompressorSettings } from '../shared/preset';
import { GainReductionReadout } from './gain-reduction';
import { LinearRamp } from './ramp';
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
 * A settings change crossfades, over the ramp, from the running compressor to a second one with
 * the new settings — a switched-off compressor counting as unity gain — the way the EQ
 * crossfades its cascades. Changing threshold, ratio, knee, link or time constants under a
 * running detector would move the gain it asks for at once, and the detector would follow at
 * the attack time (down to 0.1 ms): a click. Two steady compressors faded in a straight line
 * cannot step more than each does plus the straight line between them. The gains are faded,
 * not the reductions in dB: a fade in dB bows above the straight line (up to 3.5× its slope for
 * 30 dB between the two). The incoming detector starts from the running one's reduction (from
 * none when the running one is off) and, while it fades in, attacks at least as fast as
 * FADE_ATTACK_MS, so it has reached its working level while its share is still small; a slow
 * attack starting from rest would let the makeup gain through as a swell lasting the attack
 * time. A change that arrives during a crossfade waits for it to finish (the newest one wins).
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

/**
 * While it fades in, the incoming detector attacks at least this fast, so it reaches its working
 * reduction within a few milliseconds, while its share of the output is still a few percent.
 */
export const FADE_ATTACK_MS = 1;
/** Frames per pass (the reduction scratch buffers). */
const CHUNK = 256;

export class Compressor implements AudioProcessor {
  readonly channels: number;
  readonly gainReduction = new GainReductionReadout();
  private sampleRate: number;
  /** The newest settings asked for: what reset() lands on. */
  private settings: CompressorSettings;
  private running: Detector;
  private incoming: Detector;
  private readonly fade = new LinearRamp(0);
  private fading = false;
  private pending: CompressorSettings | null = null;
  private pendingRamp = 0;
  private readonly fadeValues = new Float64Array(CHUNK);
  private readonly runningReduction: Float64Array[];
  private readonly incomingReduction: Float64Array[];
  private blockMax = 0;
  private blockLast = 0;

  constructor(settings: CompressorSettings, sampleRate: number, channels: number) {
    checkChannelCount('compressor', channels);
    checkSampleRate('compressor', sampleRate);
    checkSettings(settings);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.settings = { ...settings };
    this.running = new Detector(channels);
    this.incoming = new Detector(channels);
    this.running.configure(settings, sampleRate);
    this.runningReduction = Array.from({ length: channels }, () => new Float64Array(CHUNK));
    this.incomingReduction = Array.from({ length: channels }, () => new Float64Array(CHUNK));
  }

  /** Moves to new settings, crossfading over `rampSamples` (0: at once, for a stopped transport). */
  setSettings(settings: CompressorSettings, rampSamples: number): void {
    checkSettings(settings);
    // A copy the caller cannot change under us; the detectors keep it to compare the next change with.
    const copy = { ...settings };
    this.settings = copy;
    if (rampSamples < 1) {
      this.pending = null;
      this.finishFade();
      this.running.configure(copy, this.sampleRate);
    } else if (this.fading) {
      this.pending = this.incoming.holds(copy) ? null : copy;
      this.pendingRamp = rampSamples;
    } else {
      this.moveTo(copy, rampSamples);
    }
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('compressor', sampleRate);
    this.sampleRate = sampleRate;
    this.reset();
  }

  /** Clears the detector and lands any crossfade on the newest settings. */
  reset(): void {
    this.pending = null;
    this.finishFade();
    this.running.configure(this.settings, this.sampleRate);
    this.running.reduction.fill(0);
    this.gainReduction.clear();
  }

  process(input: readonly Channel[], output: readonly Channel[], frames: number): void {
    checkBuffers('compressor', this.channels, input, output, frames);
    this.blockMax = 0;
    this.blockLast = 0;
    for (let offset = 0; offset < frames; ) {
      const n = Math.min(frames - offset, CHUNK, this.fading ? this.fade.remaining : CHUNK);
      if (this.fading) this.crossfade(input, output, offset, n);
      else if (this.running.enabled) this.compress(input, output, offset, n);
      else this.passThrough(input, output, offset, n);
      offset += n;
    }
    this.gainReduction.record(this.blockMax, this.blockLast);
  }

  /** Fades to `settings` unless they would sound the same as the running ones (two switched-off compressors always do). */
  private moveTo(settings: CompressorSettings, rampSamples: number): void {
    if (this.running.holds(settings)) return;
    this.incoming.configure(settings, this.sampleRate);
    this.incoming.startFrom(this.running);
    this.fade.jumpTo(0);
    this.fade.rampTo(1, rampSamples);
    this.fading = true;
  }

  private finishFade(): void {
    this.fading = false;
    this.fade.jumpTo(0);
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
    const running = this.running;
    const reductions = this.runningReduction;
    running.detect(input, offset, n, reductions, false);
    const makeup = running.makeup;
    const shared = running.shared;
    let most = this.blockMax;
    let last = 0;
    for (let c = 0; c < this.channels; c++) {
      const x = input[c];
      const y = output[c];
      const r = reductions[shared ? 0 : c];
      for (let i = 0; i < n; i++) {
        const reduction = r[i];
        if (reduction > most) most = reduction;
        y[offset + i] = x[offset + i] * (makeup * Math.exp(-reduction / DB_PER_NEPER));
      }
      if (r[n - 1] > last) last = r[n - 1];
    }
    this.blockMax = most;
    this.blockLast = last;
  }

  /**
   * Both compressors over the span, their gains faded in a straight line; the reduction read out
   * is faded the same way. At the end of the fade the incoming one runs alone.
   */
  private crossfade(input: readonly Channel[], output: readonly Channel[], offset: number, n: number): void {
    const from = this.running;
    const to = this.incoming;
    const fromReduction = this.runningReduction;
    const toReduction = this.incomingReduction;
    if (from.enabled) from.detect(input, offset, n, fromReduction, false);
    if (to.enabled) to.detect(input, offset, n, toReduction, true);
    const fade = this.fadeValues;
    this.fade.fill(fade, n);
    const fromOn = from.enabled;
    const toOn = to.enabled;
    const fromMakeup = from.makeup;
    const toMakeup = to.makeup;
    let most = this.blockMax;
    let last = 0;
    for (let c = 0; c < this.channels; c++) {
      const x = input[c];
      const y = output[c];
      const rFrom = fromReduction[from.shared ? 0 : c];
      const rTo = toReduction[to.shared ? 0 : c];
      let reduction = 0;
      for (let i = 0; i < n; i++) {
        const a = fromOn ? rFrom[i] : 0;
        const b = toOn ? rTo[i] : 0;
        const gainFrom = fromOn ? fromMakeup * Math.exp(-a / DB_PER_NEPER) : 1;
        const gainTo = toOn ? toMakeup * Math.exp(-b / DB_PER_NEPER) : 1;
        const f = fade[i];
        reduction = a + f * (b - a);
        if (reduction > most) most = reduction;
        y[offset + i] = x[offset + i] * (gainFrom + f * (gainTo - gainFrom));
      }
      if (reduction > last) last = reduction;
    }
    this.blockMax = most;
    this.blockLast = last;
    this.fade.advance(n);
    if (this.fade.remaining === 0) {
      this.running = to;
      this.incoming = from;
      this.finishFade();
      const next = this.pending;
      this.pending = null;
      if (next) this.moveTo(next, this.pendingRamp);
    }
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
  /** The attack while fading in: no slower than FADE_ATTACK_MS. */
  fadeAttack = 0;
  release = 0;
  makeup = 1;
  stereoLink = 1;
  /** Fully linked (or mono), every channel sees the same level, so one detector (channel 0) serves them all. */
  shared = true;
  /** Smoothed gain reduction per channel, dB. */
  readonly reduction: Float64Array;
  private settings: CompressorSettings | null = null;

  constructor(private readonly channels: number) {
    this.reduction = new Float64Array(channels);
  }

  /** Takes `settings` (not copied: the compressor's own copy) at `sampleRate`. */
  configure(settings: CompressorSettings, sampleRate: number): void {
    this.settings = settings;
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

  /** True when `settings` would sound exactly like these. */
  holds(settings: CompressorSettings): boolean {
    const own = this.settings;
    if (own === null) return false;
    if (!own.enabled && !settings.enabled) return true;
    return (
      own.enabled === settings.enabled &&
      own.thresholdDb === settings.thresholdDb &&
      own.ratio === settings.ratio &&
      own.kneeDb === settings.kneeDb &&
      own.attackMs === settings.attackMs &&
      own.releaseMs === settings.releaseMs &&
      own.makeupDb === settings.makeupDb &&
      own.stereoLink === settings.stereoLink
    );
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
