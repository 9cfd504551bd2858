import { channelWeights } from './channel-weights';
import { designKWeighting } from './kweighting';
import { designInterpolator, truePeakOversampling, type PolyphaseInterpolator } from './truepeak';

/**
 * Loudness stage (a): audio → K-weighted 100 ms block energies per channel, plus what needs the
 * samples themselves: exact (sample-by-sample) momentary and short-term maxima, sample peak and
 * true peak. Stage (b) (loudness-stats.ts) turns block energies into M/S/I/LRA; the device's
 * meter kernel produces the same block energies in gen~.
 *
 * Results do not depend on how the audio is chunked: every computation runs per sample or at
 * block boundaries, never per process() call.
 */

export const BLOCK_SECONDS = 0.1;
export const MOMENTARY_BLOCKS = 4;
export const SHORT_TERM_BLOCKS = 30;
/** True-peak work is skipped per sub-block when its samples cannot reach the peak so far. */
const TP_SUB_BLOCK = 32;

export function blockLengthFor(sampleRate: number): number {
  return Math.round(sampleRate * BLOCK_SECONDS);
}

export interface BlockEnergySink {
  /** meanSquares[c]: K-weighted mean square of channel c over block `index` (reused array). */
  (meanSquares: Float64Array, index: number): void;
}

export interface LoudnessBlockMeterOptions {
  sampleRate: number;
  channels: number;
  weights?: Float64Array;
  onBlock?: BlockEnergySink;
}

export interface WindowMaxima {
  /** Largest channel-weighted mean square of any 400 ms window ending in the span (0 if none). */
  momentaryEnergy: number;
  /** Same for 3 s windows. */
  shortTermEnergy: number;
}

export class LoudnessBlockMeter {
  readonly sampleRate: number;
  readonly channels: number;
  readonly blockLength: number;
  readonly weights: Float64Array;

  private readonly onBlock: BlockEnergySink | undefined;
  private readonly filterCoefficients: Float64Array; // shelf b0 b1 b2 a1 a2, highpass b0 b1 b2 a1 a2
  private readonly filterState: Float64Array; // per channel: shelf z1 z2, highpass z1 z2
  private readonly blockSums: Float64Array;
  private readonly blockMeans: Float64Array;
  private blockPosition = 0;
  private blockIndex = 0;

  // Exact sliding windows over the channel-weighted per-sample energy.
  private readonly momentaryLength: number;
  private readonly shortTermLength: number;
  private readonly energyRing: Float64Array;
  private ringWrite = 0;
  private momentarySum = 0;
  private shortTermSum = 0;
  private momentaryMaxSum = 0;
  private shortTermMaxSum = 0;
  private readonly recentBlockSums: Float64Array; // weighted sums of the last SHORT_TERM_BLOCKS blocks
  private recentBlockCount = 0;

  // Peaks.
  private readonly samplePeaks: Float64Array;
  private readonly truePeaks: Float64Array;
  private readonly interpolator: PolyphaseInterpolator;
  private readonly history: number;
  /** Input samples are float32 already, so the history copy is a plain memory copy; sums run in double. */
  private readonly peakBuffers: Float32Array[];
  private readonly previousSubBlockPeak: Float64Array;
  /** Per channel, the sample peak of each 32-sample sub-block of the current block. */
  private readonly subBlockPeaks: Float64Array[];
  /** First of the four central taps used to screen interpolated points, and per phase the L1 norm of the rest. */
  private readonly coreTapStart: number;
  private readonly tailBounds: Float64Array;

  // Scratch, grown once to the largest chunk seen.
  private energy = new Float64Array(0);
  private filtered: Float64Array[] = [];

