import { PRESET_LIMITS, type LimiterSettings } from '../shared/preset';
import { GainReductionReadout } from './gain-reduction';
import { checkBuffers, checkChannelCount, checkSampleRate, type AudioProcessor, type Channel } from './processor';
import { designInterpolator, truePeakOversampling, type PolyphaseInterpolator } from './truepeak';
import { dbToGain, gainToDb } from './units';

/**
 * Lookahead true-peak limiter whose output, measured as the loudness meter measures it, stays
 * under the ceiling for any input.
 *
 * Each stage (LookaheadStage below) detects the true peak with the meter's own polyphase
 * interpolator (truepeak.ts, 4× below 96 kHz), so limiter and meter agree on what "over" means,
 * and builds a gain that is never above what any interval needs. That alone does not bound the
 * output's true peak: the gain changes within the interpolator's 16-sample window during a fast
 * attack, and the interpolated value of gain × signal is not gain × interpolated signal.
 * Adversarial inputs (near-Nyquist bursts growing by 8 dB within 0.5 ms) reach +0.1 dB. So a
 * second, short stage measures the first stage's actual output and takes off what is left. Its
 * own reductions are a fraction of a dB, so its gain barely varies within a window and the error
 * it can make is second order: under 1e-6 dB in every search we ran (random programme, the
 * overs in the tests, a hill-climbing adversary), which ROUNDING_MARGIN_DB covers.
 * At 192 kHz and above the true peak is the sample peak and one stage is exact.
 *
 * The latency depends on the lookahead, and Live compensates a device's latency once, so a new
 * lookahead takes effect at reset(); the other settings take effect at once. A recall mid-song
 * does not change a limiter's settings but starts a second processing path and crossfades to it
 * (chain.ts). Switched off, the limiter still delays the audio, so the latency never changes.
 */

/**
 * The stages aim this far under the ceiling, so rounding the output to 32-bit float or 24-bit
 * integers (half a step is up to 6e-7 dB at −1 dBFS) cannot carry a peak over it.
 */
const ROUNDING_MARGIN_DB = 0.001;

export class TruePeakLimiter implements AudioProcessor {
  readonly channels: number;
  readonly maxBlockFrames: number;
  readonly gainReduction = new GainReductionReadout();
  private sampleRate = 0;
  private settings: LimiterSettings;
  /** What the stages aim at: the ceiling less the rounding margin, as a gain. */
  private ceiling: number;
  private main!: LookaheadStage;
  private catcher: LookaheadStage | null = null;

  constructor(settings: LimiterSettings, sampleRate: number, channels: number, maxBlockFrames = 2048) {
    checkChannelCount('limiter', channels);
    if (!Number.isInteger(maxBlockFrames) || maxBlockFrames < 1) throw new RangeError(`limiter: block size ${maxBlockFrames} must be a whole number ≥ 1`);
    checkSettings(settings);
    this.channels = channels;
    this.maxBlockFrames = maxBlockFrames;
    this.settings = { ...settings };
    this.ceiling = ceilingGain(settings);
    this.setSampleRate(sampleRate);
  }

  /** Samples between a frame entering and leaving. */
  get latencySamples(): number {
    return this.main.latency + (this.catcher?.latency ?? 0);
  }

  /** Takes new settings at once; a changed lookahead waits for reset() (see above). Switched in, it starts from rest. */
  setSettings(settings: LimiterSettings): void {
    checkSettings(settings);
    if (settings.enabled && !this.settings.enabled) {
      this.main.clearDetector();
      this.catcher?.clearDetector();
    }
    this.settings = { ...settings };
    this.ceiling = ceilingGain(settings);
    this.main.setRelease(settings.releaseMs, this.sampleRate);
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('limiter', sampleRate);
    this.sampleRate = sampleRate;
    const interpolator = designInterpolator(truePeakOversampling(sampleRate));
    const longest = windowLength(PRESET_LIMITS.lookaheadMs.max, sampleRate);
    this.main = new LookaheadStage(interpolator, this.channels, this.maxBlockFrames, longest);
    // The catcher ramps over one interpolator length: its reductions are small, so this is gentle.
    this.catcher = interpolator.factor > 1 ? new LookaheadStage(interpolator, this.channels, this.maxBlockFrames, interpolator.tapsPerPhase) : null;
    this.reset();
  }

