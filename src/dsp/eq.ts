import { EQ_BAND_COUNT, type EqBand } from '../shared/preset';
import { IDENTITY_BIQUAD } from './biquad';
import { MAX_SECTIONS_PER_BAND, designBand } from './filters';
import { LinearRamp } from './ramp';
import { checkBuffers, checkChannelCount, checkSampleRate, copyThrough, type AudioProcessor, type Channel } from './processor';

/**
 * The five-band EQ: up to ten biquad sections in series (two per band, the second the identity
 * unless a pass filter is 24 dB/oct), transposed direct form II with double-precision state.
 * Identity sections are skipped, so flat and disabled bands cost nothing.
 *
 * A preset change crossfades from the running cascade to a second one holding the new
 * coefficients, over the ramp. Slewing the coefficients themselves was tried first and is
 * worse: poles near z = 1 (a low cut) are so sensitive that a linear path between two designs
 * does most of its moving in the first tenth of the ramp, and switching a 24 dB/oct low cut out
 * under a bass line made steps 1.6× the music's own at a 20 ms ramp. A crossfade between two
 * steady filters cannot step more than they do. The incoming cascade starts from silence; its
 * start-up transient is faded in from zero and never showed in that measure in any case tried.
 * A change that arrives while a crossfade runs waits for it to finish (the newest one wins).
 *
 * The trim ramps upstream over the same ramp, and two ramps multiplied are not a straight line:
 * with the trim rising 24 dB while the old cascade fades out, the old cascade's share
 * (1 − f)·trim swelled 12 dB above where it started, mid-ramp. So the fade takes the trim into
 * account: with g the trim applied to a frame and G the trim the new preset asks for, the fade
 * is f·G/g, which makes the output (1 − f)·trimOld·old + f·G·new, each cascade at its own
 * preset's trim — a straight crossfade of the two steady outputs. With no trim change it is f.
 */

