import { z } from 'zod';

/**
 * A song's processing preset: trim, five EQ bands, compressor, true-peak limiter and ambience
 * sends, plus the ramp used when it is recalled. Files, OSC and the panel all go through
 * parsePreset(), which reports every problem with its field path, value and allowed range and
 * returns either a whole valid preset or nothing.
 *
 * Missing fields take the defaults a FOH engineer starts from (flat EQ with the usual band
 * layout, compressor ready but off, limiter on at −1 dBTP); unknown fields are refused, so a
 * misspelt key is reported instead of silently falling back to its default.
 */

export const PRESET_VERSION = 1;

export const EQ_BAND_TYPES = ['highpass', 'lowshelf', 'peak', 'highshelf', 'lowpass'] as const;
export const EQ_BAND_COUNT = 5;
export const EQ_SLOPES = [12, 24] as const;

/** Ranges shared by the schema, the panel's controls and error messages. */
export const PRESET_LIMITS = {
  trimDb: { min: -24, max: 24, unit: 'dB' },
  freqHz: { min: 20, max: 20000, unit: 'Hz' },
  gainDb: { min: -18, max: 18, unit: 'dB' },
  q: { min: 0.1, max: 10, unit: '' },
  thresholdDb: { min: -60, max: 0, unit: 'dB' },
  ratio: { min: 1, max: 20, unit: ':1' },
  kneeDb: { min: 0, max: 24, unit: 'dB' },
  attackMs: { min: 0.1, max: 200, unit: 'ms' },
  compressorReleaseMs: { min: 5, max: 5000, unit: 'ms' },
  makeupDb: { min: 0, max: 24, unit: 'dB' },
  stereoLink: { min: 0, max: 1, unit: '' },
  ceilingDbtp: { min: -20, max: 0, unit: 'dBTP' },
  limiterReleaseMs: { min: 1, max: 1000, unit: 'ms' },
  lookaheadMs: { min: 0.5, max: 10, unit: 'ms' },
  /** Ambience sends: null is "off" (−∞ dB); numbers are Live send levels, which top out at 0 dB. */
  sendDb: { min: -70, max: 0, unit: 'dB' },
  rampMs: { min: 20, max: 2000, unit: 'ms' },
} as const;

type Limit = (typeof PRESET_LIMITS)[keyof typeof PRESET_LIMITS];

function ranged({ min, max, unit }: Limit) {
  // "−70–0 dB" reads like a typo; negative ranges are spelt out.
  const span = min < 0 ? `${min} to ${max}` : `${min}–${max}`;
  const range = `${span}${unit === '' || unit.startsWith(':') ? unit : ` ${unit}`}`;
  const error = (issue: { input?: unknown }) => `${String(issue.input)} is outside ${range}`;
  return z.number().min(min, { error }).max(max, { error });
}

const bandTypeSchema = z.enum(EQ_BAND_TYPES);
const slopeSchema = z.literal(EQ_SLOPES, { error: (issue) => `${showValue(issue.input)} is not ${EQ_SLOPES.join(' or ')} dB/oct` });

function bandSchema(defaults: EqBand) {
  return z.strictObject({
    type: bandTypeSchema.default(defaults.type),
    freqHz: ranged(PRESET_LIMITS.freqHz).default(defaults.freqHz),
    gainDb: ranged(PRESET_LIMITS.gainDb).default(defaults.gainDb),
    q: ranged(PRESET_LIMITS.q).default(defaults.q),
    slope: slopeSchema.default(defaults.slope),
    enabled: z.boolean().default(defaults.enabled),
  });
}

export interface EqBand {
  type: (typeof EQ_BAND_TYPES)[number];
  freqHz: number;
  gainDb: number;
  q: number;
  /** dB/oct; only the pass filters use it. */
  slope: (typeof EQ_SLOPES)[number];
  enabled: boolean;
}

const BUTTERWORTH_Q = Math.SQRT1_2;

