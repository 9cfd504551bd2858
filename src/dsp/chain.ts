import type { Preset } from '../shared/preset';
import { ChainPath, pathSettings, soundsTheSame, type PathSettings } from './chain-path';
import { eqCoefficients } from './eq';
import { GainReductionReadout } from './gain-reduction';
import { checkBuffers, checkChannelCount, checkSampleRate } from './processor';
import { rampLength } from './ramp';

/**
 * One song's processing, as the device runs it sample for sample: trim → five-band EQ →
 * compressor → true-peak limiter (chain-path.ts). Float32 at the edges, double precision
 * between stages. The per-sample maths is kept to what gen~ can mirror: TDF-II biquads,
 * one-pole smoothers, straight ramps and delay lines. Stages that are switched off or flat cost
 * nothing except the limiter's delay, which stays so the latency Live compensates never changes.
 *
 * A recall is one straight crossfade between two complete paths: the one playing the old preset
 * and a second one started on the new preset, each trim, EQ, compressor and limiter of its own.
 * Two steady outputs faded in a straight line cannot step more than either does plus the line
 * between them, which is what "no click" means here. Crossfading stage by stage does not give
 * that: an EQ fade and a compressor fade under way together multiply into a swell (1.7× the
 * straight line for some pairs of presets), and a limiter after the mix works on a signal that
 * is neither preset's (up to 4×). The new path needs a moment to get going: its limiter's delay
 * line holds nothing of the new preset for its first `latency` samples, so its share starts
 * rising only after them, while its EQ and compressor warm up unheard; the EQ's memories settle
 * on the first frame and the compressor starts from the old path's reduction and attacks fast
 * until the fade ends, so what fades in is close to the new preset as if it had always played.
 * A recall that arrives during a fade waits for it to finish (the newest one wins). Outside a
 * fade only one path runs; during one the chain costs twice as much.
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
/** How much of the input that has just played a new path runs through its EQ and compressor before it is heard. */
export const WARM_UP_MS = 50;

export function warmUpLength(sampleRate: number): number {
  return Math.round((WARM_UP_MS * sampleRate) / 1000);
}

export class ProcessingChain {
  readonly channels: number;
  readonly maxBlockFrames: number;
  private sampleRate: number;
  /** The newest settings asked for: what reset() lands on. */
  private target: PathSettings;
  /** The limiter lookahead both paths use; a new one waits for reset(). */
  private lookaheadMs: number;
  private running: ChainPath;
  private incoming: ChainPath;
  private fading = false;
  /** Frames since the running recall began. */
  private elapsed = 0;
  /** Frames before the incoming path's share starts rising (its latency), and the fade's length. */
  private fadeDelay = 0;
  private fadeLength = 0;
  private pending: PathSettings | null = null;
  private pendingRamp = 0;
  private readonly tap: OutputTap | undefined;
  /** The last WARM_UP_MS of input, per channel, as a ring; `historyIndex` is its oldest frame. */
  private history: Float32Array[];
  private historyIndex = 0;

  constructor(options: ChainOptions) {
    const { sampleRate, channels, preset } = options;
    checkChannelCount('chain', channels);
    checkSampleRate('chain', sampleRate);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.maxBlockFrames = options.maxBlockFrames ?? DEFAULT_MAX_BLOCK;
    if (!Number.isInteger(this.maxBlockFrames) || this.maxBlockFrames < 1) throw new RangeError(`chain: block size ${this.maxBlockFrames} must be a whole number ≥ 1`);
    this.target = pathSettings(preset, sampleRate);
    this.lookaheadMs = preset.limiter.lookaheadMs;
    this.running = new ChainPath(this.target, this.lookaheadMs, sampleRate, channels, this.maxBlockFrames);
    this.incoming = new ChainPath(this.target, this.lookaheadMs, sampleRate, channels, this.maxBlockFrames);
    this.tap = options.tap;
    this.history = this.emptyHistory();
  }

  /**
   * Gain reduction of the path playing (during a recall's fade, the one fading out; at its end
   * the new one takes over what the old one had not yet reported).
   */
  get compressorReduction(): GainReductionReadout {
    return this.running.compressor.gainReduction;
  }

  get limiterReduction(): GainReductionReadout {
    return this.running.limiter.gainReduction;
  }

  /** Samples between a frame entering and leaving (the limiter's lookahead). */
  get latencySamples(): number {
    return this.running.limiter.latencySamples;
  }

  /**
   * Moves to another preset over `rampMs` (the preset's own ramp by default, never under 20 ms)
   * by a crossfade of two paths (see above), so a recall mid-song does not click.
   * A new limiter lookahead waits for reset(), because it changes the latency.
   */
  setPreset(preset: Preset, rampMs: number = preset.rampMs): void {
    this.moveTo(pathSettings(preset, this.sampleRate), rampLength(rampMs, this.sampleRate));
  }

