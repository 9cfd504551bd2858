import type { EqBand } from '../shared/preset';
import { IDENTITY_BIQUAD, biquadMagnitude, type BiquadCoefficients } from './biquad';
import { checkSampleRate } from './processor';

/**
 * EQ band designs from Robert Bristow-Johnson's "Cookbook formulae for audio EQ biquad filter
 * coefficients" (the Audio-EQ-Cookbook): each is the bilinear transform of an analog
 * second-order prototype, pre-warped so the band's frequency lands exactly where it is set.
 * All return coefficients normalised by a0.
 */

/** A band never acts above this fraction of the sample rate; see clampFrequency. */
export const MAX_FREQUENCY_FRACTION = 0.49;
/** Sections designBand can return: a 24 dB/oct pass filter is two. */
export const MAX_SECTIONS_PER_BAND = 2;

/** Q of the two sections of a 4th-order Butterworth: 1/(2·cos(π/8)) and 1/(2·cos(3π/8)). */
const BUTTERWORTH_4TH_ORDER_Q = [0.5411961001461969, 1.3065629648763766] as const;

interface Warped {
  cosW0: number;
  alpha: number;
}

/**
 * A preset is written once and played at whatever rate the Live set runs: a 20 kHz band is
 * valid at 44.1 kHz (0.45·fs) but lies above Nyquist at 32 kHz. Rather than refuse the preset,
 * the band acts at the highest frequency the rate allows, 0.49·fs, where the bilinear warp
 * (tan(π·f/fs)) is still finite and the section well conditioned.
 */
export function clampFrequency(freqHz: number, sampleRate: number): number {
  return Math.min(freqHz, MAX_FREQUENCY_FRACTION * sampleRate);
}

/** Cookbook intermediates: w0 = 2π·f0/fs, alpha = sin(w0)/(2Q). */
function warp(freqHz: number, q: number, sampleRate: number): Warped {
  checkSampleRate('filter', sampleRate);
  if (!Number.isFinite(freqHz) || freqHz <= 0) throw new RangeError(`filter: frequency ${freqHz} Hz must be a positive number`);
  if (!Number.isFinite(q) || q <= 0) throw new RangeError(`filter: Q ${q} must be a positive number`);
  const w0 = (2 * Math.PI * clampFrequency(freqHz, sampleRate)) / sampleRate;
  return { cosW0: Math.cos(w0), alpha: Math.sin(w0) / (2 * q) };
}

/** Cookbook amplitude A = 10^(dBgain/40): the square root of the band's linear gain. */
function shelfAmplitude(gainDb: number): number {
  if (!Number.isFinite(gainDb)) throw new RangeError(`filter: gain ${gainDb} dB must be a finite number`);
  return Math.pow(10, gainDb / 40);
}