export const EQ_SECTIONS = EQ_BAND_COUNT * MAX_SECTIONS_PER_BAND;
const COEFFICIENTS = 5; // b0 b1 b2 a1 a2
/** Frames crossfaded per pass (the incoming cascade's scratch buffer). */
const FADE_CHUNK = 256;

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
  /** The newest coefficients asked for: what reset() lands on. */
  private target: Float64Array;
  private running: Cascade;
  private incoming: Cascade;
  private readonly fade = new LinearRamp(0);
  private readonly fadeValues = new Float64Array(FADE_CHUNK);
  private fading = false;
  private pending: Float64Array | null = null;
  private pendingRamp = 0;
  /** The upstream trim the running crossfade's new preset asks for (and the pending one's). */
  private fadeGain = 1;
  private pendingGain = 1;
  private readonly scratch: Float64Array[];

  constructor(bands: readonly EqBand[], sampleRate: number, channels: number) {
    checkChannelCount('EQ', channels);
    checkSampleRate('EQ', sampleRate);
    this.channels = channels;
    this.sampleRate = sampleRate;
    this.bands = bands.map((band) => ({ ...band }));
    this.running = new Cascade(channels);
    this.incoming = new Cascade(channels);
    this.target = eqCoefficients(this.bands, sampleRate);
    this.running.load(this.target);
    this.scratch = Array.from({ length: channels }, () => new Float64Array(FADE_CHUNK));
  }

  /**
   * Moves to new bands, crossfading over `rampSamples` (0: at once, for a stopped transport);
   * `gain` is the trim the upstream stage ramps to over the same ramp (see above).
   */
  setBands(bands: readonly EqBand[], rampSamples: number, gain = 1): void {
    this.bands = bands.map((band) => ({ ...band }));
    this.moveTo(eqCoefficients(bands, this.sampleRate), rampSamples, gain);
  }

  /**
   * Moves to coefficients designed elsewhere, in eqCoefficients()' layout, with the same
   * crossfade: the device's gen~ kernel receives them from node, and the simulator's model of
   * the patch plays them through this. Until the next setBands() the EQ has no bands to
   * redesign, so a sample-rate change keeps these coefficients (node re-sends them for the new rate).
   */
  setCoefficients(coefficients: ArrayLike<number>, rampSamples: number, gain = 1): void {
    if (coefficients.length !== EQ_SECTIONS * COEFFICIENTS) throw new RangeError(`EQ: ${coefficients.length} coefficients, expected ${EQ_SECTIONS * COEFFICIENTS}`);
    this.bands = null;
    this.moveTo(Float64Array.from(coefficients), rampSamples, gain);
  }

  private moveTo(coefficients: Float64Array, rampSamples: number, gain: number): void {
    this.target = coefficients;
    if (rampSamples < 1) {
      this.running.load(coefficients);
      this.finishFade();
      this.pending = null;
    } else if (this.fading) {
      this.pending = this.incoming.holds(coefficients) ? null : coefficients;
      this.pendingRamp = rampSamples;
      this.pendingGain = gain;
    } else if (!this.running.holds(coefficients)) {
      this.startFade(coefficients, rampSamples, gain);
    }
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('EQ', sampleRate);
    this.sampleRate = sampleRate;
    if (this.bands) this.target = eqCoefficients(this.bands, sampleRate);
    this.reset();
  }

  /** Clears the filter memories and lands any crossfade on the newest bands. */
  reset(): void {
    this.pending = null;
    this.finishFade();
    this.running.load(this.target);
    this.running.clear();
  }

  /** `trim[i]`, when given, is the gain the upstream trim applied to frame i (see above). */
  process(input: readonly Channel[], output: readonly Channel[], frames: number, trim?: Float64Array): void {
    checkBuffers('EQ', this.channels, input, output, frames);
    copyThrough(this.channels, input, output, frames);
    let offset = 0;
    while (offset < frames && this.fading) {
      const n = Math.min(frames - offset, this.fade.remaining, FADE_CHUNK);
      this.crossfade(output, offset, n, trim);
      offset += n;
    }
    if (offset < frames) this.running.run(output, offset, frames);
  }

  private crossfade(output: readonly Channel[], offset: number, n: number, trim: Float64Array | undefined): void {
    const scratch = this.scratch;
    for (let c = 0; c < this.channels; c++) {
      const y = output[c];
      const s = scratch[c];
      for (let i = 0; i < n; i++) s[i] = y[offset + i];
    }
    this.running.run(output, offset, offset + n);
    this.incoming.run(scratch, 0, n);
    const fade = this.fadeValues;
    this.fade.fill(fade, n);
    if (trim) {
      const gain = this.fadeGain;
      for (let i = 0; i < n; i++) {
        const g = trim[offset + i];
        if (g > 0) fade[i] = Math.min(1, (fade[i] * gain) / g);
      }
    }
    for (let c = 0; c < this.channels; c++) {
      const y = output[c];
      const s = scratch[c];
      for (let i = 0; i < n; i++) y[offset + i] += fade[i] * (s[i] - y[offset + i]);
    }
    this.fade.advance(n);
    if (this.fade.remaining === 0) {
      this.swap();
      this.finishFade();
      const next = this.pending;
      this.pending = null;
      if (next && !this.running.holds(next)) this.startFade(next, this.pendingRamp, this.pendingGain);
    }
  }

  private startFade(coefficients: Float64Array, rampSamples: number, gain: number): void {
    this.fadeGain = gain;
    this.incoming.load(coefficients);
    this.incoming.clear();
    this.fade.jumpTo(0);
    this.fade.rampTo(1, rampSamples);
    this.fading = true;
  }

  private swap(): void {
    const incoming = this.incoming;
    this.incoming = this.running;
    this.running = incoming;
  }

  private finishFade(): void {
    this.fading = false;
    this.fade.jumpTo(0);
    this.incoming.clear();
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

  load(coefficients: Float64Array): void {
    this.coefficients.set(coefficients);
    this.liveCount = 0;
    for (let s = 0; s < EQ_SECTIONS; s++) {
      const k = s * COEFFICIENTS;
      const identity = coefficients[k] === 1 && coefficients[k + 1] === 0 && coefficients[k + 2] === 0 && coefficients[k + 3] === 0 && coefficients[k + 4] === 0;
      if (!identity) this.live[this.liveCount++] = s;
    }
  }

  holds(coefficients: Float64Array): boolean {
    for (let i = 0; i < coefficients.length; i++) if (this.coefficients[i] !== coefficients[i]) return false;
    return true;
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
