import { channelWeights } from './channel-weights';
import { designKWeighting } from './kweighting';
import { STATE, TP_SUB_BLOCK, blockSumsIndex, createStereoKernel, type StereoKernel } from './stereo-loudness-kernel';
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
  /**
   * Run the portable JavaScript loop even for stereo, where the WebAssembly kernel would run.
   * Both give the same bits; this exists so tests can hold them to that.
   */
  portable?: boolean;
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
  /** Coefficients, window sums and maxima, filter memories and block sums (layout: STATE). */
  private readonly state: Float64Array;
  private readonly blockSumsAt: number;
  private readonly blockMeans: Float64Array;
  private blockPosition = 0;
  private blockIndex = 0;

  // Exact sliding windows over the channel-weighted per-sample energy.
  private readonly momentaryLength: number;
  private readonly shortTermLength: number;
  private readonly energyRing: Float64Array;
  private ringWrite = 0;
  private readonly recentBlockSums: Float64Array; // weighted sums of the last SHORT_TERM_BLOCKS blocks
  private recentBlockCount = 0;

  // Peaks.
  private readonly samplePeaks: Float64Array;
  private readonly truePeaks: Float64Array;
  private readonly interpolator: PolyphaseInterpolator;
  private readonly history: number;
  /** Per channel: true-peak history, then the current block's samples (float32 like the input, so filling it is a plain copy). */
  private readonly peakBuffers: Float32Array[];
  private readonly previousSubBlockPeak: Float64Array;
  /** The sample peak of each 32-sample sub-block of the current block, channel by channel within a sub-block. */
  private readonly subBlockPeaks: Float64Array;
  /** First of the four central taps used to screen interpolated points, and per phase the L1 norm of the rest. */
  private readonly coreTapStart: number;
  /** Per phase, its four central taps. */
  private readonly coreTaps: Float64Array;
  private readonly tailBounds: Float64Array;

  /** The stereo SIMD kernel and the byte addresses of its buffers, when it runs this meter. */
  private readonly kernel: StereoKernel | null;
  private readonly addresses = { state: 0, ring: 0, subBlockPeaks: 0, peakBuffers: [0, 0], windowPeaks: 0, coreTaps: 0, tailBounds: 0, candidates: 0 };
  /** The kernel's true-peak screen: per sub-block the window peak to screen with (0: skip), and the points it found. */
  private readonly windowPeaks: Float64Array;
  private readonly candidates: Int32Array;

  // Scratch of the portable loop, grown once to the largest span seen.
  private energy = new Float64Array(0);
  private channelEnergy: Float64Array[] = [];

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
    this.blockMeans = new Float64Array(channels);
    this.momentaryLength = this.blockLength * MOMENTARY_BLOCKS;
    this.shortTermLength = this.blockLength * SHORT_TERM_BLOCKS;
    this.recentBlockSums = new Float64Array(SHORT_TERM_BLOCKS);

    this.samplePeaks = new Float64Array(channels);
    this.truePeaks = new Float64Array(channels);
    this.interpolator = designInterpolator(truePeakOversampling(sampleRate));
    this.history = this.interpolator.tapsPerPhase - 1;
    const subBlocks = Math.ceil((this.blockLength + this.interpolator.delay) / TP_SUB_BLOCK);
    const peakBufferLength = this.history + this.blockLength + this.interpolator.delay;
    this.previousSubBlockPeak = new Float64Array(channels);
    this.coreTapStart = Math.max(0, this.interpolator.delay - 2);
    this.tailBounds = new Float64Array(this.interpolator.factor);
    this.coreTaps = new Float64Array(this.interpolator.factor * 4);
    this.interpolator.phases.forEach((h, p) => {
      let tail = 0;
      h.forEach((tap, k) => {
        if (k < this.coreTapStart || k > this.coreTapStart + 3) tail += Math.abs(tap);
        else this.coreTaps[4 * p + k - this.coreTapStart] = tap;
      });
      // A hair of margin so rounding in the screen can never hide a true peak.
      this.tailBounds[p] = tail * (1 + 1e-9) + 1e-12;
    });

    // The kernel keeps everything it touches in its own memory, 16-byte aligned: the state, the
    // ring, the sub-block peaks, the peak buffers it reads its input from and its true-peak screen.
    this.blockSumsAt = blockSumsIndex(channels);
    const stateLength = this.blockSumsAt + channels;
    let top = 0;
    const reserve = (bytes: number) => {
      const at = top;
      top += Math.ceil(bytes / 16) * 16;
      return at;
    };
    this.addresses.state = reserve(stateLength * 8);
    this.addresses.ring = reserve(this.shortTermLength * 8);
    this.addresses.subBlockPeaks = reserve(subBlocks * channels * 8);
    this.addresses.peakBuffers = Array.from({ length: channels }, () => reserve(peakBufferLength * 4));
    const { factor } = this.interpolator;
    const maxCandidates = (this.blockLength + this.interpolator.delay) * Math.max(1, factor - 1);
    this.addresses.windowPeaks = reserve(subBlocks * 8);
    this.addresses.coreTaps = reserve(factor * 4 * 16);
    this.addresses.tailBounds = reserve(factor * 8);
    this.addresses.candidates = reserve(maxCandidates * 4);
    this.kernel = channels === 2 && !options.portable ? createStereoKernel(top) : null;
    const memory = this.kernel?.memory;
    if (memory) {
      this.state = new Float64Array(memory, this.addresses.state, stateLength);
      this.energyRing = new Float64Array(memory, this.addresses.ring, this.shortTermLength);
      this.subBlockPeaks = new Float64Array(memory, this.addresses.subBlockPeaks, subBlocks * channels);
      this.peakBuffers = this.addresses.peakBuffers.map((at) => new Float32Array(memory, at, peakBufferLength));
      this.windowPeaks = new Float64Array(memory, this.addresses.windowPeaks, subBlocks);
      this.candidates = new Int32Array(memory, this.addresses.candidates, maxCandidates);
      // Each central tap in both lanes, so the kernel screens two points at once.
      const tapPairs = new Float64Array(memory, this.addresses.coreTaps, factor * 8);
      this.coreTaps.forEach((tap, k) => tapPairs.fill(tap, 2 * k, 2 * k + 2));
      new Float64Array(memory, this.addresses.tailBounds, factor).set(this.tailBounds);
    } else {
      this.state = new Float64Array(stateLength);
      this.energyRing = new Float64Array(this.shortTermLength);
      this.subBlockPeaks = new Float64Array(subBlocks * channels);
      this.peakBuffers = Array.from({ length: channels }, () => new Float32Array(peakBufferLength));
      this.windowPeaks = new Float64Array(0);
      this.candidates = new Int32Array(0);
    }
    const coefficients = [k.shelf.b0, k.shelf.b1, k.shelf.b2, k.shelf.a1, k.shelf.a2, k.highpass.a1, k.highpass.a2];
    coefficients.forEach((value, j) => this.state.fill(value, STATE.coefficients + 2 * j, STATE.coefficients + 2 * j + 2));
    if (channels === 2) this.state.set(this.weights, STATE.weights);
  }

  /** Feeds `frames` frames of planar audio. Never allocates once the largest chunk size was seen. */
  process(input: readonly Float32Array[], frames: number): void {
    if (input.length < this.channels) {
      throw new RangeError(`loudness meter: ${input.length} input channels, expected ${this.channels}`);
    }
    let offset = 0;
    while (offset < frames) {
      const n = Math.min(frames - offset, this.blockLength - this.blockPosition);
      this.copyIntoPeakBuffers(input, offset, n);
      if (this.kernel) this.kernelSpan(this.kernel, n);
      else this.portableSpan(input, offset, n);
      offset += n;
      this.blockPosition += n;
      if (this.blockPosition === this.blockLength) this.completeBlock();
    }
  }

  /**
   * Copies the span after the true-peak history, where the kernel reads it. A plain loop, not
   * set(subarray()): a view is a heap object, and a meter tapping the device's chain must not
   * allocate per block.
   */
  private copyIntoPeakBuffers(input: readonly Float32Array[], offset: number, n: number): void {
    const at = this.history + this.blockPosition;
    for (let c = 0; c < this.channels; c++) {
      const buffer = this.peakBuffers[c];
      const x = input[c];
      for (let i = 0; i < n; i++) buffer[at + i] = x[offset + i];
    }
  }

  /** The span's samples are in the peak buffers already, which is where the kernel reads them. */
  private kernelSpan(kernel: StereoKernel, n: number): void {
    const { state, ring, subBlockPeaks, peakBuffers } = this.addresses;
    const at = (this.history + this.blockPosition) * 4;
    const write = this.ringWrite;
    const momentaryRead = (write - this.momentaryLength + this.shortTermLength) % this.shortTermLength;
    kernel.span(state, peakBuffers[0] + at, peakBuffers[1] + at, n, this.blockPosition, subBlockPeaks, ring + write * 8, ring + momentaryRead * 8);
    this.advanceRing(n);
  }

  /**
   * Any channel count, one channel at a time, with the kernel's arithmetic in the kernel's order.
   * Only branch-free work inside the filter loop: a branch on the samples halves its speed in V8.
   */
  private portableSpan(input: readonly Float32Array[], offset: number, n: number): void {
    if (this.energy.length < n) {
      this.energy = new Float64Array(n);
      this.channelEnergy = Array.from({ length: this.channels }, () => new Float64Array(n));
    }
    const state = this.state;
    // Indices written out rather than through small helper closures: a closure made per call is
    // a heap allocation, and this runs per block of the device's chain.
    const k = STATE.coefficients;
    const sb0 = state[k], sb1 = state[k + 2], sb2 = state[k + 4], sa1 = state[k + 6], sa2 = state[k + 8];
    const ha1 = state[k + 10], ha2 = state[k + 12];
    const channels = this.channels;
    const peaks = this.subBlockPeaks;
    for (let c = 0; c < channels; c++) {
      const x = input[c];
      const energies = this.channelEnergy[c];
      // Filter memory m of channel c sits at STATE.filter + m · channels + c.
      const memory = STATE.filter + c;
      let x1 = state[memory], x2 = state[memory + channels], u1 = state[memory + 2 * channels], u2 = state[memory + 3 * channels];
      let y1 = state[memory + 4 * channels], y2 = state[memory + 5 * channels];
      let sum = state[this.blockSumsAt + c];
      let position = this.blockPosition;
      for (let i = 0; i < n; ) {
        // One 32-sample true-peak sub-block (or the part of it in this span) at a time.
        const end = Math.min(n, i + TP_SUB_BLOCK - (position % TP_SUB_BLOCK));
        const sub = (position / TP_SUB_BLOCK) | 0;
        let peak = position % TP_SUB_BLOCK === 0 ? 0 : peaks[sub * channels + c];
        position += end - i;
        for (; i < end; i++) {
          const v = x[offset + i];
          peak = Math.max(peak, Math.abs(v));
          // Direct form I, shelf then high-pass; the previous output's feedback comes last.
          const u = sb0 * v + sb1 * x1 + sb2 * x2 - sa2 * u2 - sa1 * u1;
          const out = u - (u1 + u1) + u2 - ha2 * y2 - ha1 * y1;
          x2 = x1;
          x1 = v;
          u2 = u1;
          u1 = u;
          y2 = y1;
          y1 = out;
          const energy = out * out;
          energies[i] = energy;
          sum += energy;
        }
        peaks[sub * channels + c] = peak;
      }
      state[memory] = x1;
      state[memory + channels] = x2;
      state[memory + 2 * channels] = u1;
      state[memory + 3 * channels] = u2;
      state[memory + 4 * channels] = y1;
      state[memory + 5 * channels] = y2;
      state[this.blockSumsAt + c] = sum;
    }
    this.slideWindows(this.weightedEnergy(n), n);
  }

  /** Channel-weighted energy per sample of the span from the per-channel energies. */
  private weightedEnergy(n: number): Float64Array {
    const e = this.energy;
    const energies = this.channelEnergy;
    const w = this.weights;
    const first = energies[0], w0 = w[0];
    for (let i = 0; i < n; i++) e[i] = w0 * first[i];
    for (let c = 1; c < this.channels; c++) {
      const ec = energies[c], wc = w[c];
      if (wc !== 0) for (let i = 0; i < n; i++) e[i] += wc * ec[i];
    }
    return e;
  }

  private slideWindows(e: Float64Array, n: number): void {
    const ring = this.energyRing;
    const write = this.ringWrite;
    const momentaryRead = (write - this.momentaryLength + this.shortTermLength) % this.shortTermLength;
    const state = this.state;
    let m = state[STATE.windowSums];
    let s = state[STATE.windowSums + 1];
    let mMax = state[STATE.windowMaxima];
    let sMax = state[STATE.windowMaxima + 1];
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
    state[STATE.windowSums] = m;
    state[STATE.windowSums + 1] = s;
    state[STATE.windowMaxima] = mMax;
    state[STATE.windowMaxima + 1] = sMax;
    this.advanceRing(n);
  }

  private advanceRing(n: number): void {
    this.ringWrite += n;
    if (this.ringWrite === this.shortTermLength) this.ringWrite = 0;
  }

  private completeBlock(): void {
    const length = this.blockLength;
    const state = this.state;
    let weighted = 0;
    for (let c = 0; c < this.channels; c++) {
      const sum = state[this.blockSumsAt + c];
      this.blockMeans[c] = sum / length;
      weighted += this.weights[c] * sum;
      state[this.blockSumsAt + c] = 0;
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
    this.state[STATE.windowSums] = m;
    this.state[STATE.windowSums + 1] = s;
  }

  /**
   * Interpolates the block's samples (plus `delay` look-ahead samples already in the buffer or
   * zeros at the end of the stream) where the sub-block could exceed the true peak so far, then
   * keeps the last taps as history for the next block.
   */
  private scanTruePeak(c: number, samples: number, keepFrom: number): void {
    const buffer = this.peakBuffers[c];
    const { factor, gainBound } = this.interpolator;
    const history = this.history;
    let truePeak = this.truePeaks[c];
    let samplePeak = this.samplePeaks[c];
    const subPeaks = this.subBlockPeaks;
    const stride = this.channels;
    const subBlocks = Math.ceil(samples / TP_SUB_BLOCK);
    const kernel = factor > 1 ? this.kernel : null;
    let previous = this.previousSubBlockPeak[c];
    for (let sub = 0; sub < subBlocks; sub++) {
      const current = subPeaks[sub * stride + c];
      const windowPeak = Math.max(current, previous);
      samplePeak = Math.max(samplePeak, current);
      previous = current;
      // Output index j interpolates just after buffer[j − delay]; taps reach back tapsPerPhase − 1,
      // so no point of the sub-block can exceed gainBound × the peak of it and the one before.
      const open = factor > 1 && windowPeak * gainBound > truePeak;
      if (kernel) this.windowPeaks[sub] = open ? windowPeak : 0;
      else if (open) truePeak = this.screenSubBlock(buffer, history + sub * TP_SUB_BLOCK, history + Math.min(samples, (sub + 1) * TP_SUB_BLOCK), windowPeak, truePeak);
    }
    if (kernel) {
      // The kernel screens with the peak as it stood before the block, which only lets more points through.
      const { peakBuffers, windowPeaks, coreTaps, tailBounds, candidates } = this.addresses;
      const found = kernel.screen(peakBuffers[c], windowPeaks, subBlocks, history, history + samples, this.coreTapStart, coreTaps, tailBounds, factor, truePeak, candidates);
      if (found > 0) this.refineCandidates(c, buffer, found);
      truePeak = Math.max(truePeak, this.truePeaks[c]);
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
   * Interpolates the kernel's candidate points in full and raises channel c's true peak. Its own
   * method, and the peak passed through the typed array: candidates are rare (the music has to
   * beat its own peak so far), so code that scanTruePeak reaches only now and then kept sending
   * V8 back to unoptimised code, where every double is a heap allocation.
   */
  private refineCandidates(c: number, buffer: Float32Array, found: number): void {
    let truePeak = this.truePeaks[c];
    for (let n = 0; n < found; n++) {
      const point = this.candidates[n];
      truePeak = Math.max(truePeak, this.interpolate(buffer, point >> 2, point & 3));
    }
    this.truePeaks[c] = truePeak;
  }

  /**
   * Screens each point of buffer[from, to) with the four central taps of each phase: the outer
   * taps can add at most tail[p] × windowPeak, so only points that could beat the peak get the
   * full filter. Returns the new true peak.
   */
  private screenSubBlock(buffer: Float32Array, from: number, to: number, windowPeak: number, truePeak: number): number {
    const core = this.coreTapStart;
    const taps = this.coreTaps;
    for (let p = 1; p < this.interpolator.factor; p++) {
      const t0 = taps[4 * p], t1 = taps[4 * p + 1], t2 = taps[4 * p + 2], t3 = taps[4 * p + 3];
      const limit = truePeak - this.tailBounds[p] * windowPeak;
      // The four samples under the central taps slide along with j: one new load per point.
      let x1 = buffer[from - core - 1], x2 = buffer[from - core - 2], x3 = buffer[from - core - 3];
      for (let j = from; j < to; j++) {
        const x0 = buffer[j - core];
        const screen = t0 * x0 + t1 * x1 + t2 * x2 + t3 * x3;
        x3 = x2;
        x2 = x1;
        x1 = x0;
        if (Math.abs(screen) > limit) truePeak = Math.max(truePeak, this.interpolate(buffer, j, p));
      }
    }
    return truePeak;
  }

  /** |interpolated point p/factor of a sample after buffer[j − delay]|, with the full filter. */
  private interpolate(buffer: Float32Array, j: number, p: number): number {
    const h = this.interpolator.phases[p];
    let acc = 0;
    for (let k = 0; k < h.length; k++) acc += h[k] * buffer[j - k];
    return Math.abs(acc);
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
      for (let sub = Math.ceil(this.blockPosition / TP_SUB_BLOCK); sub * TP_SUB_BLOCK < this.blockPosition + delay; sub++) {
        this.subBlockPeaks[sub * this.channels + c] = 0;
      }
      // The last `delay` samples' interpolations need look-ahead; zeros stand in after the end.
      this.scanTruePeak(c, this.blockPosition + delay, this.blockPosition + delay);
    }
    this.blockPosition = 0;
  }

  /** True when the stereo WebAssembly SIMD kernel runs this meter (the same results, about twice as fast). */
  get simd(): boolean {
    return this.kernel !== null;
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
    this.state.fill(0, STATE.windowMaxima, STATE.windowMaxima + 2);
    return result;
  }

  peekMaxima(): WindowMaxima {
    return {
      momentaryEnergy: this.state[STATE.windowMaxima] / this.momentaryLength,
      shortTermEnergy: this.state[STATE.windowMaxima + 1] / this.shortTermLength,
    };
  }
}