/** Low cut off and ready at 30 Hz, two shelves and the two peaks FOH reaches for first: 400 Hz mud, 2.5 kHz vocal space. */
const DEFAULT_BANDS: readonly EqBand[] = [
  { type: 'highpass', freqHz: 30, gainDb: 0, q: BUTTERWORTH_Q, slope: 24, enabled: false },
  { type: 'lowshelf', freqHz: 120, gainDb: 0, q: BUTTERWORTH_Q, slope: 12, enabled: true },
  { type: 'peak', freqHz: 400, gainDb: 0, q: 1, slope: 12, enabled: true },
  { type: 'peak', freqHz: 2500, gainDb: 0, q: 1, slope: 12, enabled: true },
  { type: 'highshelf', freqHz: 10000, gainDb: 0, q: BUTTERWORTH_Q, slope: 12, enabled: true },
];

const DEFAULT_COMPRESSOR = {
  enabled: false,
  thresholdDb: -12,
  ratio: 2,
  kneeDb: 6,
  attackMs: 10,
  releaseMs: 150,
  makeupDb: 0,
  stereoLink: 1,
};

const DEFAULT_LIMITER = { enabled: true, ceilingDbtp: -1, releaseMs: 100, lookaheadMs: 1.5 };

const DEFAULT_RAMP_MS = 50;

const compressorSchema = z
  .strictObject({
    enabled: z.boolean().default(DEFAULT_COMPRESSOR.enabled),
    thresholdDb: ranged(PRESET_LIMITS.thresholdDb).default(DEFAULT_COMPRESSOR.thresholdDb),
    ratio: ranged(PRESET_LIMITS.ratio).default(DEFAULT_COMPRESSOR.ratio),
    kneeDb: ranged(PRESET_LIMITS.kneeDb).default(DEFAULT_COMPRESSOR.kneeDb),
    attackMs: ranged(PRESET_LIMITS.attackMs).default(DEFAULT_COMPRESSOR.attackMs),
    releaseMs: ranged(PRESET_LIMITS.compressorReleaseMs).default(DEFAULT_COMPRESSOR.releaseMs),
    makeupDb: ranged(PRESET_LIMITS.makeupDb).default(DEFAULT_COMPRESSOR.makeupDb),
    /** 0: each channel compressed on its own; 1: both by the louder one (no image shift). */
    stereoLink: ranged(PRESET_LIMITS.stereoLink).default(DEFAULT_COMPRESSOR.stereoLink),
  })
  .default(DEFAULT_COMPRESSOR);

const limiterSchema = z
  .strictObject({
    enabled: z.boolean().default(DEFAULT_LIMITER.enabled),
    ceilingDbtp: ranged(PRESET_LIMITS.ceilingDbtp).default(DEFAULT_LIMITER.ceilingDbtp),
    releaseMs: ranged(PRESET_LIMITS.limiterReleaseMs).default(DEFAULT_LIMITER.releaseMs),
    /** Sets the limiter's latency, which Live compensates once: a change applies when the device resets. */
    lookaheadMs: ranged(PRESET_LIMITS.lookaheadMs).default(DEFAULT_LIMITER.lookaheadMs),
  })
  .default(DEFAULT_LIMITER);

const MAX_RETURN_NAME = 128;

/** Return track name → send level in dB, or null for a send turned fully down. */
const ambienceSchema = z
  .record(z.string().min(1).max(MAX_RETURN_NAME), ranged(PRESET_LIMITS.sendDb).nullable())
  .default({});

export const presetSchema = z.strictObject({
  version: z.literal(PRESET_VERSION),
  trimDb: ranged(PRESET_LIMITS.trimDb).default(0),
  eq: z.tuple([bandSchema(DEFAULT_BANDS[0]), bandSchema(DEFAULT_BANDS[1]), bandSchema(DEFAULT_BANDS[2]), bandSchema(DEFAULT_BANDS[3]), bandSchema(DEFAULT_BANDS[4])]).default(() => defaultBands()),
  compressor: compressorSchema,
  limiter: limiterSchema,
  ambience: ambienceSchema,
  /** How long gains and filters take to move when this preset is recalled. */
  rampMs: ranged(PRESET_LIMITS.rampMs).default(DEFAULT_RAMP_MS),
});

