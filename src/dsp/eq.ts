import { EQ_BAND_COUNT, type EqBand } from '../shared/preset';
import { IDENTITY_BIQUAD } from './biquad';
import { MAX_SECTIONS_PER_BAND, designBand } from './filters';
import { checkBuffers, checkChannelCount, checkSampleRate, copyThrough, type AudioProcessor, type Channel } from './processor';

/**
 * The five-band EQ: up to ten biquad sections in series (two per band, the second the identity
 * unless a pass filter is 24 dB/oct), transposed direct form II with double-precision state.
 * Identity sections are skipped, so flat and disabled bands cost nothing.
 *
 * New bands take effect at once: a recall mid-song does not change an EQ's bands but starts a
 * second processing path with the new ones and crossfades to it (chain.ts). Slewing the
 * coefficients instead was tried first and is worse: poles near z = 1 (a low cut) are so
 * sensitive that a linear path between two designs does most of its moving in the first tenth
 * of the ramp, and switching a 24 dB/oct low cut out under a bass line made steps 1.6× the
 * music's own at a 20 ms ramp.
 */

export const EQ_SECTIONS = EQ_BAND_COUNT * MAX_SECTIONS_PER_BAND;
const COEFFICIENTS = 5; // b0 b1 b2 a1 a2

/** The flat list of coefficients the device's gen~ kernel receives: section by section, b0 b1 b2 a1 a2. */
export function eqCoefficients(bands: readonly EqBand[], sampleRate: number): Float64Array {
  if (bands.length !== EQ_BAND_COUNT) throw new RangeError(`EQ: ${bands.length} bands, expected ${EQ_BAND_COUNT}`);
  const flat = new Float64Array(EQ_SECTIONS * COEFFICIENTS);
  bands.forEach((band, b) => {
    const sections = designBand(band, sampleRate);
    for (let s = 0; s < MAX_SECTIONS_PER_BAND; s++) {
      const c = sections[s] ?? IDENTITY_BIQUAD;
      flat.set([c.b0, c.b1, c.b2, c.a1, c.a2], (b * MAX_SECTIONS_PER_BAND + s) * COEFFICIENTS);
    }
  });
  return flat;
}

export class Equalizer implements AudioProcessor {
  readonly channels: number;
  private sampleRate: number;
  private bands: EqBand[] | null;
  private readonly cascade: Cascade;

  constructor(bands: readonly EqBand[], sampleRate: number, channels: number) {
    checkChannelCount('EQ', channels);
    checkSampleRate('EQ', sampleRate);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.bands = bands.map((band) => ({ ...band }));
    this.cascade = new Cascade(channels);
    this.cascade.load(eqCoefficients(this.bands, sampleRate));
  }

  /** Takes new bands at once, keeping the filter memories (see above for changes mid-song). */
  setBands(bands: readonly EqBand[]): void {
    this.bands = bands.map((band) => ({ ...band }));
    this.cascade.load(eqCoefficients(bands, this.sampleRate));
  }

  /**
   * Takes coefficients designed elsewhere, in eqCoefficients()' layout: the device's gen~ kernel
   * receives them from node, and the simulator's model of the patch plays them through this.
   * Until the next setBands() the EQ has no bands to redesign, so a sample-rate change keeps
   * these coefficients (node re-sends them for the new rate).
   */
  setCoefficients(coefficients: ArrayLike<number>): void {
    if (coefficients.length !== EQ_SECTIONS * COEFFICIENTS) throw new RangeError(`EQ: ${coefficients.length} coefficients, expected ${EQ_SECTIONS * COEFFICIENTS}`);
    this.bands = null;
    this.cascade.load(coefficients);
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('EQ', sampleRate);
    this.sampleRate = sampleRate;
    if (this.bands) this.cascade.load(eqCoefficients(this.bands, sampleRate));
    this.reset();
  }

  /** Clears the filter memories. */
  reset(): void {
    this.cascade.clear();
  }

