import { defaultPreset, type Preset } from '../../src/shared/preset';

/** Everything on and far from flat: what a chorus preset might look like. */
export function chorusPreset(): Preset {
  const preset = defaultPreset();
  preset.trimDb = 6;
  preset.eq[0] = { ...preset.eq[0], enabled: true, freqHz: 90, slope: 24 };
  preset.eq[1].gainDb = 4;
  preset.eq[2] = { ...preset.eq[2], gainDb: -6, q: 2 };
  preset.eq[3].gainDb = -4;
  preset.eq[4].gainDb = 3;
  preset.compressor = { ...preset.compressor, enabled: true, thresholdDb: -18, ratio: 3, makeupDb: 2 };
  preset.limiter = { ...preset.limiter, ceilingDbtp: -3 };
  return preset;
}