  constructor(options: LoudnessBlockMeterOptions) {
    const { sampleRate, channels } = options;
    if (!Number.isInteger(channels) || channels < 1 || channels > 64) {
      throw new RangeError(`loudness meter: ${channels} channels is outside 1–64`);
    }
    const k = designKWeighting(sampleRate);
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.weights = options.weights ?? channelWeights(channels);
    if (this.weights.length !== channels) {
      throw new RangeError(`loudness meter: ${this.weights.length} channel weights for ${channels} channels`);
    }
    this.onBlock = options.onBlock;
    this.blockLength = blockLengthFor(sampleRate);
    this.filterCoefficients = Float64Array.of(
      k.shelf.b0, k.shelf.b1, k.shelf.b2, k.shelf.a1, k.shelf.a2,
      k.highpass.b0, k.highpass.b1, k.highpass.b2, k.highpass.a1, k.highpass.a2,
    );
    this.filterState = new Float64Array(channels * 4);
    this.blockSums = new Float64Array(channels);
    this.blockMeans = new Float64Array(channels);
    this.momentaryLength = this.blockLength * MOMENTARY_BLOCKS;
    this.shortTermLength = this.blockLength * SHORT_TERM_BLOCKS;
    this.energyRing = new Float64Array(this.shortTermLength);
    this.recentBlockSums = new Float64Array(SHORT_TERM_BLOCKS);

    this.samplePeaks = new Float64Array(channels);
    this.truePeaks = new Float64Array(channels);
    this.interpolator = designInterpolator(truePeakOversampling(sampleRate));
    this.history = this.interpolator.tapsPerPhase - 1;
    this.peakBuffers = [];
    this.subBlockPeaks = [];
    const subBlocks = Math.ceil((this.blockLength + this.interpolator.delay) / TP_SUB_BLOCK);
    for (let c = 0; c < channels; c++) {
      this.peakBuffers.push(new Float32Array(this.history + this.blockLength + this.interpolator.delay));
      this.subBlockPeaks.push(new Float64Array(subBlocks));
    }
    this.previousSubBlockPeak = new Float64Array(channels);
    this.coreTapStart = Math.max(0, this.interpolator.delay - 2);
    this.tailBounds = new Float64Array(this.interpolator.factor);
    this.interpolator.phases.forEach((h, p) => {
      let tail = 0;
      h.forEach((tap, k) => {
        if (k < this.coreTapStart || k > this.coreTapStart + 3) tail += Math.abs(tap);
      });
      // A hair of margin so rounding in the screen can never hide a true peak.
      this.tailBounds[p] = tail * (1 + 1e-9) + 1e-12;
    });
  }

  /** Feeds `frames` frames of planar audio. Never allocates once the largest chunk size was seen. */
  process(input: readonly Float32Array[], frames: number): void {
    if (input.length < this.channels) {
      throw new RangeError(`loudness meter: ${input.length} input channels, expected ${this.channels}`);
    }
    if (this.energy.length < frames) {
      this.energy = new Float64Array(frames);
      this.filtered = Array.from({ length: this.channels }, () => new Float64Array(frames));
    }
    let offset = 0;
    while (offset < frames) {
      const n = Math.min(frames - offset, this.blockLength - this.blockPosition);
      this.processSpan(input, offset, n);
      offset += n;
      this.blockPosition += n;
      if (this.blockPosition === this.blockLength) this.completeBlock();
    }
  }

  private processSpan(input: readonly Float32Array[], offset: number, n: number): void {
    const coef = this.filterCoefficients;
    const sb0 = coef[0], sb1 = coef[1], sb2 = coef[2], sa1 = coef[3], sa2 = coef[4];
    const hb0 = coef[5], hb1 = coef[6], hb2 = coef[7], ha1 = coef[8], ha2 = coef[9];
    const state = this.filterState;
    // Only branch-free work inside the filter loop: a branch on the samples halves its speed in V8.
    for (let c = 0; c < this.channels; c++) {
      const x = input[c];
      const y = this.filtered[c];
      const subPeaks = this.subBlockPeaks[c];
      let s1 = state[c * 4], s2 = state[c * 4 + 1], h1 = state[c * 4 + 2], h2 = state[c * 4 + 3];
      let sum = 0;
      let position = this.blockPosition;
      for (let i = 0; i < n; ) {
        // One 32-sample true-peak sub-block (or the part of it in this span) at a time.
        const end = Math.min(n, i + TP_SUB_BLOCK - (position % TP_SUB_BLOCK));
        const sub = (position / TP_SUB_BLOCK) | 0;
        let peak = position % TP_SUB_BLOCK === 0 ? 0 : subPeaks[sub];
        position += end - i;
        for (; i < end; i++) {
          const v = x[offset + i];
          peak = Math.max(peak, Math.abs(v));
          // Transposed direct form II, shelf then high-pass.
          const u = sb0 * v + s1;
          s1 = sb1 * v - sa1 * u + s2;
          s2 = sb2 * v - sa2 * u;
          const out = hb0 * u + h1;
          h1 = hb1 * u - ha1 * out + h2;
          h2 = hb2 * u - ha2 * out;
          y[i] = out;
          sum += out * out;
        }
        subPeaks[sub] = peak;
      }
      state[c * 4] = s1;
      state[c * 4 + 1] = s2;
      state[c * 4 + 2] = h1;
      state[c * 4 + 3] = h2;
      this.blockSums[c] += sum;
      this.peakBuffers[c].set(x.subarray(offset, offset + n), this.history + this.blockPosition);
    }
    this.slideWindows(n);
  }

