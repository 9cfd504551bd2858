import { MOMENTARY_BLOCKS, SHORT_TERM_BLOCKS } from './loudness-blocks';
import { energyToLufs } from './units';

/**
 * Loudness stage (b): 100 ms block energies → momentary, short-term, integrated (BS.1770 gating:
 * −70 LUFS absolute, −10 LU relative) and loudness range (EBU Tech 3342: short-term values,
 * −20 LU relative gate, 10th–95th percentile). Pure and incremental; memory is constant: two
 * histograms of 0.01 LU bins that keep each bin's count and energy sum, so gated means are exact
 * sums and only bin membership at the gate is quantised.
 */

const ABSOLUTE_GATE_LUFS = -70;
const RELATIVE_GATE_LU = -10;
const LRA_RELATIVE_GATE_LU = -20;
const LRA_LOW_PERCENTILE = 0.1;
const LRA_HIGH_PERCENTILE = 0.95;
const HISTOGRAM_TOP_LUFS = 30;
const BIN_LU = 0.01;
const BINS = Math.round((HISTOGRAM_TOP_LUFS - ABSOLUTE_GATE_LUFS) / BIN_LU);

class LoudnessHistogram {
  readonly counts = new Float64Array(BINS);
  readonly energies = new Float64Array(BINS);
  total = 0;
  totalEnergy = 0;

  /** Adds a window's mean square if it passes the absolute gate. */
  add(energy: number): void {
    const lufs = energyToLufs(energy);
    if (!(lufs > ABSOLUTE_GATE_LUFS)) return;
    const bin = Math.min(BINS - 1, Math.floor((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU));
    this.counts[bin]++;
    this.energies[bin] += energy;
    this.total++;
    this.totalEnergy += energy;
  }

  /** First bin whose centre lies above the gate `offsetLu` below the mean of everything. */
  gateBin(offsetLu: number): number {
    const gate = energyToLufs(this.totalEnergy / this.total) + offsetLu;
    const bin = Math.ceil((gate - ABSOLUTE_GATE_LUFS) / BIN_LU - 0.5);
    return Math.max(0, Math.min(BINS, bin));
  }

  static binCentre(bin: number): number {
    return ABSOLUTE_GATE_LUFS + (bin + 0.5) * BIN_LU;
  }

  clear(): void {
    this.counts.fill(0);
    this.energies.fill(0);
    this.total = 0;
    this.totalEnergy = 0;
  }
}

export interface LoudnessSnapshot {
  /** LUFS; −Infinity while silent. */
  momentary: number;
  shortTerm: number;
  /** null until a gating block passes the gates (silence, or under 400 ms). */
  integrated: number | null;
  /** LU; 0 until there is a spread to measure. */
  loudnessRange: number;
  /** Maxima over whole-block windows (exact per-sample maxima come from stage (a)). */
  momentaryMax: number;
  shortTermMax: number;
  /** Number of 100 ms blocks taken. */
  blocks: number;
}

export class LoudnessStats {
  readonly weights: Float64Array;
  private readonly recent = new Float64Array(SHORT_TERM_BLOCKS);
  private blockCount = 0;
  private momentaryEnergy = 0;
  private shortTermEnergy = 0;
  private momentaryMaxEnergy = 0;
  private shortTermMaxEnergy = 0;
  private readonly gatingBlocks = new LoudnessHistogram();
  private readonly shortTermBlocks = new LoudnessHistogram();

  constructor(weights: Float64Array) {
    this.weights = weights;
  }

  /** Takes one 100 ms block: per-channel K-weighted mean squares. */
  pushBlock(meanSquares: ArrayLike<number>): void {
    let weighted = 0;
    for (let c = 0; c < this.weights.length; c++) weighted += this.weights[c] * meanSquares[c];
    this.pushWeightedBlock(weighted);
  }