  reset(): void {
    this.main.configure(windowLength(this.settings.lookaheadMs, this.sampleRate));
    this.main.setRelease(this.settings.releaseMs, this.sampleRate);
    // Instant release: after its window the catcher's gain ramps straight back up.
    this.catcher?.configure(this.catcher.capacity);
    this.gainReduction.clear();
  }

  /**
   * Hears audio that played before this limiter started, without limiting or delaying it: the
   * main stage's held gain follows those frames' sample peaks with the release, as it would had
   * it been limiting them, so a limiter started mid-song (a recall's new path, chain.ts) begins
   * where a slow release would still be holding the gain down instead of at unity. Call after
   * reset() and before process(). Starting lower than the peaks ahead need is always safe.
   */
  listen(input: readonly Channel[], frames: number): void {
    checkBuffers('limiter', this.channels, input, input, frames);
    if (this.settings.enabled) this.main.listen(input, frames, this.ceiling);
  }

  process(input: readonly Channel[], output: readonly Channel[], frames: number): void {
    checkBuffers('limiter', this.channels, input, output, frames);
    for (let offset = 0; offset < frames; offset += this.maxBlockFrames) {
      const n = Math.min(this.maxBlockFrames, frames - offset);
      if (!this.settings.enabled) {
        this.main.delay(input, output, offset, n);
        this.catcher?.delay(output, output, offset, n);
        this.gainReduction.record(0, 0);
      } else {
        this.main.process(input, output, offset, n, this.ceiling);
        let lowest = this.main.lowestGain;
        let last = this.main.lastGain;
        if (this.catcher) {
          this.catcher.process(output, output, offset, n, this.ceiling);
          lowest *= this.catcher.lowestGain;
          last *= this.catcher.lastGain;
        }
        this.gainReduction.record(-gainToDb(lowest), -gainToDb(last));
      }
    }
  }
}

const GAIN_QUANTUM = 2 ** 30;
const QUANTUM_STEP = 1 / GAIN_QUANTUM;
/** Detector skip granularity: a group whose samples cannot reach the ceiling is not interpolated. */
const MIN_SKIP_GROUP = 16;
/** Headroom on the skip bound so a skipped group and an interpolated one give bit-identical gains. */
const SKIP_MARGIN = 1 + 1e-12;
/** The lookahead window is at least this long so the ramp is never a step. */
const MIN_WINDOW = 2;

/**
 * One detector + gain smoother + delay. Each detected interval asks for ceiling/peak; the gain
 * that reaches a sample is never above any request whose interpolation window it sits in:
 *
 *   1. a sliding minimum of the requests over W + T − 1 samples (T interpolator taps, W the
 *      window) — a hold covering every interpolation window a sample takes part in;
 *   2. a one-pole release that may only rise towards that minimum, never past it;
 *   3. a W-sample moving average, which turns each drop into a straight ramp ending before the
 *      peak arrives: every term of the average is ≤ the request, so the mean is too;
 *   4. the audio delayed by W + T − 2 samples to line up with its gain.
 *
 * The moving sum runs on gains rounded down to multiples of 2⁻³⁰, so it is exact integer
 * arithmetic in doubles: it cannot drift over a show, and rounding only ever lowers the gain.
 */
