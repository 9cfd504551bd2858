import { z } from 'zod';
import { DEFAULT_CEILING_DBTP, DEFAULT_TARGET_LUFS, DEVICE_ROLES, TARGET_LIMITS } from './osc-protocol';
import { PRESET_LIMITS, defaultPreset, migratePreset, presetSchema, type Preset } from './preset';

/**
 * The show file (`<name>.liveblend.json`): everything a band's playback engineer sets up once per
 * tour and tweaks per venue. Songs in set order, each with one preset per device slot; the show's
 * loudness target and true-peak ceilings; a venue offset layered on top of every song; notes; and
 * a revision number that every edit must quote so a stale panel cannot overwrite a newer show.
 *
 * Files go through parseShow(): it upgrades older schema versions one step at a time, refuses
 * files from a newer LiveBlend, and reports every problem with its path in the file.
 */

export const SHOW_FORMAT = 'liveblend-show';
export const SHOW_SCHEMA_VERSION = 1;

/**
 * The ranges a show's values must keep. The target is the devices' own range (they refuse any
 * other), so a show that validates can always be pushed to the rig.
 */
export const SHOW_LIMITS = {
  targetLufs: TARGET_LIMITS,
  toleranceLu: { min: 0.1, max: 10, unit: 'LU' },
  ceilingDbtp: PRESET_LIMITS.ceilingDbtp,
  /** A venue needing more than 12 dB of correction has a problem no offset should hide. */
  venueTrimDb: { min: -12, max: 12, unit: 'dB' },
  venueGainDb: { min: -12, max: 12, unit: 'dB' },
} as const;

const MAX_NAME = 200;
const MAX_TRACK_NAME = 128;
const MAX_NOTES = 20_000;

type Limit = { min: number; max: number; unit: string };

function ranged({ min, max, unit }: Limit) {
  const range = `${min < 0 ? `${min} to ${max}` : `${min}–${max}`} ${unit}`;
  const error = (issue: { input?: unknown }) => `${String(issue.input)} is outside ${range}`;
  return z.number().min(min, { error }).max(max, { error });
}

const nameSchema = z
  .string()
  .trim()
  .min(1, { error: 'is empty (give it a name)' })
  .max(MAX_NAME, { error: `is longer than ${MAX_NAME} characters` });

/**
 * The key the device derives from a scene name ("03 Hold On [v2]" → "hold on"): the show matches
 * songs by it, so it must already be in that form — lower case with no surrounding spaces.
 */
export const songKeySchema = z
  .string()
  .min(1, { error: 'is empty (a song key is the scene name without number and tags, lower case)' })
  .max(MAX_NAME, { error: `is longer than ${MAX_NAME} characters` })
  .refine((key) => key === key.trim().toLowerCase(), {
    error: (issue) => `${JSON.stringify(issue.input)} is not a song key: keys are lower case with no leading or trailing spaces (as the device derives them from scene names)`,
  });

/** A device's place in the set: its track name and role. Presets are kept per slot, so two bus devices keep their own. */
export const slotSchema = z.strictObject({
  track: z.string().min(1, { error: 'is empty (the track name the device sits on)' }).max(MAX_TRACK_NAME, { error: `is longer than ${MAX_TRACK_NAME} characters` }),
  role: z.enum(DEVICE_ROLES),
});
export type Slot = z.output<typeof slotSchema>;

/**
 * "bus:Tracks": the one written form of a slot — the key of a song's presets in the show file,
 * the `slot` of every PanelApi request, event and loudness log record. Role first, because a
 * track name may contain any character, a colon included.
 */
export function slotId(slot: Slot): string {
  return `${slot.role}:${slot.track}`;
}

/** The slot a slot id names, or null when it is not "<role>:<track>" with a known role and a valid track name. */
export function parseSlotId(id: string): Slot | null {
  const colon = id.indexOf(':');
  const parsed = slotSchema.safeParse({ role: id.slice(0, colon), track: id.slice(colon + 1) });
  return colon > 0 && parsed.success ? parsed.data : null;
}

export function sameSlot(a: Slot, b: Slot): boolean {
  return slotId(a) === slotId(b);
}

/** A slot id crossing an edge (a PanelApi request, a log record). */
export const slotIdSchema = z
  .string()
  .max(MAX_TRACK_NAME + 8)
  .refine((id) => parseSlotId(id) !== null, { error: `is not a device slot ("<role>:<track>") with role ${DEVICE_ROLES.join(', ')}` });