function normalise(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): BiquadCoefficients {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** Cookbook LPF: H(s) = 1 / (s² + s/Q + 1). */
export function lowpass(freqHz: number, q: number, sampleRate: number): BiquadCoefficients {
  const { cosW0, alpha } = warp(freqHz, q, sampleRate);
  const b1 = 1 - cosW0;
  return normalise(b1 / 2, b1, b1 / 2, 1 + alpha, -2 * cosW0, 1 - alpha);
}

/** Cookbook HPF: H(s) = s² / (s² + s/Q + 1). */
export function highpass(freqHz: number, q: number, sampleRate: number): BiquadCoefficients {
  const { cosW0, alpha } = warp(freqHz, q, sampleRate);
  const b0 = (1 + cosW0) / 2;
  return normalise(b0, -(1 + cosW0), b0, 1 + alpha, -2 * cosW0, 1 - alpha);
}

/** Cookbook peakingEQ: H(s) = (s² + s·(A/Q) + 1) / (s² + s/(A·Q) + 1). */
export function peak(freqHz: number, gainDb: number, q: number, sampleRate: number): BiquadCoefficients {
  const { cosW0, alpha } = warp(freqHz, q, sampleRate);
  const a = shelfAmplitude(gainDb);
  return normalise(1 + alpha * a, -2 * cosW0, 1 - alpha * a, 1 + alpha / a, -2 * cosW0, 1 - alpha / a);
}

/**
 * Cookbook lowShelf: H(s) = A·(s² + (√A/Q)·s + A) / (A·s² + (√A/Q)·s + 1). The shelf takes the
 * band's Q directly (the cookbook's Q form, not its slope S): Q = 1/√2 is the steepest shelf
 * without overshoot (S = 1), and higher Q adds the bump and dip engineers dial in on purpose.
 */
export function lowShelf(freqHz: number, gainDb: number, q: number, sampleRate: number): BiquadCoefficients {
  const { cosW0, alpha } = warp(freqHz, q, sampleRate);
  const a = shelfAmplitude(gainDb);
  const k = 2 * Math.sqrt(a) * alpha;
  return normalise(
    a * (a + 1 - (a - 1) * cosW0 + k),
    2 * a * (a - 1 - (a + 1) * cosW0),
    a * (a + 1 - (a - 1) * cosW0 - k),
    a + 1 + (a - 1) * cosW0 + k,
    -2 * (a - 1 + (a + 1) * cosW0),
    a + 1 + (a - 1) * cosW0 - k,
  );
}

/** Cookbook highShelf: H(s) = A·(A·s² + (√A/Q)·s + 1) / (s² + (√A/Q)·s + A); Q as for lowShelf. */
export function highShelf(freqHz: number, gainDb: number, q: number, sampleRate: number): BiquadCoefficients {
  const { cosW0, alpha } = warp(freqHz, q, sampleRate);
  const a = shelfAmplitude(gainDb);
  const k = 2 * Math.sqrt(a) * alpha;
  return normalise(
    a * (a + 1 + (a - 1) * cosW0 + k),
    -2 * a * (a - 1 + (a + 1) * cosW0),
    a * (a + 1 + (a - 1) * cosW0 - k),
    a + 1 - (a - 1) * cosW0 + k,
    2 * (a - 1 - (a + 1) * cosW0),
    a + 1 - (a - 1) * cosW0 - k,
  );
}

/**
 * The sections one band runs as. A 12 dB/oct pass filter is one cookbook section with the
 * band's Q; 24 dB/oct is a 4th-order Butterworth (two sections, Q 0.54 and 1.31: maximally flat,
 * −3 dB at the set frequency), so its Q is not used. A disabled band, or a shelf or peak at
 * exactly 0 dB (whose cookbook numerator equals its denominator), is the identity section, which
 * processors skip.
 */
export function designBand(band: EqBand, sampleRate: number): BiquadCoefficients[] {
  checkSampleRate('filter', sampleRate);
  if (!band.enabled) return [IDENTITY_BIQUAD];
  const { freqHz, gainDb, q } = band;
  switch (band.type) {
    case 'highpass':
    case 'lowpass': {
      const design = band.type === 'highpass' ? highpass : lowpass;
      if (band.slope === 12) return [design(freqHz, q, sampleRate)];
      if (band.slope === 24) return BUTTERWORTH_4TH_ORDER_Q.map((sectionQ) => design(freqHz, sectionQ, sampleRate));
      throw new RangeError(`filter: slope ${String(band.slope)} dB/oct is not 12 or 24`);
    }
    case 'lowshelf':
    case 'highshelf':
    case 'peak': {
      const design = band.type === 'lowshelf' ? lowShelf : band.type === 'highshelf' ? highShelf : peak;
      const coefficients = design(freqHz, gainDb, q, sampleRate);
      return gainDb === 0 ? [IDENTITY_BIQUAD] : [coefficients];
    }
    default:
      throw new RangeError(`filter: unknown band type "${String((band as { type: unknown }).type)}"`);
  }
}

/** Combined response of `bands` in dB at each of `freqs`, from the very coefficients the audio path runs. */
export function magnitudeDb(bands: readonly EqBand[], freqs: ArrayLike<number>, sampleRate: number): Float64Array {
  const sections = bands.flatMap((band) => designBand(band, sampleRate));
  const result = new Float64Array(freqs.length);
  for (let i = 0; i < freqs.length; i++) {
    let gain = 1;
    for (const section of sections) gain *= biquadMagnitude(section, freqs[i], sampleRate);
    result[i] = 20 * Math.log10(gain);
  }
  return result;
}
