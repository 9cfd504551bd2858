/**
 * Second-order IIR sections: normalised coefficients (a0 = 1) kept apart from state, so one
 * design can drive any number of processors (and the device's gen~ kernel).
 */
export interface BiquadCoefficients {
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly a1: number;
  readonly a2: number;
}

export const IDENTITY_BIQUAD: BiquadCoefficients = Object.freeze({ b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 });

/** Complex response of one section at `freqHz`, as magnitude (linear). */
export function biquadMagnitude(c: BiquadCoefficients, freqHz: number, sampleRate: number): number {
  const w = (2 * Math.PI * freqHz) / sampleRate;
  const cos1 = Math.cos(w);
  const sin1 = Math.sin(w);
  const cos2 = Math.cos(2 * w);
  const sin2 = Math.sin(2 * w);
  const numRe = c.b0 + c.b1 * cos1 + c.b2 * cos2;
  const numIm = -(c.b1 * sin1 + c.b2 * sin2);
  const denRe = 1 + c.a1 * cos1 + c.a2 * cos2;
  const denIm = -(c.a1 * sin1 + c.a2 * sin2);
  return Math.sqrt((numRe * numRe + numIm * numIm) / (denRe * denRe + denIm * denIm));
}