/** Presets arrive in whatever preset version they were saved with; each is upgraded before it is checked. */
const storedPresetSchema = z.preprocess((value, ctx) => {
  try {
    return migratePreset(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^preset(\.version)?:? ?/, ''), input: value });
    return value;
  }
}, presetSchema);

const songSchema = z.strictObject({
  key: songKeySchema,
  name: nameSchema,
  /** Slot id ("bus:Tracks") → preset. A slot with no entry plays the default preset. */
  presets: z.record(z.string(), storedPresetSchema).default({}),
  notes: z.string().max(MAX_NOTES).default(''),
});
export type Song = z.output<typeof songSchema>;

/**
 * The room, not the song: a trim and a gain per EQ band added to every song's preset on FOH-bound
 * (bus) slots — what the device's one 5-band EQ can layer on top of the song's own. The band
 * gains follow the preset's band order (low cut, low shelf, low-mid, presence, high shelf); a
 * gain offset on a pass filter has nothing to act on and is ignored.
 */
const venueFields = {
  name: z.string().trim().max(MAX_NAME, { error: `is longer than ${MAX_NAME} characters` }),
  trimDb: ranged(SHOW_LIMITS.venueTrimDb),
  eqGainDb: z.tuple([ranged(SHOW_LIMITS.venueGainDb), ranged(SHOW_LIMITS.venueGainDb), ranged(SHOW_LIMITS.venueGainDb), ranged(SHOW_LIMITS.venueGainDb), ranged(SHOW_LIMITS.venueGainDb)]),
};
const NO_VENUE = { name: '', trimDb: 0, eqGainDb: [0, 0, 0, 0, 0] as [number, number, number, number, number] };
const venueSchema = z.strictObject({
  name: venueFields.name.default(NO_VENUE.name),
  trimDb: venueFields.trimDb.default(NO_VENUE.trimDb),
  eqGainDb: venueFields.eqGainDb.default(NO_VENUE.eqGainDb),
});
/** Part of a venue offset, as a panel changes it: fields left out keep their value. */
export const venueChangesSchema = z.strictObject({ name: venueFields.name.optional(), trimDb: venueFields.trimDb.optional(), eqGainDb: venueFields.eqGainDb.optional() });
export type VenueOffset = z.output<typeof venueSchema>;

export const ceilingsSchema = z.strictObject({
  fohDbtp: ranged(SHOW_LIMITS.ceilingDbtp),
  iemDbtp: ranged(SHOW_LIMITS.ceilingDbtp),
});

export const showSchema = z
  .strictObject({
    format: z.literal(SHOW_FORMAT),
    schemaVersion: z.literal(SHOW_SCHEMA_VERSION),
    name: nameSchema,
    /** Goes up by one with every saved edit; an edit based on an older revision is refused. */
    revision: z.number().int().min(0),
    targetLufs: ranged(SHOW_LIMITS.targetLufs),
    toleranceLu: ranged(SHOW_LIMITS.toleranceLu),
    ceilings: ceilingsSchema,
    slots: z.array(slotSchema).default([]),
    songs: z.array(songSchema).default([]),
    venue: venueSchema.default(NO_VENUE),
    notes: z.string().max(MAX_NOTES).default(''),
  })
  .superRefine((show, ctx) => {
    const declared = new Set<string>();
    show.slots.forEach((slot, index) => {
      const id = slotId(slot);
      if (declared.has(id)) ctx.addIssue({ code: 'custom', path: ['slots', index], message: `${JSON.stringify(id)} is listed twice`, input: slot });
      declared.add(id);
    });
    const keys = new Set<string>();
    show.songs.forEach((song, index) => {
      if (keys.has(song.key)) ctx.addIssue({ code: 'custom', path: ['songs', index, 'key'], message: `${JSON.stringify(song.key)} is used by an earlier song (song keys must be unique)`, input: song.key });
      keys.add(song.key);
      for (const id of Object.keys(song.presets)) {
        if (!declared.has(id)) {
          const known = declared.size ? [...declared].join(', ') : 'none';
          ctx.addIssue({ code: 'custom', path: ['songs', index, 'presets', id], message: `is not a device slot of this show (slots: ${known})`, input: id });
        }
      }
    });
  });

export type Show = z.output<typeof showSchema>;

export interface NewShowOptions {
  name: string;
  targetLufs?: number;
  toleranceLu?: number;
  ceilings?: { fohDbtp: number; iemDbtp: number };
}

