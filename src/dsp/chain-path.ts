import { defaultPreset, type CompressorSettings, type EqBand, type LimiterSettings, type Preset } from '../shared/preset';
import { Compressor } from './compressor';
import { Equalizer, eqCoefficients } from './eq';
import { TruePeakLimiter } from './limiter';
import { dbToGain } from './units';

/**
 * One preset's whole processing as the chain runs it: trim → five-band EQ → compressor →
 * true-peak limiter, with fixed settings. The chain (chain.ts) holds two of these and
 * crossfades their outputs on a recall; inside a path nothing ever ramps.
 */

/** A preset as a path plays it: designed values where the device's gen~ kernel receives designed values. */
export interface PathSettings {
  /** Linear gain. */
  trim: number;
  /** The EQ's coefficients in eqCoefficients()' layout. */
  eq: Float64Array;
  /** The bands that designed them, so a new sample rate can redesign; null when they came designed (the device's simulator). */
  bands: readonly EqBand[] | null;
  compressor: CompressorSettings;
  /** Its lookahead is the chain's business: it sets the latency, which changes only at reset(). */
  limiter: LimiterSettings;
}

export function pathSettings(preset: Preset, sampleRate: number): PathSettings {
  return {
    trim: dbToGain(preset.trimDb),
    eq: eqCoefficients(preset.eq, sampleRate),
    bands: preset.eq.map((band) => ({ ...band })),
    compressor: { ...preset.compressor },
    limiter: { ...preset.limiter },
  };
}

/** True when two paths set up with `a` and `b` (same lookahead) would sound the same. */
export function soundsTheSame(a: PathSettings, b: PathSettings): boolean {
  if (a.trim !== b.trim) return false;
  for (let i = 0; i < a.eq.length; i++) if (a.eq[i] !== b.eq[i]) return false;
  const ca = a.compressor;
  const cb = b.compressor;
  const compressorSame =
    (!ca.enabled && !cb.enabled) ||
    (ca.enabled === cb.enabled &&
      ca.thresholdDb === cb.thresholdDb &&
      ca.ratio === cb.ratio &&
      ca.kneeDb === cb.kneeDb &&
      ca.attackMs === cb.attackMs &&
      ca.releaseMs === cb.releaseMs &&
      ca.makeupDb === cb.makeupDb &&
      ca.stereoLink === cb.stereoLink);
  const la = a.limiter;
  const lb = b.limiter;
  const limiterSame = (!la.enabled && !lb.enabled) || (la.enabled === lb.enabled && la.ceilingDbtp === lb.ceilingDbtp && la.releaseMs === lb.releaseMs);
  return compressorSame && limiterSame;
}

export class ChainPath {
  readonly channels: number;
  readonly eq: Equalizer;
  readonly compressor: Compressor;
  readonly limiter: TruePeakLimiter;
  /** The path's output for the frames of the last run(). */
  readonly work: Float64Array[];
  /** The trim's gain (a field, not a getter: a double returned from a call V8 does not inline is boxed, and process() must not allocate). */
  trim = 1;
  private settings: PathSettings;

  constructor(settings: PathSettings, lookaheadMs: number, sampleRate: number, channels: number, maxBlockFrames: number) {
    this.channels = channels;
    this.settings = settings;
    this.eq = new Equalizer(defaultPreset().eq, sampleRate, channels);
    this.compressor = new Compressor(settings.compressor, sampleRate, channels);
    this.limiter = new TruePeakLimiter({ ...settings.limiter, lookaheadMs }, sampleRate, channels, maxBlockFrames);
    this.work = Array.from({ length: channels }, () => new Float64Array(maxBlockFrames));
    this.start(settings, lookaheadMs, null);
  }

  get playing(): PathSettings {
    return this.settings;
  }

  /**
   * Takes `settings` at once and forgets everything it has heard: limiter cleared, compressor
   * detector at rest, EQ memories silent. With `takingOver` (a recall mid-song; `takingOver` is
   * the path playing now) the compressor's detector starts from the other path's reduction and
   * attacks fast until settleIn(), and `warmUp()` should follow.
   */
  start(settings: PathSettings, lookaheadMs: number, takingOver: ChainPath | null): void {
    this.settings = settings;
    this.trim = settings.trim;
    // Designed already (pathSettings(), or setSampleRate() below for a new rate): not designed again.
    this.eq.setCoefficients(settings.eq);
    this.eq.reset();
    this.compressor.setSettings(settings.compressor);
    this.compressor.reset();
    this.limiter.setSettings({ ...settings.limiter, lookaheadMs });
    this.limiter.reset();
    this.compressor.fastAttack = takingOver !== null;
    if (takingOver) this.compressor.startFrom(takingOver.compressor);
  }

  /**
   * Runs trim, EQ and compressor over the input that has just played (`history`, a ring whose
   * oldest frame is at `oldest`), discarding the output: afterwards the EQ's memories and the
   * compressor's detector are close to what they would be had this preset been playing all
   * along; the limiter only listens (TruePeakLimiter.listen), so its gain starts where a slow
   * release would be holding it, while its delay line stays empty (the chain fades the path in
   * only once that line holds audio of its own).
   */
  warmUp(history: readonly Float32Array[], oldest: number): void {
    const length = history[0].length;
    const work = this.work;
    const block = work[0].length;
    const trim = this.trim;
    for (let done = 0; done < length; ) {
      const n = Math.min(block, length - done);
      for (let c = 0; c < this.channels; c++) {
        const h = history[c];
        const w = work[c];
        let index = oldest + done;
        if (index >= length) index -= length;
        for (let i = 0; i < n; i++) {
          w[i] = h[index] * trim;
          index = index + 1 === length ? 0 : index + 1;
        }
      }
      this.eq.process(work, work, n);
      this.compressor.process(work, work, n);
      this.limiter.listen(work, n);
      done += n;
    }
    this.compressor.gainReduction.clear();
  }

  /** Ends a fade-in: the compressor attacks at its own speed again. */
  settleIn(): void {
    this.compressor.fastAttack = false;
  }

  /** Redesigns for a new rate (bands known) and clears everything. */
  setSampleRate(sampleRate: number, lookaheadMs: number): void {
    if (this.settings.bands) this.settings = { ...this.settings, eq: eqCoefficients(this.settings.bands, sampleRate) };
    this.eq.setSampleRate(sampleRate);
    this.compressor.setSampleRate(sampleRate);
    this.limiter.setSampleRate(sampleRate);
    this.start(this.settings, lookaheadMs, null);
  }

  /** Frames [offset, offset + n) of `input` (n ≤ maxBlockFrames) through the path into work[0..n). */
  run(input: readonly Float32Array[], offset: number, n: number): void {
    const work = this.work;
    const trim = this.trim;
    for (let c = 0; c < this.channels; c++) {
      const x = input[c];
      const w = work[c];
      for (let i = 0; i < n; i++) w[i] = x[offset + i] * trim;
    }
    this.processWork(n);
  }

  /** EQ, compressor and limiter over work[0..n), which the caller has filled with trimmed input. */
  processWork(n: number): void {
    const work = this.work;
    this.eq.process(work, work, n);
    this.compressor.process(work, work, n);
    this.limiter.process(work, work, n);
  }
}