class LookaheadStage {
  readonly capacity: number;
  latency = 0;
  lastGain = 1;
  lowestGain = 1;
  private window = 0;
  private span = 0;
  private releaseStep = 1;
  private readonly interpolator: PolyphaseInterpolator;
  private readonly intervals: IntervalPeaks;
  private readonly delayLines: Float64Array[];
  private delayIndex = 0;
  private readonly history: Float64Array[];
  private readonly peaks: Float64Array;
  /** The gain process() computes for each frame of the block. */
  private readonly gains: Float64Array;
  private readonly dequeGains: Float64Array;
  private readonly dequeTimes: Float64Array;
  private dequeHead = 0;
  private dequeSize = 0;
  private held = 1;
  private readonly averageTerms: Float64Array;
  private averageIndex = 0;
  private averageSum = 0;
  /** Samples since the detector was cleared; a double counts exactly for 5000 years at 48 kHz. */
  private now = 0;

  constructor(interpolator: PolyphaseInterpolator, channels: number, maxBlockFrames: number, longestWindow: number) {
    this.interpolator = interpolator;
    this.intervals = new IntervalPeaks(interpolator);
    this.capacity = longestWindow;
    const taps = interpolator.tapsPerPhase;
    const longest = longestWindow + taps;
    this.delayLines = Array.from({ length: channels }, () => new Float64Array(longest));
    this.history = Array.from({ length: channels }, () => new Float64Array(taps - 1 + maxBlockFrames));
    this.peaks = new Float64Array(maxBlockFrames);
    this.gains = new Float64Array(maxBlockFrames);
    this.dequeGains = new Float64Array(longest);
    this.dequeTimes = new Float64Array(longest);
    this.averageTerms = new Float64Array(longest);
  }

  /** Sets the window (≤ capacity) and clears everything. */
  configure(window: number): void {
    const taps = this.interpolator.tapsPerPhase;
    this.window = Math.min(window, this.capacity);
    this.span = this.window + taps - 1;
    this.latency = this.window + taps - 2;
    for (const line of this.delayLines) line.fill(0);
    this.delayIndex = 0;
    this.clearDetector();
  }

  setRelease(releaseMs: number, sampleRate: number): void {
    this.releaseStep = 1 - Math.exp(-1000 / (releaseMs * sampleRate));
  }

  clearDetector(): void {
    for (const history of this.history) history.fill(0);
    this.dequeHead = 0;
    this.dequeSize = 0;
    this.held = 1;
    this.averageTerms.fill(GAIN_QUANTUM, 0, this.window);
    this.averageIndex = 0;
    this.averageSum = this.window * GAIN_QUANTUM;
    this.now = 0;
    this.lastGain = 1;
  }