/** An empty show with the devices' default target ± 1 LU, FOH at the devices' default ceiling, IEM at −3 dBTP. */
export function newShow(options: NewShowOptions): Show {
  return validateShow({
    format: SHOW_FORMAT,
    schemaVersion: SHOW_SCHEMA_VERSION,
    name: options.name,
    revision: 0,
    targetLufs: options.targetLufs ?? DEFAULT_TARGET_LUFS,
    toleranceLu: options.toleranceLu ?? 1,
    ceilings: options.ceilings ?? { fohDbtp: DEFAULT_CEILING_DBTP, iemDbtp: -3 },
  });
}

// ---- Versions and migrations ----

/** Upgrades a show of schema version `from` to `from + 1`. */
export type ShowMigration = (show: Record<string, unknown>) => Record<string, unknown>;

/**
 * One entry per older schema version. Version 1 is the first, so there is nothing to upgrade yet;
 * the next schema change adds `1: (show) => …` here and bumps SHOW_SCHEMA_VERSION.
 */
export const SHOW_MIGRATIONS: Readonly<Record<number, ShowMigration>> = {};

/** Why a file is not a show this LiveBlend can open, as opposed to a show with bad values. */
export type ShowFileProblem = 'not-a-show' | 'future-version' | 'unknown-version' | 'invalid';

export class ShowFileError extends Error {
  constructor(
    message: string,
    readonly problem: ShowFileProblem,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
    this.name = 'ShowFileError';
  }
}

/** Brings a show of any known schema version up to `current`, one step at a time; refuses a newer one. */
export function migrateShow(json: unknown, migrations: Readonly<Record<number, ShowMigration>> = SHOW_MIGRATIONS, current: number = SHOW_SCHEMA_VERSION): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || (json as Record<string, unknown>).format !== SHOW_FORMAT) {
    throw new ShowFileError(`not a LiveBlend show file (it has no "format": "${SHOW_FORMAT}")`, 'not-a-show');
  }
  let show = json as Record<string, unknown>;
  const version = show.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new ShowFileError(`schemaVersion: ${JSON.stringify(version)} is not a show schema version (a whole number from 1)`, 'unknown-version');
  }
  if (version > current) {
    throw new ShowFileError(`show file is newer than this version of LiveBlend (schema ${version} > ${current}): update LiveBlend or open a backup`, 'future-version');
  }
  for (let from = version; from < current; from++) {
    const migrate = migrations[from];
    if (!migrate) throw new ShowFileError(`show schema ${from} cannot be upgraded (no migration to ${from + 1}): open a backup`, 'unknown-version');
    show = { ...migrate(show), schemaVersion: from + 1 };
  }
  return show;
}

/** Parses a show file's JSON: migrates it, validates it, and throws a ShowFileError listing every problem with its path. */
export function parseShow(json: unknown): Show {
  return validateShow(migrateShow(json));
}

/** Validates a show already at the current schema version (an edited copy, say). */
export function validateShow(value: unknown): Show {
  const result = showSchema.safeParse(value, { error: describeIssue });
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field (check the spelling)`);
    return [`${formatPath(issue.path)}: ${issue.message}`];
  });
  const message = problems.length === 1 ? `invalid show: ${problems[0]}` : `invalid show (${problems.length} problems):\n  ${problems.join('\n  ')}`;
  throw new ShowFileError(message, 'invalid', problems);
}

function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `is missing (expected ${article(issue.expected)})` : `${showValue(issue.input)} is not ${article(issue.expected)}`;
    case 'invalid_value':
      return `${showValue(issue.input)} is not ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_small':
    case 'too_big':
      if (issue.origin === 'array') return `has ${(issue.input as unknown[]).length} entries, needs exactly 5 (one per EQ band)`;
      if (issue.origin === 'number') return `${showValue(issue.input)} is ${issue.code === 'too_small' ? `below ${issue.minimum}` : `above ${issue.maximum}`}`;
      return undefined;
    case 'invalid_union':
      return `${showValue(kindOf(issue.input))} is not a known edit (kinds: ${EDIT_KINDS.join(', ')})`;
    default:
      return undefined;
  }
}

function kindOf(edit: unknown): unknown {
  return typeof edit === 'object' && edit !== null ? (edit as { kind?: unknown }).kind : edit;
}

function showValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function article(expected: string): string {
  if (expected === 'tuple') return 'a list of 5 EQ bands';
  if (expected === 'record') return 'an object';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** songs[3].presets.bus:Tracks.eq[2].gainDb — slot ids read as they are written; anything stranger is quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    const plain = /^[A-Za-z_][A-Za-z0-9_:/-]*$/.test(name);
    if (!plain) return `${text}[${JSON.stringify(name)}]`;
    return text === '' ? name : `${text}.${name}`;
  }, '');
}

