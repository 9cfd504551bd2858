import { PRESET_LIMITS, type Preset } from '../../src/shared/preset';

/**
 * The device's own live.* controls, as the patch reports them (`param <key> <value>`,
 * m4l-device/MESSAGES.md). Keys, not long names, so node never depends on display names; the
 * ranges are the preset's, which the patch's dials share.
 */

export const CONTROL_LIMITS = {
  trim: PRESET_LIMITS.trimDb,
  eq1_gain: PRESET_LIMITS.gainDb,
  eq2_gain: PRESET_LIMITS.gainDb,
  eq3_gain: PRESET_LIMITS.gainDb,
  eq4_gain: PRESET_LIMITS.gainDb,
  eq5_gain: PRESET_LIMITS.gainDb,
  ceiling: PRESET_LIMITS.ceilingDbtp,
  bypass: { min: 0, max: 1, unit: '' },
} as const;

export type ControlKey = keyof typeof CONTROL_LIMITS;
/** The controls that edit a preset; bypass switches the strip instead. */
export type PresetControlKey = Exclude<ControlKey, 'bypass'>;
export type ControlChange = { key: PresetControlKey; value: number } | { key: 'bypass'; value: 0 | 1 };

export const CONTROL_KEYS = Object.keys(CONTROL_LIMITS) as ControlKey[];

export function isControlKey(key: string): key is ControlKey {
  return Object.hasOwn(CONTROL_LIMITS, key);
}

/** `preset` with one control's value in place; the original is left alone. */
export function presetWithControl(preset: Preset, key: PresetControlKey, value: number): Preset {
  const next = structuredClone(preset);
  if (key === 'trim') next.trimDb = value;
  else if (key === 'ceiling') next.limiter.ceilingDbtp = value;
  // eq1_gain is the first band.
  else next.eq[Number(key[2]) - 1].gainDb = value;
  return next;
}
