import { defaultPreset, type Preset } from '../../src/shared/preset';
import type { ClickSetup, DeviceRole } from '../../src/shared/osc-protocol';

/** The gen~ parameter messages the device script sends (m4l-device/gen/params.ts). */
export interface GenParams {
  stripParams(preset: Preset, sampleRate: number, rampMs?: number): Array<[string, number]>;
  meterParams(sampleRate: number): Array<[string, number]>;
  recallTrigger(sequence: number): [string, number];
  resetTrigger(sequence: number): [string, number];
  readyParams(ready: boolean): Array<[string, number]>;
  clickParams(setup: ClickSetup, sampleRate: number): Array<[string, number]>;
  clickTempoParams(bpm: number): Array<[string, number]>;
  clickOnParams(on: boolean): Array<[string, number]>;
}

/**
 * What the strip actually runs for a song's preset (or the show's default preset). The show
 * ceiling caps every preset's limiter. An iem or click device only protects ears: unity gain, EQ
 * and compressor off, the limiter on at the show ceiling — a song's FOH trim and EQ have no
 * business in the band's in-ears.
 */
export function effectivePreset(role: DeviceRole, base: Preset, showCeilingDbtp: number): Preset {
  if (role === 'bus') {
    return { ...base, limiter: { ...base.limiter, ceilingDbtp: Math.min(base.limiter.ceilingDbtp, showCeilingDbtp) } };
  }
  const plain = defaultPreset();
  return {
    ...plain,
    eq: plain.eq.map((band) => ({ ...band, enabled: false })) as Preset['eq'],
    compressor: { ...plain.compressor, enabled: false },
    limiter: { ...base.limiter, enabled: true, ceilingDbtp: showCeilingDbtp },
    rampMs: base.rampMs,
  };
}

/**
 * Send levels for a preset's ambience. Returns this preset's sends plus "-inf" for every return
 * an earlier preset turned up that this one does not mention, so leaving a wet song never
 * leaves its reverb behind.
 */
export function ambienceSends(preset: Preset, previouslySet: ReadonlySet<string>): Array<[string, number | '-inf']> {
  const sends: Array<[string, number | '-inf']> = [];
  for (const [name, db] of Object.entries(preset.ambience)) sends.push([name, db === null ? '-inf' : db]);
  for (const name of previouslySet) if (!(name in preset.ambience)) sends.push([name, '-inf']);
  return sends;
}