// ---- What a device plays ----

function clamp(value: number, { min, max }: Limit): number {
  return Math.min(max, Math.max(min, value));
}

const GAIN_BANDS: ReadonlySet<string> = new Set(['lowshelf', 'peak', 'highshelf']);

function findSong(show: Show, songKey: string): Song {
  const song = show.songs.find((s) => s.key === songKey);
  if (!song) throw new Error(`no song ${JSON.stringify(songKey)} in show ${JSON.stringify(show.name)}`);
  return song;
}

/**
 * The preset a device in `slot` plays for a song: the song's own preset (or the default), plus
 * the venue offset on FOH-bound bus slots (the room colours what FOH hears, not the in-ears),
 * with the limiter held at or below the show's ceiling for the slot's destination (FOH for bus,
 * IEM for click and iem). Results stay inside the preset limits.
 */
export function effectivePreset(show: Show, songKey: string, slot: Slot): Preset {
  const stored = findSong(show, songKey).presets[slotId(slot)] ?? defaultPreset();
  const preset = clonePreset(stored);
  if (slot.role === 'bus') {
    preset.trimDb = clamp(preset.trimDb + show.venue.trimDb, PRESET_LIMITS.trimDb);
    preset.eq.forEach((band, index) => {
      if (GAIN_BANDS.has(band.type)) band.gainDb = clamp(band.gainDb + show.venue.eqGainDb[index], PRESET_LIMITS.gainDb);
    });
  }
  const ceiling = slot.role === 'bus' ? show.ceilings.fohDbtp : show.ceilings.iemDbtp;
  preset.limiter.ceilingDbtp = Math.min(preset.limiter.ceilingDbtp, ceiling);
  return preset;
}

function clonePreset(preset: Preset): Preset {
  const [a, b, c, d, e] = preset.eq.map((band) => ({ ...band }));
  return { ...preset, eq: [a, b, c, d, e], compressor: { ...preset.compressor }, limiter: { ...preset.limiter }, ambience: { ...preset.ambience } };
}

export interface PresetChange {
  songKey: string;
  slot: Slot;
  preset: Preset;
}

/** Every song × slot whose effective preset differs between two versions of a show: what must be pushed to devices. */
export function changedPresets(before: Show | null, after: Show): PresetChange[] {
  const changes: PresetChange[] = [];
  for (const song of after.songs) {
    const had = before?.songs.some((s) => s.key === song.key) ?? false;
    for (const slot of after.slots) {
      const preset = effectivePreset(after, song.key, slot);
      const known = before !== null && had && before.slots.some((s) => sameSlot(s, slot));
      if (known && JSON.stringify(effectivePreset(before, song.key, slot)) === JSON.stringify(preset)) continue;
      changes.push({ songKey: song.key, slot, preset });
    }
  }
  return changes;
}

// ---- Adopting what a device already knows ----

/** The songs a device has presets for (its state saved in the Live set), as the hub receives them. */
export const deviceSongsSchema = z.strictObject({
  songs: z.array(z.strictObject({ key: songKeySchema, name: z.string().optional(), preset: z.unknown() })),
});
export type DeviceSongs = z.output<typeof deviceSongsSchema>;

export interface Adoption {
  show: Show;
  /** Keys of songs added to the show, in the device's order. */
  songs: string[];
  /** Keys of songs whose preset for the slot came from the device. */
  presets: string[];
  /** Presets the device sent that are not valid, each with the reason; they were left out. */
  refused: string[];
}

/**
 * Adopts what a device knows that the show does not: unknown songs are appended in the device's
 * order, and a song's preset for this slot is taken from the device only where the show has none.
 * Nothing the show already holds is overwritten, so a set built in Live first is adopted and a
 * show built in the panel wins over a device's older copy.
 */
