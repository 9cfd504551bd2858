import { LoudnessBlockMeter } from '../../src/dsp/loudness-blocks';
import { designInterpolator, truePeakOversampling, type PolyphaseInterpolator } from '../../src/dsp/truepeak';

/**
 * The meter kernel (m4l-device/gen/meter.genexpr) played by src/dsp: for each finished 100 ms
 * block it holds the block counter (1 for the first), the K-weighted mean square of left and
 * right, and the block's sample peak and true peak (louder channel, linear) — what snapshot~
 * reads (params.ts METER_OUTPUTS). Energies come from the shared stage (a) meter; the per-block
 * peaks are scanned here with the same polyphase interpolator, because stage (a) keeps only
 * running maxima.
 */

export interface MeterBlock {
  counter: number;
  energyLeft: number;
  energyRight: number;
  samplePeak: number;
  truePeak: number;
}

export class MeterModel {
  private blocks: LoudnessBlockMeter;
  private peaks: BlockPeaks;
  private latest: MeterBlock = { counter: 0, energyLeft: 0, energyRight: 0, samplePeak: 0, truePeak: 0 };

  constructor(sampleRate: number) {
    this.blocks = this.createBlocks(sampleRate);
    this.peaks = new BlockPeaks(sampleRate);
  }

  /** What snapshot~ reads now: the latest finished block (counter 0 before the first). */
  get snapshot(): MeterBlock {
    return this.latest;
  }

  setSampleRate(sampleRate: number): void {
    this.blocks = this.createBlocks(sampleRate);
    this.peaks = new BlockPeaks(sampleRate);
  }

  process(output: readonly Float32Array[], frames: number): void {
    // Block boundaries fall inside process() calls: feed the block meter up to each boundary
    // so the peaks gathered belong to the block that finishes there.
    let offset = 0;
    while (offset < frames) {
      const n = Math.min(frames - offset, this.blocks.blockLength - this.peaks.position);
      const views = output.map((channel) => channel.subarray(offset, offset + n));
      this.peaks.scan(views, n);
      this.blocks.process(views, n);
      offset += n;
    }
  }

  private createBlocks(sampleRate: number): LoudnessBlockMeter {
    return new LoudnessBlockMeter({
      sampleRate,
      channels: 2,
      onBlock: (meanSquares, index) => {
        const { sample, truePeak } = this.peaks.take();
        this.latest = { counter: index + 1, energyLeft: meanSquares[0], energyRight: meanSquares[1], samplePeak: sample, truePeak };
      },
    });
  }
}

/** Sample and true peak of the current block, over both channels. */
class BlockPeaks {
  position = 0;
  private readonly interpolator: PolyphaseInterpolator;
  private readonly history: Float64Array[];
  private write = 0;
  private sample = 0;
  private truePeak = 0;

  constructor(sampleRate: number) {
    this.interpolator = designInterpolator(truePeakOversampling(sampleRate));
    this.history = [0, 1].map(() => new Float64Array(this.interpolator.tapsPerPhase));
  }

  scan(input: readonly Float32Array[], frames: number): void {
    const { phases, factor, tapsPerPhase } = this.interpolator;
    for (let i = 0; i < frames; i++) {
      this.write = (this.write + 1) % tapsPerPhase;
      for (let c = 0; c < input.length; c++) {
        const x = input[c][i];
        const h = this.history[c];
        h[this.write] = x;
        const a = Math.abs(x);
        if (a > this.sample) this.sample = a;
        for (let p = 1; p < factor; p++) {
          const taps = phases[p];
          let sum = 0;
          for (let k = 0; k < tapsPerPhase; k++) sum += taps[k] * h[(this.write - k + tapsPerPhase) % tapsPerPhase];
          const v = Math.abs(sum);
          if (v > this.truePeak) this.truePeak = v;
        }
      }
    }
    this.position += frames;
  }

  take(): { sample: number; truePeak: number } {
    const result = { sample: this.sample, truePeak: Math.max(this.sample, this.truePeak) };
    this.sample = 0;
    this.truePeak = 0;
    this.position = 0;
    return result;
  }
}
