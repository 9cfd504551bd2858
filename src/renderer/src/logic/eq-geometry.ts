import { PRESET_LIMITS, type EqBand } from '../../../shared/preset';

/** The EQ plot: log frequency across, gain in dB up; numbers are in the SVG's viewBox units. */
export const EQ_PLOT = { width: 600, height: 240, minHz: PRESET_LIMITS.freqHz.min, maxHz: PRESET_LIMITS.freqHz.max, rangeDb: 24 } as const;

const LOG_SPAN = Math.log(EQ_PLOT.maxHz / EQ_PLOT.minHz);

export function freqToX(freqHz: number): number {
  return (Math.log(freqHz / EQ_PLOT.minHz) / LOG_SPAN) * EQ_PLOT.width;
}

export function xToFreq(x: number): number {
  return EQ_PLOT.minHz * Math.exp((x / EQ_PLOT.width) * LOG_SPAN);
}

export function gainToY(gainDb: number): number {
  return EQ_PLOT.height / 2 - (gainDb / EQ_PLOT.rangeDb) * (EQ_PLOT.height / 2);
}

export function yToGain(y: number): number {
  return ((EQ_PLOT.height / 2 - y) / (EQ_PLOT.height / 2)) * EQ_PLOT.rangeDb;
}

/** Log-spaced frequencies for drawing the response. */
export function plotFrequencies(count: number): Float64Array {
  const freqs = new Float64Array(count);
  for (let i = 0; i < count; i++) freqs[i] = EQ_PLOT.minHz * Math.exp((i / (count - 1)) * LOG_SPAN);
  return freqs;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Pass filters have no gain: dragging them moves only the frequency. */
export function bandHasGain(band: EqBand): boolean {
  return band.type !== 'highpass' && band.type !== 'lowpass';
}

/** A band moved to a point of the plot, rounded to what a person can set by hand (1 Hz, 0.1 dB). */
export function bandAtPoint(band: EqBand, x: number, y: number): EqBand {
  const freqHz = Math.round(clamp(xToFreq(x), PRESET_LIMITS.freqHz.min, PRESET_LIMITS.freqHz.max));
  const gainDb = bandHasGain(band) ? Math.round(clamp(yToGain(y), PRESET_LIMITS.gainDb.min, PRESET_LIMITS.gainDb.max) * 10) / 10 : band.gainDb;
  return { ...band, freqHz, gainDb };
}

/**
 * Arrow keys on a handle: left/right move the frequency by 1/12 octave (a third with Shift),
 * up/down the gain by 0.5 dB (3 dB with Shift). Returns null for keys the handle does not use.
 */
export function bandAfterKey(band: EqBand, key: string, shift: boolean): EqBand | null {
  const octaves = shift ? 1 / 3 : 1 / 12;
  const gainStep = shift ? 3 : 0.5;
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowRight': {
      const factor = 2 ** (key === 'ArrowRight' ? octaves : -octaves);
      return { ...band, freqHz: Math.round(clamp(band.freqHz * factor, PRESET_LIMITS.freqHz.min, PRESET_LIMITS.freqHz.max)) };
    }
    case 'ArrowUp':
    case 'ArrowDown': {
      if (!bandHasGain(band)) return null;
      const gainDb = clamp(band.gainDb + (key === 'ArrowUp' ? gainStep : -gainStep), PRESET_LIMITS.gainDb.min, PRESET_LIMITS.gainDb.max);
      return { ...band, gainDb: Math.round(gainDb * 10) / 10 };
    }
    default:
      return null;
  }
}