export function adoptDeviceSongs(show: Show, slot: Slot, state: DeviceSongs): Adoption {
  const next: Show = JSON.parse(JSON.stringify(show)) as Show;
  const id = slotId(slot);
  const adoption: Adoption = { show: next, songs: [], presets: [], refused: [] };
  for (const deviceSong of state.songs) {
    let song = next.songs.find((s) => s.key === deviceSong.key);
    if (song?.presets[id]) continue;
    const preset = storedPresetSchema.safeParse(deviceSong.preset, { error: describeIssue });
    if (!preset.success) {
      const issue = preset.error.issues[0];
      adoption.refused.push(`${deviceSong.key}: ${formatPath(['preset', ...issue.path])}: ${issue.message}`);
      if (song) continue;
    }
    if (!song) {
      song = { key: deviceSong.key, name: deviceSong.name?.trim() || deviceSong.key, presets: {}, notes: '' };
      next.songs.push(song);
      adoption.songs.push(song.key);
    }
    if (preset.success) {
      song.presets[id] = preset.data;
      adoption.presets.push(song.key);
    }
  }
  if (!next.slots.some((s) => slotId(s) === id) && (adoption.songs.length > 0 || adoption.presets.length > 0)) next.slots.push(slot);
  adoption.show = validateShow(next);
  return adoption;
}

/**
 * The songs of a Live set the show does not have yet, added without presets (they play the
 * default until someone sets one) so a set built in Live first appears in the panel in its own
 * order. Each new song goes right after the set's previous song that the show has, or before
 * the first song when none comes before it; songs the show already has keep their place and
 * name. Returns the keys added.
 */
export function adoptSetSongs(show: Show, setSongs: readonly { key: string; name: string }[]): { show: Show; added: string[] } {
  const next: Show = JSON.parse(JSON.stringify(show)) as Show;
  const added: string[] = [];
  let insertAt = 0;
  for (const setSong of setSongs) {
    const at = next.songs.findIndex((s) => s.key === setSong.key);
    if (at >= 0) {
      insertAt = at + 1;
      continue;
    }
    if (!songKeySchema.safeParse(setSong.key).success) continue;
    next.songs.splice(insertAt, 0, { key: setSong.key, name: setSong.name.trim() || setSong.key, presets: {}, notes: '' });
    added.push(setSong.key);
    insertAt++;
  }
  return { show: added.length > 0 ? validateShow(next) : show, added };
}

// ---- Edits ----

/**
 * Whole operations a panel may ask for. Each names the revision it was based on; the store
 * refuses it if the show has moved on, and applies it completely or not at all.
 */
const SINGLE_EDITS = [
  z.strictObject({ kind: z.literal('setPreset'), songKey: z.string(), slot: slotSchema, preset: z.unknown() }),
  z.strictObject({ kind: z.literal('setTrim'), songKey: z.string(), slot: slotSchema, trimDb: z.number() }),
  z.strictObject({ kind: z.literal('reorderSongs'), order: z.array(z.string()) }),
  z.strictObject({ kind: z.literal('addSong'), key: z.string(), name: z.string(), index: z.number().int().min(0).optional() }),
  z.strictObject({ kind: z.literal('removeSong'), songKey: z.string() }),
  z.strictObject({ kind: z.literal('renameShow'), name: z.string() }),
  z.strictObject({ kind: z.literal('setTarget'), targetLufs: z.number(), toleranceLu: z.number() }),
  z.strictObject({ kind: z.literal('setCeilings'), fohDbtp: z.number(), iemDbtp: z.number() }),
  z.strictObject({ kind: z.literal('setVenueOffset'), venue: z.unknown() }),
  z.strictObject({ kind: z.literal('setNotes'), songKey: z.string().optional(), notes: z.string() }),
  z.strictObject({ kind: z.literal('addSlot'), slot: slotSchema }),
  z.strictObject({ kind: z.literal('removeSlot'), slot: slotSchema }),
] as const;
const singleEditSchema = z.discriminatedUnion('kind', SINGLE_EDITS);
export type SingleShowEdit = z.output<typeof singleEditSchema>;

/** The most single edits one batch may carry (a learn pass over a long set, with its slots). */
export const MAX_BATCH_EDITS = 10_000;

/**
 * `batch` is several single edits made as one: applied in order to one copy of the show, the
 * result validated once, saved as one revision — so a panel's one request is one revision, and a
 * second panel that edited the same revision is refused as stale whatever the first one changed.
 */
export const showEditSchema = z.discriminatedUnion('kind', [
  ...SINGLE_EDITS,
  z.strictObject({ kind: z.literal('batch'), edits: z.array(singleEditSchema).min(1).max(MAX_BATCH_EDITS) }),
]);
export type ShowEdit = z.output<typeof showEditSchema>;
const EDIT_KINDS = showEditSchema.options.map((option) => option.shape.kind.value);

export class ShowEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShowEditError';
  }
}