  /** Limits frames [offset, offset + n) of input into output; lowestGain and lastGain tell what it applied. */
  process(input: readonly Channel[], output: readonly Channel[], offset: number, n: number, ceiling: number): void {
    const quiet = this.detect(input, offset, n, ceiling);
    if (quiet && this.isResting()) {
      this.passThrough(input, output, offset, n);
      this.lowestGain = 1;
      return;
    }
    const { window, span, releaseStep, peaks, gains, dequeGains, dequeTimes, averageTerms } = this;
    const capacity = dequeGains.length;
    const scale = window * GAIN_QUANTUM;
    let { dequeHead, dequeSize, held, averageIndex, averageSum, now } = this;
    let lowest = 1;
    let gain = 1;
    for (let i = 0; i < n; ) {
      // Resting (isResting()) with requests of 1 ahead: each such sample would only leave one
      // entry of 1 in the deque and a gain of exactly 1, so skip to the end of the run.
      if (held === 1 && peaks[i] <= ceiling && averageSum === scale && (dequeSize === 0 || dequeGains[dequeHead] === 1)) {
        const from = i;
        while (i < n && peaks[i] <= ceiling) gains[i++] = 1;
        now += i - from;
        dequeSize = 1;
        dequeGains[dequeHead] = 1;
        dequeTimes[dequeHead] = now - 1;
        averageIndex = (averageIndex + (i - from)) % window;
        gain = 1;
        continue;
      }
      const peak = peaks[i];
      const request = peak > ceiling ? ceiling / peak : 1;
      // Sliding minimum: a ring-buffer deque of requests, increasing from head to tail.
      while (dequeSize > 0 && dequeGains[wrap(dequeHead + dequeSize - 1, capacity)] >= request) dequeSize--;
      const tail = wrap(dequeHead + dequeSize, capacity);
      dequeGains[tail] = request;
      dequeTimes[tail] = now;
      dequeSize++;
      if (dequeTimes[dequeHead] <= now - span) {
        dequeHead = dequeHead + 1 === capacity ? 0 : dequeHead + 1;
        dequeSize--;
      }
      const minimum = dequeGains[dequeHead];
      held = minimum < held ? minimum : held + (minimum - held) * releaseStep;
      // Within one quantum the average cannot see the difference; landing exactly lets the gain return to exactly 1.
      if (minimum - held < QUANTUM_STEP) held = minimum;
      const term = Math.floor(held * GAIN_QUANTUM);
      averageSum += term - averageTerms[averageIndex];
      averageTerms[averageIndex] = term;
      averageIndex = averageIndex + 1 === window ? 0 : averageIndex + 1;
      gain = averageSum / scale;
      if (gain < lowest) lowest = gain;
      gains[i++] = gain;
      now++;
    }
    this.dequeHead = dequeHead;
    this.dequeSize = dequeSize;
    this.held = held;
    this.averageIndex = averageIndex;
    this.averageSum = averageSum;
    this.now = now;
    this.lastGain = gain;
    this.lowestGain = lowest;
    this.applyGains(input, output, offset, n);
  }

  /**
   * The delay lines, each channel through its whole block at once, times gains[]: one tight loop
   * per channel instead of a channel loop inside the smoothing loop.
   */
  private applyGains(input: readonly Channel[], output: readonly Channel[], offset: number, n: number): void {
    const { gains, latency } = this;
    let delayIndex = this.delayIndex;
    for (let c = 0; c < this.delayLines.length; c++) {
      const line = this.delayLines[c];
      const x = input[c];
      const y = output[c];
      delayIndex = this.delayIndex;
      for (let i = 0; i < n; i++) {
        const delayed = line[delayIndex];
        line[delayIndex] = x[offset + i];
        y[offset + i] = delayed * gains[i];
        delayIndex = delayIndex + 1 === latency ? 0 : delayIndex + 1;
      }
    }
    this.delayIndex = delayIndex;
  }

  /** TruePeakLimiter.listen(): the held gain over `frames` of sample-peak requests; the average starts full of it. */
  listen(input: readonly Channel[], frames: number, ceiling: number): void {
    const channels = input.length;
    const releaseStep = this.releaseStep;
    let held = this.held;
    for (let i = 0; i < frames; i++) {
      let peak = 0;
      for (let c = 0; c < channels; c++) {
        const a = Math.abs(input[c][i]);
        if (a > peak) peak = a;
      }
      const request = peak > ceiling ? ceiling / peak : 1;
      held = request < held ? request : held + (request - held) * releaseStep;
      if (request - held < QUANTUM_STEP) held = request;
    }
    this.held = held;
    const term = Math.floor(held * GAIN_QUANTUM);
    this.averageTerms.fill(term, 0, this.window);
    this.averageSum = term * this.window;
    this.lastGain = term / GAIN_QUANTUM;
  }

  /** At unity with nothing in the window asking for less: a block of requests of 1 cannot change the gain. */
  private isResting(): boolean {
    return this.held === 1 && this.averageSum === this.window * GAIN_QUANTUM && (this.dequeSize === 0 || this.dequeGains[this.dequeHead] === 1);
  }