export type Preset = z.output<typeof presetSchema>;
export type CompressorSettings = Preset['compressor'];
export type LimiterSettings = Preset['limiter'];

function defaultBands(): Preset['eq'] {
  const [a, b, c, d, e] = DEFAULT_BANDS.map((band) => ({ ...band }));
  return [a, b, c, d, e];
}

export function defaultPreset(): Preset {
  return {
    version: PRESET_VERSION,
    trimDb: 0,
    eq: defaultBands(),
    compressor: { ...DEFAULT_COMPRESSOR },
    limiter: { ...DEFAULT_LIMITER },
    ambience: {},
    rampMs: DEFAULT_RAMP_MS,
  };
}

/** Upgrades a preset of version `from` to `from + 1`. */
export type PresetMigration = (preset: Record<string, unknown>) => Record<string, unknown>;

/** One entry per older version; version 1 is the first, so there is nothing to upgrade yet. */
export const PRESET_MIGRATIONS: Readonly<Record<number, PresetMigration>> = {};

/**
 * Brings a preset of any known version up to `current`, one step at a time. Refuses a preset
 * from a newer LiveBlend rather than guessing at fields it does not know.
 */
export function migratePreset(json: unknown, migrations: Readonly<Record<number, PresetMigration>> = PRESET_MIGRATIONS, current: number = PRESET_VERSION): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  let preset = json as Record<string, unknown>;
  const version = preset.version;
  if (version === undefined) throw new Error(`preset.version is missing: a preset must say which version of the preset format it uses (this LiveBlend writes ${current})`);
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new Error(`preset.version: ${JSON.stringify(version)} is not a preset version (a whole number from 1)`);
  }
  if (version > current) throw new Error(`preset is from a newer LiveBlend (version ${version} > ${current}): update LiveBlend`);
  for (let from = version; from < current; from++) {
    const migrate = migrations[from];
    if (!migrate) throw new Error(`preset version ${from} cannot be upgraded (no migration to ${from + 1}): re-create the preset`);
    preset = { ...migrate(preset), version: from + 1 };
  }
  return preset;
}

/** Parses and validates a preset; throws one Error listing every problem ("preset.eq[2].freqHz: 25000 is outside 20–20000 Hz"). */
export function parsePreset(json: unknown): Preset {
  const result = presetSchema.safeParse(migratePreset(json), { error: describeIssue });
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field (check the spelling)`);
    }
    return [`${formatPath(issue.path)}: ${issue.message}`];
  });
  throw new Error(problems.length === 1 ? `invalid preset: ${problems[0]}` : `invalid preset (${problems.length} problems):\n  ${problems.join('\n  ')}`);
}

/** Messages for the issues the schema does not word itself: wrong types, unknown options, band count. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `is missing (expected ${article(issue.expected)})` : `${showValue(issue.input)} is not ${article(issue.expected)}`;
    case 'invalid_value':
      return `${showValue(issue.input)} is not one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_key':
      return `${showValue(issue.input)} is not a return track name (1–${MAX_RETURN_NAME} characters)`;
    case 'too_small':
    case 'too_big':
      if (issue.origin === 'array') return `has ${(issue.input as unknown[]).length} bands, needs exactly ${EQ_BAND_COUNT}`;
      return undefined;
    default:
      return undefined;
  }
}

/** JSON for what came from JSON; NaN and Infinity (only reachable from code) as themselves. */
function showValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function article(expected: string): string {
  if (expected === 'tuple') return `a list of ${EQ_BAND_COUNT} bands`;
  if (expected === 'record') return 'an object of return track name → send dB';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${text}.${name}` : `${text}[${JSON.stringify(name)}]`;
  }, 'preset');
}