function requireSongIndex(show: Show, songKey: string): number {
  const index = show.songs.findIndex((s) => s.key === songKey);
  if (index < 0) {
    const known = show.songs.length ? show.songs.map((s) => JSON.stringify(s.key)).join(', ') : 'none yet';
    throw new ShowEditError(`no song ${JSON.stringify(songKey)} in the show (songs: ${known})`);
  }
  return index;
}

function requireSlot(show: Show, slot: Slot): string {
  const id = slotId(slot);
  if (!show.slots.some((s) => slotId(s) === id)) {
    const known = show.slots.length ? show.slots.map(slotId).join(', ') : 'none yet';
    throw new ShowEditError(`${JSON.stringify(id)} is not a device slot of this show (slots: ${known}); add the slot first`);
  }
  return id;
}

/**
 * Applies one edit (or one batch) to a copy of the show and validates the whole result; the show
 * passed in is never touched. The revision is left as it was: the store sets it when the result
 * is saved.
 */
export function applyEdit(show: Show, rawEdit: unknown): Show {
  const parsedEdit = showEditSchema.safeParse(rawEdit, { error: describeIssue });
  if (!parsedEdit.success) {
    const issue = parsedEdit.error.issues[0];
    throw new ShowEditError(`invalid edit: ${formatPath(['edit', ...issue.path])}: ${issue.message}`);
  }
  const edit = parsedEdit.data;
  const next: Show = JSON.parse(JSON.stringify(show)) as Show;
  const edits = edit.kind === 'batch' ? edit.edits : [edit];
  for (const single of edits) applySingle(next, single);
  try {
    return validateShow(next);
  } catch (error) {
    if (!(error instanceof ShowFileError)) throw error;
    const what = [...new Set(edits.map((single) => single.kind))].join(' + ');
    throw new ShowEditError(error.message.replace(/^invalid show/, `${what} refused`));
  }
}

/** Applies one single edit to `next` in place; the caller validates the result. */
function applySingle(next: Show, edit: SingleShowEdit): void {
  switch (edit.kind) {
    case 'setPreset': {
      const song = next.songs[requireSongIndex(next, edit.songKey)];
      song.presets[requireSlot(next, edit.slot)] = edit.preset as Preset;
      break;
    }
    case 'setTrim': {
      const song = next.songs[requireSongIndex(next, edit.songKey)];
      const id = requireSlot(next, edit.slot);
      song.presets[id] = { ...(song.presets[id] ?? defaultPreset()), trimDb: edit.trimDb };
      break;
    }
    case 'reorderSongs': {
      const current = next.songs.map((s) => s.key);
      const same = edit.order.length === current.length && new Set(edit.order).size === current.length && current.every((key) => edit.order.includes(key));
      if (!same) throw new ShowEditError(`a new song order must list every song of the show exactly once (songs: ${current.map((k) => JSON.stringify(k)).join(', ')})`);
      const songs = next.songs;
      next.songs = edit.order.map((key) => songs[current.indexOf(key)]);
      break;
    }
    case 'addSong': {
      if (next.songs.some((s) => s.key === edit.key)) throw new ShowEditError(`the show already has a song ${JSON.stringify(edit.key)}`);
      const index = Math.min(edit.index ?? next.songs.length, next.songs.length);
      next.songs.splice(index, 0, { key: edit.key, name: edit.name, presets: {}, notes: '' });
      break;
    }
    case 'removeSong':
      next.songs.splice(requireSongIndex(next, edit.songKey), 1);
      break;
    case 'renameShow':
      next.name = edit.name;
      break;
    case 'setTarget':
      next.targetLufs = edit.targetLufs;
      next.toleranceLu = edit.toleranceLu;
      break;
    case 'setCeilings':
      next.ceilings = { fohDbtp: edit.fohDbtp, iemDbtp: edit.iemDbtp };
      break;
    case 'setVenueOffset':
      next.venue = edit.venue as VenueOffset;
      break;
    case 'setNotes':
      if (edit.songKey === undefined) next.notes = edit.notes;
      else next.songs[requireSongIndex(next, edit.songKey)].notes = edit.notes;
      break;
    case 'addSlot':
      if (next.slots.some((s) => sameSlot(s, edit.slot))) throw new ShowEditError(`the show already has the device slot ${JSON.stringify(slotId(edit.slot))}`);
      next.slots.push(edit.slot);
      break;
    case 'removeSlot': {
      const id = requireSlot(next, edit.slot);
      next.slots = next.slots.filter((s) => slotId(s) !== id);
      for (const song of next.songs) delete song.presets[id];
      break;
    }
  }
}