  /**
   * What process() computes for a block of requests that are all 1 while resting — gain 1
   * throughout — without the per-sample smoothing. The state ends as process() would leave it:
   * the window holds only 1s, so one entry stands for all of them.
   */
  private passThrough(input: readonly Channel[], output: readonly Channel[], offset: number, n: number): void {
    this.delay(input, output, offset, n);
    this.now += n;
    this.dequeHead = 0;
    this.dequeSize = 1;
    this.dequeGains[0] = 1;
    this.dequeTimes[0] = this.now - 1;
    this.averageIndex = (this.averageIndex + n) % this.window;
    this.lastGain = 1;
  }

  /** Switched off: the audio keeps its delay so the latency (and Live's compensation) never changes. */
  delay(input: readonly Channel[], output: readonly Channel[], offset: number, n: number): void {
    // A gain of exactly 1 leaves every sample as it was.
    this.gains.fill(1, 0, n);
    this.applyGains(input, output, offset, n);
  }

  /**
   * peaks[i]: true peak of the interval the interpolator completes at sample i, loudest channel.
   * Returns true when no sample of the block can reach the ceiling (every request is 1).
   */
  private detect(input: readonly Channel[], offset: number, n: number, ceiling: number): boolean {
    const { tapsPerPhase, gainBound } = this.interpolator;
    const { peaks, intervals } = this;
    peaks.fill(0, 0, n);
    const base = tapsPerPhase - 1;
    const group = Math.max(MIN_SKIP_GROUP, tapsPerPhase);
    // An interpolated point never exceeds gainBound × the largest sample in its window.
    const skipBelow = ceiling / (gainBound * SKIP_MARGIN);
    let quiet = true;
    for (let c = 0; c < this.history.length; c++) {
      const history = this.history[c];
      const x = input[c];
      // A group's windows reach back base samples: the previous group (or the history) covers them.
      let previousPeak = 0;
      for (let j = 0; j < base; j++) previousPeak = Math.max(previousPeak, Math.abs(history[j]));
      for (let from = 0; from < n; from += group) {
        const to = Math.min(n, from + group);
        // The group enters the history and is measured in one pass.
        let groupPeak = 0;
        for (let i = from; i < to; i++) {
          const sample = x[offset + i];
          history[base + i] = sample;
          const a = Math.abs(sample);
          if (a > groupPeak) groupPeak = a;
        }
        const windowPeak = groupPeak > previousPeak ? groupPeak : previousPeak;
        previousPeak = groupPeak;
        if (windowPeak <= skipBelow) continue;
        quiet = false;
        intervals.raise(history, base, from, to, peaks);
      }
      history.copyWithin(0, n, n + base);
    }
    return quiet;
  }
}

/**
 * The true peak of one interval — its first sample and the interpolated points after it — with
 * the interpolator's symmetry folded in (this is the limiter's hot loop). A windowed sinc is
 * symmetric about its centre, so phase F − p is phase p reversed and the half-sample phase is
 * its own mirror: with s and d the sums and differences of the window's mirrored sample pairs,
 * the half-sample point is Σ h·s, and phases p and F − p are E ± O with E = Σ even·s and
 * O = Σ odd·d. Half the multiplies of the direct form; the values agree with the meter's to
 * rounding. Phases that a factor does not have keep zero taps, so one loop serves 1×, 2× and 4×.
 */
class IntervalPeaks {
  private readonly half: number;
  private readonly span: number;
  private readonly delay: number;
  private readonly middle: Float64Array;
  private readonly even: Float64Array;
  private readonly odd: Float64Array;

  constructor({ factor, tapsPerPhase, phases, delay }: PolyphaseInterpolator) {
    if (factor > 4) throw new RangeError(`limiter: ${factor}× oversampling is not supported (1, 2 or 4)`);
    const last = tapsPerPhase - 1;
    for (let p = 1; p < factor; p++) {
      for (let k = 0; k < tapsPerPhase; k++) {
        if (Math.abs(phases[p][k] - phases[factor - p][last - k]) > 1e-12) {
          throw new RangeError('limiter: the true-peak interpolator must be symmetric (linear phase) for the folded detector');
        }
      }
    }
    this.half = Math.floor(tapsPerPhase / 2);
    this.span = last;
    this.delay = delay;
    this.middle = new Float64Array(this.half);
    this.even = new Float64Array(this.half);
    this.odd = new Float64Array(this.half);
    for (let k = 0; k < this.half; k++) {
      if (factor >= 2) this.middle[k] = phases[factor / 2][k];
      if (factor === 4) {
        this.even[k] = (phases[1][k] + phases[1][last - k]) / 2;
        this.odd[k] = (phases[1][k] - phases[1][last - k]) / 2;
      }
    }
  }