  /**
   * setPreset() for settings designed elsewhere (the simulator's model of the device's gen~
   * kernel receives designed values). `rampSamples` 0 lands at once with cleared state.
   */
  moveTo(settings: PathSettings, rampSamples: number): void {
    this.target = settings;
    if (rampSamples < 1) {
      this.fading = false;
      this.pending = null;
      this.running.start(settings, this.lookaheadMs, null);
    } else if (this.fading) {
      this.pending = soundsTheSame(settings, this.incoming.playing) ? null : settings;
      this.pendingRamp = rampSamples;
    } else if (!soundsTheSame(settings, this.running.playing)) {
      this.begin(settings, rampSamples);
    }
  }

  /** Clears all state and lands on the newest preset, with its lookahead (transport stopped, device re-armed). */
  reset(): void {
    // Audio from before a stop is not what a recall after it should warm up on.
    for (const channel of this.history) channel.fill(0);
    this.historyIndex = 0;
    this.fading = false;
    this.pending = null;
    this.lookaheadMs = this.target.limiter.lookaheadMs;
    this.running.start(this.target, this.lookaheadMs, null);
    this.running.compressor.gainReduction.clear();
    this.running.limiter.gainReduction.clear();
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('chain', sampleRate);
    this.sampleRate = sampleRate;
    const { bands } = this.target;
    if (bands) this.target = { ...this.target, eq: eqCoefficients(bands, sampleRate) };
    this.history = this.emptyHistory();
    this.running.setSampleRate(sampleRate, this.lookaheadMs);
    this.incoming.setSampleRate(sampleRate, this.lookaheadMs);
    this.reset();
  }

  process(input: readonly Float32Array[], output: readonly Float32Array[], frames: number): void {
    checkBuffers('chain', this.channels, input, output, frames);
    for (let offset = 0; offset < frames; ) {
      let n = Math.min(this.maxBlockFrames, frames - offset);
      if (this.fading) n = Math.min(n, this.fadeDelay + this.fadeLength - this.elapsed);
      this.rememberAndTrim(input, offset, n, this.running);
      if (this.fading) {
        this.crossfade(input, output, offset, n);
      } else {
        this.running.processWork(n);
        this.copyOut(this.running.work, output, offset, n);
      }
      offset += n;
    }
    this.tap?.process(output, frames);
  }

  private begin(settings: PathSettings, rampSamples: number): void {
    this.incoming.start(settings, this.lookaheadMs, this.running);
    this.incoming.warmUp(this.history, this.historyIndex);
    this.fadeDelay = this.latencySamples;
    this.fadeLength = rampSamples;
    this.elapsed = 0;
    this.fading = true;
  }

  /** Both paths over frames [offset, offset + n), which end no later than the fade does. */
  private crossfade(input: readonly Float32Array[], output: readonly Float32Array[], offset: number, n: number): void {
    const from = this.running;
    const to = this.incoming;
    from.processWork(n);
    to.run(input, offset, n);
    const { fadeDelay, fadeLength, elapsed } = this;
    for (let c = 0; c < this.channels; c++) {
      const a = from.work[c];
      const b = to.work[c];
      const y = output[c];
      for (let i = 0; i < n; i++) {
        const e = elapsed + i;
        const share = e < fadeDelay ? 0 : Math.min(1, (e - fadeDelay + 1) / fadeLength);
        y[offset + i] = a[i] + share * (b[i] - a[i]);
      }
    }
    this.elapsed = elapsed + n;
    if (this.elapsed >= fadeDelay + fadeLength) {
      this.running = to;
      this.incoming = from;
      this.fading = false;
      to.settleIn();
      to.compressor.gainReduction.absorb(from.compressor.gainReduction);
      to.limiter.gainReduction.absorb(from.limiter.gainReduction);
      const next = this.pending;
      this.pending = null;
      if (next && !soundsTheSame(next, to.playing)) this.begin(next, this.pendingRamp);
    }
  }

  private emptyHistory(): Float32Array[] {
    return Array.from({ length: this.channels }, () => new Float32Array(warmUpLength(this.sampleRate)));
  }

  /**
   * Frames [offset, offset + n) of the input into the history ring and, trimmed, into `path`'s
   * work buffers: one pass over the input instead of two (the copy alone cost 7 % of a chain
   * running only its limiter).
   */
  private rememberAndTrim(input: readonly Float32Array[], offset: number, n: number, path: ChainPath): void {
    const length = this.history[0].length;
    const trim = path.trim;
    // In runs up to the end of the ring: no wrap test per sample.
    for (let done = 0; done < n; ) {
      const start = this.historyIndex;
      const run = Math.min(n - done, length - start);
      for (let c = 0; c < this.channels; c++) {
        const h = this.history[c];
        const x = input[c];
        const w = path.work[c];
        const from = offset + done;
        for (let i = 0; i < run; i++) {
          const v = x[from + i];
          h[start + i] = v;
          w[done + i] = v * trim;
        }
      }
      done += run;
      this.historyIndex = start + run === length ? 0 : start + run;
    }
  }

  private copyOut(work: readonly Float64Array[], output: readonly Float32Array[], offset: number, n: number): void {
    for (let c = 0; c < this.channels; c++) {
      const w = work[c];
      const y = output[c];
      for (let i = 0; i < n; i++) y[offset + i] = w[i];
    }
  }
}
