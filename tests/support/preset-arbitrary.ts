import fc from 'fast-check';
import { EQ_BAND_TYPES, PRESET_VERSION, type EqBand, type Preset } from '../../src/shared/preset';

/** fast-check generators for valid presets, spanning every range the schema allows. */

/** "+ 0": presets travel as JSON, which has no −0. */
const between = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((v) => v + 0);
/** Frequencies and times spread evenly on a log scale, as the ear and the knobs are (exp(log(20)) can land a hair under 20). */
const logBetween = (min: number, max: number) => between(Math.log(min), Math.log(max)).map((v) => Math.min(max, Math.max(min, Math.exp(v))));

export const eqBandArbitrary: fc.Arbitrary<EqBand> = fc.record({
  type: fc.constantFrom(...EQ_BAND_TYPES),
  freqHz: logBetween(20, 20000),
  gainDb: between(-18, 18),
  q: logBetween(0.1, 10),
  slope: fc.constantFrom(12 as const, 24 as const),
  enabled: fc.boolean(),
});

export const presetArbitrary: fc.Arbitrary<Preset> = fc.record({
  version: fc.constant(PRESET_VERSION),
  trimDb: between(-24, 24),
  eq: fc.tuple(eqBandArbitrary, eqBandArbitrary, eqBandArbitrary, eqBandArbitrary, eqBandArbitrary),
  compressor: fc.record({
    enabled: fc.boolean(),
    thresholdDb: between(-60, 0),
    ratio: logBetween(1, 20),
    kneeDb: between(0, 24),
    attackMs: logBetween(0.1, 200),
    releaseMs: logBetween(5, 5000),
    makeupDb: between(0, 24),
    stereoLink: between(0, 1),
  }),
  limiter: fc.record({
    enabled: fc.boolean(),
    ceilingDbtp: between(-20, 0),
    releaseMs: logBetween(1, 1000),
    lookaheadMs: between(0.5, 10),
  }),
  ambience: fc.constant({}),
  rampMs: logBetween(20, 2000),
});