  /**
   * peaks[i] becomes at least the largest magnitude among the points of the interval completed
   * at history[base + i], for i in [from, to). Two intervals at a time (the second is the first
   * again at an odd end): each one's sums are chains of dependent adds, and running two side by
   * side lets the CPU overlap them; each sum still adds its terms in the same order. A whole
   * group per call, and nothing returned: a double returned from a call V8 does not inline is
   * boxed, and process() must not allocate.
   */
  raise(history: Float64Array, base: number, from: number, to: number, peaks: Float64Array): void {
    const { half, middle, even, odd, span, delay } = this;
    for (let i = from; i < to; i += 2) {
      const j = i + 1 < to ? i + 1 : i;
      const newest = base + i;
      const far = newest - span;
      const nextNewest = base + j;
      const nextFar = nextNewest - span;
      let centre = 0;
      let e = 0;
      let o = 0;
      let nextCentre = 0;
      let nextE = 0;
      let nextO = 0;
      for (let k = 0; k < half; k++) {
        const a = history[newest - k];
        const b = history[far + k];
        const nextA = history[nextNewest - k];
        const nextB = history[nextFar + k];
        const sum = a + b;
        const nextSum = nextA + nextB;
        centre += middle[k] * sum;
        nextCentre += middle[k] * nextSum;
        e += even[k] * sum;
        nextE += even[k] * nextSum;
        o += odd[k] * (a - b);
        nextO += odd[k] * (nextA - nextB);
      }
      const peak = Math.max(Math.abs(history[newest - delay]), Math.abs(centre), Math.abs(e + o), Math.abs(e - o));
      if (peak > peaks[i]) peaks[i] = peak;
      const nextPeak = Math.max(Math.abs(history[nextNewest - delay]), Math.abs(nextCentre), Math.abs(nextE + nextO), Math.abs(nextE - nextO));
      if (nextPeak > peaks[j]) peaks[j] = nextPeak;
    }
  }
}

/** index mod capacity for 0 ≤ index < 2·capacity, without a division. */
function wrap(index: number, capacity: number): number {
  return index >= capacity ? index - capacity : index;
}

/** What the stages aim at: the ceiling less the rounding margin, as a gain. */
function ceilingGain(settings: LimiterSettings): number {
  return dbToGain(settings.ceilingDbtp - ROUNDING_MARGIN_DB);
}

function windowLength(lookaheadMs: number, sampleRate: number): number {
  return Math.max(MIN_WINDOW, Math.round((lookaheadMs * sampleRate) / 1000));
}

function checkSettings(settings: LimiterSettings): void {
  const { ceilingDbtp, releaseMs, lookaheadMs } = settings;
  if (!Number.isFinite(ceilingDbtp) || ceilingDbtp > 0) throw new RangeError(`limiter: ceiling ${ceilingDbtp} dBTP must be a number ≤ 0`);
  if (!Number.isFinite(releaseMs) || releaseMs <= 0) throw new RangeError(`limiter: release ${releaseMs} ms must be a positive number`);
  const { max } = PRESET_LIMITS.lookaheadMs;
  if (!Number.isFinite(lookaheadMs) || lookaheadMs <= 0 || lookaheadMs > max) {
    throw new RangeError(`limiter: lookahead ${lookaheadMs} ms is outside 0–${max} ms`);
  }
}