  /** Channel-weighted energy per sample of the span, stereo (the common case) in one pass. */
  private weightedEnergy(n: number): Float64Array {
    const e = this.energy;
    const y = this.filtered;
    const w = this.weights;
    if (this.channels === 2) {
      const left = y[0], right = y[1], wl = w[0], wr = w[1];
      for (let i = 0; i < n; i++) e[i] = wl * left[i] * left[i] + wr * right[i] * right[i];
      return e;
    }
    const first = y[0], w0 = w[0];
    for (let i = 0; i < n; i++) e[i] = w0 * first[i] * first[i];
    for (let c = 1; c < this.channels; c++) {
      const yc = y[c], wc = w[c];
      if (wc !== 0) for (let i = 0; i < n; i++) e[i] += wc * yc[i] * yc[i];
    }
    return e;
  }

  private slideWindows(n: number): void {
    const e = this.weightedEnergy(n);
    const ring = this.energyRing;
    const ringLength = this.shortTermLength;
    let write = this.ringWrite;
    let momentaryRead = write - this.momentaryLength;
    if (momentaryRead < 0) momentaryRead += ringLength;
    let m = this.momentarySum;
    let s = this.shortTermSum;
    let mMax = this.momentaryMaxSum;
    let sMax = this.shortTermMaxSum;
    // Spans never cross a block boundary and the ring holds whole blocks, so neither index wraps
    // inside this loop; Math.max keeps it branch-free.
    for (let i = 0; i < n; i++) {
      const v = e[i];
      m += v - ring[momentaryRead + i];
      s += v - ring[write + i];
      ring[write + i] = v;
      mMax = Math.max(mMax, m);
      sMax = Math.max(sMax, s);
    }
    write += n;
    if (write === ringLength) write = 0;
    this.ringWrite = write;
    this.momentarySum = m;
    this.shortTermSum = s;
    this.momentaryMaxSum = mMax;
    this.shortTermMaxSum = sMax;
  }

  private completeBlock(): void {
    const length = this.blockLength;
    let weighted = 0;
    for (let c = 0; c < this.channels; c++) {
      this.blockMeans[c] = this.blockSums[c] / length;
      weighted += this.weights[c] * this.blockSums[c];
      this.blockSums[c] = 0;
    }
    this.resyncWindows(weighted);
    for (let c = 0; c < this.channels; c++) this.scanTruePeak(c, length, length);
    this.onBlock?.(this.blockMeans, this.blockIndex);
    this.blockIndex++;
    this.blockPosition = 0;
  }

  /** Replaces the running sums by exact block sums at each boundary so rounding cannot drift over hours. */
  private resyncWindows(weightedBlockSum: number): void {
    const recent = this.recentBlockSums;
    recent[this.blockIndex % SHORT_TERM_BLOCKS] = weightedBlockSum;
    this.recentBlockCount = Math.min(this.recentBlockCount + 1, SHORT_TERM_BLOCKS);
    let m = 0;
    let s = 0;
    for (let j = 0; j < this.recentBlockCount; j++) {
      const v = recent[(this.blockIndex - j + SHORT_TERM_BLOCKS) % SHORT_TERM_BLOCKS];
      if (j < MOMENTARY_BLOCKS) m += v;
      s += v;
    }
    this.momentarySum = m;
    this.shortTermSum = s;
  }

