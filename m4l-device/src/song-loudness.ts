import { channelWeights } from '../../src/dsp/channel-weights';
import { LoudnessStats } from '../../src/dsp/loudness-stats';
import { gainToDb } from '../../src/dsp/units';
import { LUFS_FLOOR, type SongMeasurement } from '../../src/shared/osc-protocol';

/**
 * Per-song loudness from the meter kernel's 100 ms blocks. The patch polls the kernel faster
 * than it produces blocks, so the same block arrives several times: its counter says which are
 * new, and a jump in the counter is a gap that is counted, not guessed at.
 *
 * A song's run starts when it becomes the current song and lasts until another song starts;
 * its summary is what learn and the panel read.
 */

export const BLOCK_SECONDS = 0.1;

export interface MeterBlock {
  counter: number;
  energyL: number;
  energyR: number;
  /** Linear. */
  samplePeak: number;
  truePeak: number;
  compressorGrDb: number;
  limiterGrDb: number;
}

export interface MeterLevels {
  song: string;
  momentary: number;
  shortTerm: number;
  integrated: number;
  truePeakMax: number;
  compressorGr: number;
  limiterGr: number;
  block: number;
}

interface SongRun {
  stats: LoudnessStats;
  truePeakMax: number;
  blocksMissed: number;
  trimDb: number;
}

const STEREO_WEIGHTS = channelWeights(2);

function floored(lufs: number | null): number {
  return lufs === null || !(lufs > LUFS_FLOOR) ? LUFS_FLOOR : lufs;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export class SongLoudness {
  private readonly runs = new Map<string, SongRun>();
  /** Always fed, so the meters move during interludes and with the transport stopped. */
  private readonly now = new LoudnessStats(STEREO_WEIGHTS);
  private lastCounter: number | null = null;
  private latest: MeterBlock | null = null;

  /** Starts a fresh run for `song`, measured with `trimDb` in force. */
  startRun(song: string, trimDb: number): void {
    this.runs.set(song, { stats: new LoudnessStats(STEREO_WEIGHTS), truePeakMax: 0, blocksMissed: 0, trimDb });
  }

  hasRun(song: string): boolean {
    return this.runs.has(song);
  }

  /**
   * Takes a block once. Returns false for a repeat. `measuredSong` is the song the block counts
   * toward, or null while nothing is measured (stopped, interlude).
   */
  take(block: MeterBlock, measuredSong: string | null): boolean {
    const last = this.lastCounter;
    if (last !== null && block.counter === last) return false;
    // A counter that goes backwards means the kernel restarted (sample-rate change, device reset).
    const missed = last !== null && block.counter > last ? block.counter - last - 1 : 0;
    this.lastCounter = block.counter;
    this.latest = block;
    this.now.pushBlock([block.energyL, block.energyR]);
    const run = measuredSong === null ? undefined : this.runs.get(measuredSong);
    if (run) {
      run.stats.pushBlock([block.energyL, block.energyR]);
      run.blocksMissed += missed;
      if (block.truePeak > run.truePeakMax) run.truePeakMax = block.truePeak;
    }
    return true;
  }

  summary(song: string, targetLufs: number): SongMeasurement | null {
    const run = this.runs.get(song);
    if (!run) return null;
    const snapshot = run.stats.snapshot();
    return {
      integratedLufs: snapshot.integrated,
      loudnessRangeLu: snapshot.loudnessRange,
      truePeakMaxDbtp: run.truePeakMax > 0 ? gainToDb(run.truePeakMax) : null,
      shortTermMaxLufs: finiteOrNull(snapshot.shortTermMax),
      seconds: Math.round(snapshot.blocks * BLOCK_SECONDS * 10) / 10,
      blocksMissed: run.blocksMissed,
      trimDb: run.trimDb,
      targetLufs,
    };
  }

  levels(song: string | null): MeterLevels {
    const run = song === null ? undefined : this.runs.get(song);
    const block = this.latest;
    return {
      song: song ?? '',
      momentary: floored(this.now.momentary),
      shortTerm: floored(this.now.shortTerm),
      integrated: floored(run ? run.stats.integrated() : null),
      truePeakMax: run && run.truePeakMax > 0 ? Math.max(LUFS_FLOOR, gainToDb(run.truePeakMax)) : LUFS_FLOOR,
      compressorGr: block ? block.compressorGrDb : 0,
      limiterGr: block ? block.limiterGrDb : 0,
      block: block ? block.counter : 0,
    };
  }
}
