import type { BiquadCoefficients } from './biquad';

/**
 * BS.1770 K-weighting (pre-filter shelf + RLB high-pass), designed from the analog prototype by
 * the bilinear transform with pre-warping so it is right at any sample rate, not only the
 * 48 kHz coefficients printed in the Recommendation. The prototype parameters below are the
 * analog shelf/high-pass that reproduce BS.1770's 48 kHz coefficients to better than 1e-8.
 */
const SHELF_FREQ_HZ = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
const SHELF_BANDWIDTH_EXPONENT = 0.4996667741545416;
const RLB_FREQ_HZ = 38.13547087602444;
const RLB_Q = 0.5003270373238773;

export interface KWeightingCoefficients {
  readonly shelf: BiquadCoefficients;
  readonly highpass: BiquadCoefficients;
}

export function designKWeighting(sampleRate: number): KWeightingCoefficients {
  if (!Number.isFinite(sampleRate) || sampleRate < 8000 || sampleRate > 768000) {
    throw new RangeError(`K-weighting: sample rate ${sampleRate} Hz is outside 8 kHz–768 kHz`);
  }
  const ks = Math.tan((Math.PI * SHELF_FREQ_HZ) / sampleRate);
  const vh = Math.pow(10, SHELF_GAIN_DB / 20);
  const vb = Math.pow(vh, SHELF_BANDWIDTH_EXPONENT);
  const a0s = 1 + ks / SHELF_Q + ks * ks;
  const shelf: BiquadCoefficients = {
    b0: (vh + (vb * ks) / SHELF_Q + ks * ks) / a0s,
    b1: (2 * (ks * ks - vh)) / a0s,
    b2: (vh - (vb * ks) / SHELF_Q + ks * ks) / a0s,
    a1: (2 * (ks * ks - 1)) / a0s,
    a2: (1 - ks / SHELF_Q + ks * ks) / a0s,
  };
  const kh = Math.tan((Math.PI * RLB_FREQ_HZ) / sampleRate);
  const a0h = 1 + kh / RLB_Q + kh * kh;
  // BS.1770 keeps the RLB numerator at (1, −2, 1); its small passband gain is part of the −0.691 offset.
  const highpass: BiquadCoefficients = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (kh * kh - 1)) / a0h,
    a2: (1 - kh / RLB_Q + kh * kh) / a0h,
  };
  return { shelf, highpass };
}