  /**
   * Interpolates the block's samples (plus `delay` look-ahead samples already in the buffer or
   * zeros at the end of the stream) where the sub-block could exceed the true peak so far, then
   * keeps the last taps as history for the next block.
   */
  private scanTruePeak(c: number, samples: number, keepFrom: number): void {
    const buffer = this.peakBuffers[c];
    const { phases, factor, tapsPerPhase, gainBound } = this.interpolator;
    const history = this.history;
    let truePeak = this.truePeaks[c];
    let samplePeak = this.samplePeaks[c];
    const subPeaks = this.subBlockPeaks[c];
    const subBlocks = Math.ceil(samples / TP_SUB_BLOCK);
    let previous = this.previousSubBlockPeak[c];
    for (let sub = 0; sub < subBlocks; sub++) {
      const from = history + sub * TP_SUB_BLOCK;
      const to = history + Math.min(samples, (sub + 1) * TP_SUB_BLOCK);
      const current = subPeaks[sub];
      if (current > samplePeak) samplePeak = current;
      const windowPeak = current > previous ? current : previous;
      previous = current;
      if (factor === 1 || windowPeak * gainBound <= truePeak) continue;
      // Output index j interpolates just after buffer[j − delay]; taps reach back tapsPerPhase − 1.
      // Screen each point with the four central taps: the outer taps can add at most
      // tail[p] × windowPeak, so only points that could beat the peak get the full filter.
      const core = this.coreTapStart;
      for (let j = from; j < to; j++) {
        for (let p = 1; p < factor; p++) {
          const h = phases[p];
          const screen =
            h[core] * buffer[j - core] + h[core + 1] * buffer[j - core - 1] + h[core + 2] * buffer[j - core - 2] + h[core + 3] * buffer[j - core - 3];
          const bound = (screen < 0 ? -screen : screen) + this.tailBounds[p] * windowPeak;
          if (bound <= truePeak) continue;
          let acc = 0;
          for (let k = 0; k < tapsPerPhase; k++) acc += h[k] * buffer[j - k];
          const a = acc < 0 ? -acc : acc;
          if (a > truePeak) truePeak = a;
        }
      }
    }
    this.samplePeaks[c] = samplePeak;
    this.truePeaks[c] = truePeak > samplePeak ? truePeak : samplePeak;
    buffer.copyWithin(0, keepFrom, keepFrom + history);
    // The history samples open the next block's first window, whatever the sub-block grid.
    let historyPeak = 0;
    for (let j = 0; j < history; j++) {
      const a = buffer[j] < 0 ? -buffer[j] : buffer[j];
      if (a > historyPeak) historyPeak = a;
    }
    this.previousSubBlockPeak[c] = historyPeak;
  }


  /**
   * Ends the stream: the partial last block counts towards peaks and window maxima but is not
   * reported as a block (BS.1770 gates only whole blocks). The meter cannot be fed afterwards.
   */
  finish(): void {
    const delay = this.interpolator.delay;
    for (let c = 0; c < this.channels; c++) {
      const buffer = this.peakBuffers[c];
      const start = this.history + this.blockPosition;
      buffer.fill(0, start, start + delay);
      // Sub-blocks made only of the zero padding have no peak yet.
      const subPeaks = this.subBlockPeaks[c];
      for (let sub = Math.ceil(this.blockPosition / TP_SUB_BLOCK); sub * TP_SUB_BLOCK < this.blockPosition + delay; sub++) subPeaks[sub] = 0;
      // The last `delay` samples' interpolations need look-ahead; zeros stand in after the end.
      this.scanTruePeak(c, this.blockPosition + delay, this.blockPosition + delay);
    }
    this.blockPosition = 0;
  }

  /** Whole blocks reported so far. */
  get blocks(): number {
    return this.blockIndex;
  }

  samplePeak(channel: number): number {
    return this.samplePeaks[channel];
  }

  /** True peak (linear) of channel so far; complete after finish(). */
  truePeak(channel: number): number {
    return this.truePeaks[channel];
  }

  /** Window maxima since the start or the last takeMaxima(), then starts a new span. */
  takeMaxima(): WindowMaxima {
    const result = this.peekMaxima();
    this.momentaryMaxSum = 0;
    this.shortTermMaxSum = 0;
    return result;
  }

  peekMaxima(): WindowMaxima {
    return {
      momentaryEnergy: this.momentaryMaxSum / this.momentaryLength,
      shortTermEnergy: this.shortTermMaxSum / this.shortTermLength,
    };
  }
}
