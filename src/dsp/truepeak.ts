/**
 * True-peak estimation by polyphase oversampling (BS.1770 Annex 2): 4× below 96 kHz,
 * 2× below 192 kHz, none above. The interpolator is a Kaiser-windowed sinc with each phase
 * normalised to unity DC gain; phase 0 is an exact pass-through, so a true-peak reading is
 * never below the sample peak.
 */

export const TRUE_PEAK_TAPS_PER_PHASE = 16;
const KAISER_BETA = 7;

export interface PolyphaseInterpolator {
  readonly factor: number;
  readonly tapsPerPhase: number;
  /** phases[p][k] multiplies x[n − k]; phase p yields the point p/factor of a sample after x[n − delay]. */
  readonly phases: readonly Float64Array[];
  /** Input samples between the newest input and the interpolated point (group delay, in samples). */
  readonly delay: number;
  /** max over phases of Σ|h|: no output can exceed this times the largest input in its window. */
  readonly gainBound: number;
}

export function truePeakOversampling(sampleRate: number): 1 | 2 | 4 {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new RangeError(`true peak: sample rate ${sampleRate} Hz must be a positive number`);
  }
  if (sampleRate < 96000) return 4;
  if (sampleRate < 192000) return 2;
  return 1;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

export function designInterpolator(factor: 1 | 2 | 4, tapsPerPhase = TRUE_PEAK_TAPS_PER_PHASE): PolyphaseInterpolator {
  if (factor === 1) {
    return { factor, tapsPerPhase: 1, phases: [Float64Array.of(1)], delay: 0, gainBound: 1 };
  }
  const length = factor * tapsPerPhase;
  // Prototype centre sits on an input sample so phase 0 is a pure delay of tapsPerPhase/2.
  const centre = (tapsPerPhase / 2) * factor;
  const i0Beta = besselI0(KAISER_BETA);
  const prototype = new Float64Array(length + 1);
  for (let i = 0; i <= length; i++) {
    const t = (i - centre) / factor;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const r = (i - centre) / centre;
    const window = Math.abs(r) <= 1 ? besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta : 0;
    prototype[i] = sinc * window;
  }
  const phases: Float64Array[] = [];
  let gainBound = 0;
  for (let p = 0; p < factor; p++) {
    // Output point p/factor after x[n − delay] uses prototype taps centre − p + k·factor... mapped to x[n − k].
    const taps = new Float64Array(tapsPerPhase);
    let sum = 0;
    for (let k = 0; k < tapsPerPhase; k++) {
      const index = k * factor + p;
      taps[k] = index <= length ? prototype[index] : 0;
      sum += taps[k];
    }
    let l1 = 0;
    for (let k = 0; k < tapsPerPhase; k++) {
      taps[k] /= sum;
      l1 += Math.abs(taps[k]);
    }
    phases.push(taps);
    gainBound = Math.max(gainBound, l1);
  }
  return { factor, tapsPerPhase, phases, delay: tapsPerPhase / 2, gainBound };
}
