import { channelWeights } from './channel-weights';
import { BLOCK_SECONDS, LoudnessBlockMeter, MOMENTARY_BLOCKS, SHORT_TERM_BLOCKS } from './loudness-blocks';
import { LoudnessStats } from './loudness-stats';
import { energyToLufs, gainToDb } from './units';

/**
 * A whole EBU R128 meter: stage (a) (loudness-blocks.ts) feeding stage (b) (loudness-stats.ts),
 * with exact window maxima and peaks. This is what the analyzer runs per file.
 */

export type SeriesPoint = [tEndSeconds: number, lufs: number];

export interface LoudnessMeasurement {
  durationSec: number;
  /** LUFS, null when nothing passes the gates (silence or under 400 ms). */
  integrated: number | null;
  /** LU */
  lra: number;
  /** dBTP / dBFS, −Infinity for digital silence. */
  truePeak: number;
  samplePeak: number;
  /** Exact maxima over every 400 ms / 3 s window (sample resolution), LUFS. */
  momentaryMax: number;
  shortTermMax: number;
  truePeakPerChannel: number[];
  momentarySeries?: SeriesPoint[];
  shortTermSeries?: SeriesPoint[];
}

export interface LoudnessMeterOptions {
  sampleRate: number;
  channels: number;
  weights?: Float64Array;
  /** Keep momentary and short-term values at each 100 ms block end. */
  series?: boolean;
}

export class LoudnessMeter {
  readonly blocks: LoudnessBlockMeter;
  readonly stats: LoudnessStats;
  private frames = 0;
  private finished = false;
  private readonly momentarySeries: SeriesPoint[] | undefined;
  private readonly shortTermSeries: SeriesPoint[] | undefined;

  constructor(options: LoudnessMeterOptions) {
    const weights = options.weights ?? channelWeights(options.channels);
    this.stats = new LoudnessStats(weights);
    this.momentarySeries = options.series ? [] : undefined;
    this.shortTermSeries = options.series ? [] : undefined;
    this.blocks = new LoudnessBlockMeter({
      sampleRate: options.sampleRate,
      channels: options.channels,
      weights,
      onBlock: (meanSquares, index) => {
        this.stats.pushBlock(meanSquares);
        if (this.momentarySeries && this.shortTermSeries) {
          const t = roundTime((index + 1) * BLOCK_SECONDS);
          if (index + 1 >= MOMENTARY_BLOCKS) this.momentarySeries.push([t, round2(this.stats.momentary)]);
          if (index + 1 >= SHORT_TERM_BLOCKS) this.shortTermSeries.push([t, round2(this.stats.shortTerm)]);
        }
      },
    });
  }

  process(input: readonly Float32Array[], frames: number): void {
    if (this.finished) throw new Error('loudness meter: process() after finish()');
    this.blocks.process(input, frames);
    this.frames += frames;
  }

  finish(): LoudnessMeasurement {
    if (!this.finished) {
      this.blocks.finish();
      this.finished = true;
    }
    const { blocks, stats } = this;
    const maxima = blocks.peekMaxima();
    let truePeak = 0;
    let samplePeak = 0;
    const truePeakPerChannel: number[] = [];
    for (let c = 0; c < blocks.channels; c++) {
      truePeak = Math.max(truePeak, blocks.truePeak(c));
      samplePeak = Math.max(samplePeak, blocks.samplePeak(c));
      truePeakPerChannel.push(gainToDb(blocks.truePeak(c)));
    }
    const result: LoudnessMeasurement = {
      durationSec: this.frames / blocks.sampleRate,
      integrated: stats.integrated(),
      lra: stats.loudnessRange(),
      truePeak: gainToDb(truePeak),
      samplePeak: gainToDb(samplePeak),
      momentaryMax: energyToLufs(maxima.momentaryEnergy),
      shortTermMax: energyToLufs(maxima.shortTermEnergy),
      truePeakPerChannel,
    };
    if (this.momentarySeries && this.shortTermSeries) {
      result.momentarySeries = this.momentarySeries;
      result.shortTermSeries = this.shortTermSeries;
    }
    return result;
  }
}

function roundTime(t: number): number {
  return Math.round(t * 1000) / 1000;
}

function round2(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 100) / 100 : v;
}