  /** Takes one 100 ms block already summed over channels with the BS.1770 weights. */
  pushWeightedBlock(weightedMeanSquare: number): void {
    if (!(weightedMeanSquare >= 0) || !Number.isFinite(weightedMeanSquare)) {
      throw new RangeError(`loudness: block energy ${weightedMeanSquare} is not a finite non-negative number`);
    }
    this.recent[this.blockCount % SHORT_TERM_BLOCKS] = weightedMeanSquare;
    this.blockCount++;
    const available = Math.min(this.blockCount, SHORT_TERM_BLOCKS);
    let m = 0;
    let s = 0;
    for (let j = 0; j < available; j++) {
      const v = this.recent[(this.blockCount - 1 - j) % SHORT_TERM_BLOCKS];
      if (j < MOMENTARY_BLOCKS) m += v;
      s += v;
    }
    this.momentaryEnergy = m / MOMENTARY_BLOCKS;
    this.shortTermEnergy = s / SHORT_TERM_BLOCKS;
    if (this.momentaryEnergy > this.momentaryMaxEnergy) this.momentaryMaxEnergy = this.momentaryEnergy;
    if (this.shortTermEnergy > this.shortTermMaxEnergy) this.shortTermMaxEnergy = this.shortTermEnergy;
    // Gating blocks are 400 ms with 75 % overlap: one per 100 ms block once four exist.
    if (this.blockCount >= MOMENTARY_BLOCKS) this.gatingBlocks.add(this.momentaryEnergy);
    if (this.blockCount >= SHORT_TERM_BLOCKS) this.shortTermBlocks.add(this.shortTermEnergy);
  }

  get blocks(): number {
    return this.blockCount;
  }

  get momentary(): number {
    return energyToLufs(this.momentaryEnergy);
  }

  get shortTerm(): number {
    return energyToLufs(this.shortTermEnergy);
  }

  integrated(): number | null {
    const h = this.gatingBlocks;
    if (h.total === 0) return null;
    const from = h.gateBin(RELATIVE_GATE_LU);
    let count = 0;
    let energy = 0;
    for (let bin = from; bin < BINS; bin++) {
      count += h.counts[bin];
      energy += h.energies[bin];
    }
    return count > 0 ? energyToLufs(energy / count) : null;
  }

  loudnessRange(): number {
    const h = this.shortTermBlocks;
    if (h.total === 0) return 0;
    const from = h.gateBin(LRA_RELATIVE_GATE_LU);
    let count = 0;
    for (let bin = from; bin < BINS; bin++) count += h.counts[bin];
    if (count === 0) return 0;
    const low = this.percentileBin(from, count, LRA_LOW_PERCENTILE);
    const high = this.percentileBin(from, count, LRA_HIGH_PERCENTILE);
    return LoudnessHistogram.binCentre(high) - LoudnessHistogram.binCentre(low);
  }

  private percentileBin(from: number, count: number, fraction: number): number {
    // Nearest rank on the sorted gated values: the value at index round((n − 1)·p).
    const rank = Math.round((count - 1) * fraction);
    let seen = 0;
    const counts = this.shortTermBlocks.counts;
    for (let bin = from; bin < BINS; bin++) {
      seen += counts[bin];
      if (seen > rank) return bin;
    }
    return BINS - 1;
  }

  snapshot(): LoudnessSnapshot {
    return {
      momentary: this.momentary,
      shortTerm: this.shortTerm,
      integrated: this.integrated(),
      loudnessRange: this.loudnessRange(),
      momentaryMax: energyToLufs(this.momentaryMaxEnergy),
      shortTermMax: energyToLufs(this.shortTermMaxEnergy),
      blocks: this.blockCount,
    };
  }

  reset(): void {
    this.recent.fill(0);
    this.blockCount = 0;
    this.momentaryEnergy = 0;
    this.shortTermEnergy = 0;
    this.momentaryMaxEnergy = 0;
    this.shortTermMaxEnergy = 0;
    this.gatingBlocks.clear();
    this.shortTermBlocks.clear();
  }
}