  process(input: readonly Channel[], output: readonly Channel[], frames: number): void {
    checkBuffers('EQ', this.channels, input, output, frames);
    copyThrough(this.channels, input, output, frames);
    this.cascade.run(output, 0, frames);
  }
}

/** One set of ten sections with its own memories; only the non-identity sections run. */
class Cascade {
  readonly coefficients = new Float64Array(EQ_SECTIONS * COEFFICIENTS);
  private readonly state: Float64Array;
  private readonly live = new Int32Array(EQ_SECTIONS);
  private liveCount = 0;

  constructor(private readonly channels: number) {
    this.state = new Float64Array(channels * EQ_SECTIONS * 2);
  }

  load(coefficients: ArrayLike<number>): void {
    this.coefficients.set(coefficients);
    this.liveCount = 0;
    for (let s = 0; s < EQ_SECTIONS; s++) {
      const k = s * COEFFICIENTS;
      const identity = coefficients[k] === 1 && coefficients[k + 1] === 0 && coefficients[k + 2] === 0 && coefficients[k + 3] === 0 && coefficients[k + 4] === 0;
      if (!identity) this.live[this.liveCount++] = s;
    }
  }


  clear(): void {
    this.state.fill(0);
  }

  /** Runs every live section over frames [from, to) of each channel, in place. */
  run(buffers: readonly Channel[], from: number, to: number): void {
    for (let j = 0; j < this.liveCount; j++) {
      const s = this.live[j];
      let c = 0;
      for (; c + 1 < this.channels; c += 2) this.runPair(buffers[c], buffers[c + 1], s, c, from, to);
      if (c < this.channels) this.runOne(buffers[c], s, c, from, to);
    }
  }

  private stateIndex(channel: number, section: number): number {
    return (channel * EQ_SECTIONS + section) * 2;
  }

  // Sections and channels go in as indices, not coefficient values: doubles passed to a call
  // V8 does not inline are boxed on the heap, and process() must not allocate.

  /** Transposed direct form II of `section` over y[from..to), in place. */
  private runOne(y: Channel, section: number, channel: number, from: number, to: number): void {
    const t = this.coefficients;
    const k = section * COEFFICIENTS;
    const b0 = t[k], b1 = t[k + 1], b2 = t[k + 2], a1 = t[k + 3], a2 = t[k + 4];
    const z = this.stateIndex(channel, section);
    const state = this.state;
    let z1 = state[z];
    let z2 = state[z + 1];
    for (let i = from; i < to; i++) {
      const x = y[i];
      const out = b0 * x + z1;
      z1 = b1 * x - a1 * out + z2;
      z2 = b2 * x - a2 * out;
      y[i] = out;
    }
    state[z] = z1;
    state[z + 1] = z2;
  }

  /**
   * runOne on channels `channel` and `channel + 1` at once. Each channel's recursion is a chain of dependent
   * multiply-adds; running two side by side lets the CPU overlap them (nearly twice as fast).
   */
  private runPair(y: Channel, v: Channel, section: number, channel: number, from: number, to: number): void {
    const t = this.coefficients;
    const k = section * COEFFICIENTS;
    const b0 = t[k], b1 = t[k + 1], b2 = t[k + 2], a1 = t[k + 3], a2 = t[k + 4];
    const zy = this.stateIndex(channel, section);
    const zv = this.stateIndex(channel + 1, section);
    const state = this.state;
    let y1 = state[zy];
    let y2 = state[zy + 1];
    let v1 = state[zv];
    let v2 = state[zv + 1];
    for (let i = from; i < to; i++) {
      const x = y[i];
      const u = v[i];
      const out = b0 * x + y1;
      const outV = b0 * u + v1;
      y1 = b1 * x - a1 * out + y2;
      v1 = b1 * u - a1 * outV + v2;
      y2 = b2 * x - a2 * out;
      v2 = b2 * u - a2 * outV;
      y[i] = out;
      v[i] = outV;
    }
    state[zy] = y1;
    state[zy + 1] = y2;
    state[zv] = v1;
    state[zv + 1] = v2;
  }
}
