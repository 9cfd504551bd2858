import { z } from 'zod';
import { defaultPreset, PRESET_LIMITS, presetSchema } from './preset';

/**
 * The OSC contract between LiveBlend devices and panels: one table of every address, its
 * direction, its arguments (name, OSC type tag, range) and what the device answers. The device
 * endpoint validates with it, the panel's hub builds its messages from it, and docs/osc.md is
 * written from it and checked against it by a test.
 *
 * Shape follows AbletonOSC: /liveblend/<object>/<get|set|start_listen|stop_listen>/<property>.
 * Replies go to the sender's address and port on the request's own address; listeners get
 * updates on the property's get address. A bad message gets /liveblend/error and changes nothing.
 *
 * This module has no Node imports (the dsp project shares it); encoding and sockets live in the
 * device script and the panel core.
 */

export const OSC_NAMESPACE = '/liveblend';
/** The panel's discovery port. Chosen clear of AbletonOSC (11000/11001), LiveOSC (9000/9001), AbleSet (39051/39041) and Carabiner (17000). */
export const DEFAULT_DISCOVERY_PORT = 9330;
export const HELLO_INTERVAL_MS = 2000;
export const HEARTBEAT_INTERVAL_MS = 1000;
/** A welcomed device goes back to hello when its hub has sent nothing (ping, welcome, anything) for this long. */
export const HUB_SILENCE_MS = 5000;
/**
 * A device holds its first hello until the [js] adapter has reported its track (panels keep
 * presets by track name and role); without an adapter (a broken install) it says hello anyway
 * after this long, with what it has.
 */
export const IDENTITY_WAIT_MS = 5000;
export const METER_INTERVAL_MS = 100;
/**
 * A bar-aligned recall reported this soon after a bar line counts as on it: LiveAPI reports a
 * quantised scene launch a little after the downbeat Live launched it on, and waiting for the
 * following bar would hold the new song's preset a whole bar late.
 */
export const BAR_ALIGN_TOLERANCE_MS = 100;
/** A listener that has sent nothing (start_listen again, ping, any request) for this long is dropped. */
export const LISTENER_TTL_MS = 60_000;
/** Loudness that is silent or not yet measured travels as this floor instead of −∞, which many OSC clients cannot show. */
export const LUFS_FLOOR = -120;
/** The largest UDP payload over IPv4; a reply that would not fit is refused with an error instead. */
export const MAX_OSC_PACKET_BYTES = 65_507;

export const DEVICE_ROLES = ['bus', 'click', 'iem'] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];

export const TARGET_LIMITS = { min: -36, max: -6, unit: 'LUFS' } as const;
/** The analyzer's default too: the whole product aims at one number unless the show says otherwise. */
export const DEFAULT_TARGET_LUFS = -18;
export const DEFAULT_CEILING_DBTP = -1;
export const DEFAULT_FOH_OUTPUTS: readonly string[] = ['Master'];
/** Songs measured for less than this are not given a learned trim: too little music to trust. */
export const LEARN_MIN_SECONDS = 30;

export const ALARM_CODES = ['click_to_foh'] as const;

/**
 * A click device's click: level, grid and bar (src/dsp/click.ts's ClickSettings without the
 * count-in: in Live the transport's position is the beat clock, so a count-in is bars of the
 * song itself). The defaults are src/dsp's DEFAULT_CLICK (a test keeps them equal).
 */
export const CLICK_SUBDIVISIONS = ['quarter', 'eighth'] as const;
export const CLICK_LIMITS = { levelDbfs: { min: -60, max: 0, unit: 'dBFS' }, beatsPerBar: { min: 1, max: 16 } } as const;
export const DEFAULT_CLICK_SETUP: Readonly<ClickSetup> = Object.freeze({ levelDbfs: -12, subdivision: 'quarter', beatsPerBar: 4 });
export type AlarmCode = (typeof ALARM_CODES)[number];

const MAX_NAME = 128;
/** The longest JSON text argument, in characters. */
export const MAX_JSON = 60_000;

// ---------------------------------------------------------------------------------------------
// Arguments

export type OscTag = 'i' | 'f' | 's';

export interface OscArg<T = unknown> {
  name: string;
  /** The tag the sender writes. */
  tag: OscTag;
  /** Tags accepted on the way in: float arguments also take whole numbers sent as int32. */
  accepts: readonly string[];
  /** Range or allowed values, as docs/osc.md shows them. */
  range: string;
  doc: string;
  schema: z.ZodType<T>;
  /**
   * A plain check that passes exactly the values `schema` accepts unchanged. Meters arrive from
   * every device ten times a second: they take this path; zod runs only to explain a refusal.
   */
  accept: (value: unknown) => boolean;
}

const finiteIn = (min: number, max: number) => (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

function floatArg(name: string, limits: { min: number; max: number; unit: string }, doc: string): OscArg<number> {
  const range = `${limits.min} to ${limits.max}${limits.unit ? ` ${limits.unit}` : ''}`;
  const schema = z
    .number({ error: (issue) => `${String(issue.input)} is not a finite number` })
    .min(limits.min, { error: (issue) => `${String(issue.input)} is outside ${range}` })
    .max(limits.max, { error: (issue) => `${String(issue.input)} is outside ${range}` });
  return { name, tag: 'f', accepts: ['f', 'i'], range, doc, schema, accept: finiteIn(limits.min, limits.max) };
}

/** A float the device reports; never NaN or ±∞ (LUFS below LUFS_FLOOR are sent as the floor). */
function reportedFloat(name: string, unit: string, doc: string): OscArg<number> {
  return { name, tag: 'f', accepts: ['f', 'i'], range: unit, doc, schema: z.number(), accept: finiteIn(-Infinity, Infinity) };
}

function intArg(name: string, min: number, max: number, doc: string): OscArg<number> {
  const range = `${min}–${max}`;
  const schema = z
    .number()
    .int({ error: (issue) => `${String(issue.input)} is not a whole number` })
    .min(min, { error: (issue) => `${String(issue.input)} is outside ${range}` })
    .max(max, { error: (issue) => `${String(issue.input)} is outside ${range}` });
  return { name, tag: 'i', accepts: ['i'], range, doc, schema, accept: (v) => Number.isInteger(v) && finiteIn(min, max)(v) };
}

function flagArg(name: string, doc: string): OscArg<number> {
  return { ...intArg(name, 0, 1, doc), range: '0 | 1' };
}

function stringArg(name: string, doc: string, { min = 0, max = MAX_NAME }: { min?: number; max?: number } = {}): OscArg<string> {
  const range = min > 0 ? `${min}–${max} characters` : `up to ${max} characters`;
  const schema = z
    .string()
    .min(min, { error: () => (min === 1 ? 'is empty' : `is shorter than ${min} characters`) })
    .max(max, { error: (issue) => `is ${String((issue.input as string).length)} characters, more than ${max}` });
  return { name, tag: 's', accepts: ['s'], range, doc, schema, accept: (v) => typeof v === 'string' && v.length >= min && v.length <= max };
}

function enumArg<const V extends readonly [string, ...string[]]>(name: string, values: V, doc: string): OscArg<V[number]> {
  const schema = z.enum(values, { error: (issue) => `${JSON.stringify(issue.input)} is not one of ${values.join(', ')}` });
  return { name, tag: 's', accepts: ['s'], range: values.join(' | '), doc, schema, accept: (v) => (values as readonly unknown[]).includes(v) };
}

function jsonArg(name: string, doc: string): OscArg<string> {
  return { ...stringArg(name, doc, { max: MAX_JSON }), range: `JSON text, up to ${MAX_JSON} characters` };
}

const songKeyArg = stringArg('song', 'song key (scene name without number and tags, lowercased)', { min: 1 });
const deviceIdArg = stringArg('id', 'device id, unique per running device', { min: 1, max: 64 });

// ---------------------------------------------------------------------------------------------
// Addresses

export type OscDirection = 'panel→device' | 'device→panel' | 'device→discovery' | 'hub→device';

export interface OscAddressSpec<A extends readonly OscArg[] = readonly OscArg[], R extends readonly OscArg[] = readonly OscArg[]> {
  address: string;
  direction: OscDirection;
  doc: string;
  args: A;
  /** What the device answers, on `address` (the request's own unless stated). */
  reply?: { address: string; args: R };
}

export type OscArgValues<A extends readonly OscArg[]> = { -readonly [K in keyof A]: A[K] extends OscArg<infer T> ? T : never };

function message<const A extends readonly OscArg[]>(address: string, direction: OscDirection, args: A, doc: string): OscAddressSpec<A, []> {
  return { address: `${OSC_NAMESPACE}${address}`, direction, doc, args };
}

function request<const A extends readonly OscArg[], const R extends readonly OscArg[]>(
  address: string,
  args: A,
  reply: R,
  doc: string,
  replyAddress?: string,
): OscAddressSpec<A, R> {
  const full = `${OSC_NAMESPACE}${address}`;
  return { address: full, direction: 'panel→device', doc, args, reply: { address: replyAddress ? `${OSC_NAMESPACE}${replyAddress}` : full, args: reply } };
}

const songReply = [
  stringArg('song', 'current song key ("" when no song is current)'),
  stringArg('name', 'the scene or locator name the song came from'),
  enumArg('source', ['scene', 'locator', 'none'], 'where the song came from'),
  flagArg('playing', "1 while Live's transport runs"),
] as const;

const songListReply = [
  jsonArg(
    'songs',
    'JSON array of {key, name, scene} (scene: 0-based scene index) for songs from scenes and {key, name, cue} (cue: 0-based locator index in time order) for songs only a locator names; name is the scene or locator name as Live shows it',
  ),
] as const;

const presetReply = [songKeyArg, jsonArg('preset', 'the preset in force for that song, as JSON'), flagArg('stored', '0 when the song has no preset of its own and plays the default')] as const;

const meterArgs = [
  deviceIdArg,
  stringArg('song', 'song key being measured ("" for none)'),
  reportedFloat('momentary', 'LUFS', 'momentary loudness (400 ms)'),
  reportedFloat('short_term', 'LUFS', 'short-term loudness (3 s)'),
  reportedFloat('integrated', 'LUFS', "the song's integrated loudness so far"),
  reportedFloat('true_peak_max', 'dBTP', "the song's highest true peak so far"),
  reportedFloat('compressor_gr', 'dB', 'compressor gain reduction now (≥ 0)'),
  reportedFloat('limiter_gr', 'dB', 'limiter gain reduction now (≥ 0)'),
  intArg('block', 0, 2 ** 31 - 1, 'the meter block counter of the latest block'),
] as const;

const alarmArgs = [enumArg('code', ['', ...ALARM_CODES], 'which alarm ("" when none is active)'), stringArg('text', 'what is wrong and what to do ("" when none)', { max: 512 })] as const;

const alignBarArg = flagArg('align_bar', "1: a new song's preset waits for the next bar line while Live plays; 0: it is recalled at once");

const clickSetupArgs = [
  floatArg('level_dbfs', CLICK_LIMITS.levelDbfs, "peak level of a beat's click (offbeat eighths are 6 dB lower)"),
  enumArg('subdivision', CLICK_SUBDIVISIONS, 'a click on every beat, or on every eighth'),
  intArg('beats_per_bar', CLICK_LIMITS.beatsPerBar.min, CLICK_LIMITS.beatsPerBar.max, 'quarter-note beats per bar: the downbeat of each bar is accented (higher pitch)'),
] as const;

const clickReply = [flagArg('enabled', 'the click is switched on'), flagArg('sounding', 'the click may sound (enabled and not blocked)'), stringArg('blocked', 'why it is refused ("" when it is not)', { max: 512 })] as const;

export const OSC = {
  hello: message(
    '/hello',
    'device→discovery',
    [
      deviceIdArg,
      enumArg('role', DEVICE_ROLES, "the device's role"),
      stringArg('track', "the name of the device's track"),
      stringArg('set', 'the Live set name ("" for an unsaved set)'),
      stringArg('version', 'LiveBlend version', { min: 1, max: 32 }),
      intArg('port', 1, 65535, "the device's OSC port (send requests here)"),
      floatArg('sample_rate', { min: 0, max: 384000, unit: 'Hz' }, 'the audio sample rate (0 until the patch has reported it)'),
    ],
    `Sent to the discovery port (default ${DEFAULT_DISCOVERY_PORT}) every ${HELLO_INTERVAL_MS} ms until a hub answers with /liveblend/welcome. The first hello waits until the device's Live API adapter has reported the track (at most ${IDENTITY_WAIT_MS} ms; after that the device says hello with what it has and warns in the Max console).`,
  ),
  welcome: message(
    '/welcome',
    'hub→device',
    [stringArg('hub', 'the name of the panel that welcomes the device', { min: 1, max: 64 })],
    `Sent by a hub to the device's OSC port. The device stops saying hello and sends /liveblend/heartbeat to the welcome's source every ${HEARTBEAT_INTERVAL_MS} ms. The hub must send something (a ping is enough) at least every ${HUB_SILENCE_MS} ms, or the device goes back to hello.`,
  ),
  heartbeat: message(
    '/heartbeat',
    'device→panel',
    [
      deviceIdArg,
      stringArg('song', 'current song key ("" for none)'),
      enumArg('role', DEVICE_ROLES, "the device's role"),
      flagArg('playing', "1 while Live's transport runs"),
      intArg('revision', 0, 2 ** 31 - 1, 'show state revision: it grows with every change, so a hub knows when to resync'),
      stringArg('alarm', 'active alarm code ("" for none)'),
      stringArg('track', "the name of the device's track now (a renamed track shows here)"),
      stringArg('set', 'the Live set name ("" for an unsaved set)'),
      stringArg('routing', 'the output the device\'s track is routed to, as Live names it ("" until known)'),
    ],
    `Sent to the welcoming hub every ${HEARTBEAT_INTERVAL_MS} ms.`,
  ),
  ping: request('/ping', [], [deviceIdArg], 'Answered with /liveblend/pong to the sender\'s address and port.', '/pong'),
  error: message(
    '/error',
    'device→panel',
    [stringArg('address', 'the address of the refused message ("" when the packet could not be decoded)', { max: 512 }), stringArg('reason', 'what was wrong and what to do', { max: 2048 })],
    'Sent to the sender of a message the device refused. Nothing of that message was applied.',
  ),
  alarm: message('/alarm', 'device→panel', [deviceIdArg, ...alarmArgs], 'Sent to the hub and to alarm listeners when an alarm starts or clears.'),
  meter: message('/meter', 'device→panel', meterArgs, `Sent to every meter listener every ${METER_INTERVAL_MS} ms. LUFS values below ${LUFS_FLOOR} (silence, or nothing measured yet) are sent as ${LUFS_FLOOR}.`),

  songGetCurrent: request('/song/get/current', [], songReply, 'The song now current.'),
  songStartListenCurrent: request('/song/start_listen/current', [], songReply, 'Sends the current song now and on every change.', '/song/get/current'),
  songStopListenCurrent: request('/song/stop_listen/current', [], [], 'Stops song updates to the sender.'),

  songsGetList: request(
    '/songs/get/list',
    [],
    songListReply,
    `The songs of the Live set in set order, whether or not they have a preset: every scene that names a song, in scene order, each song key once at its first scene; then, when the set has locators, the songs of locators no scene names, in time order. Separator scenes and locators ("—", empty names) are left out. Refused when the list would not fit one packet (${MAX_JSON} characters of JSON, ${MAX_OSC_PACKET_BYTES} bytes).`,
  ),
  songsStartListenList: request('/songs/start_listen/list', [], songListReply, 'Sends the song list now and whenever it changes (a scene or locator renamed, added, removed or moved).', '/songs/get/list'),
  songsStopListenList: request('/songs/stop_listen/list', [], [], 'Stops song list updates to the sender.'),

  presetGetSong: request('/preset/get/song', [songKeyArg], presetReply, "A song's preset."),
  presetSetSong: request(
    '/preset/set/song',
    [songKeyArg, jsonArg('preset', 'the preset as JSON (checked like a preset file)')],
    presetReply,
    'Stores a song\'s preset; recalled with its ramp at once if that song is playing. A preset with any invalid field is refused whole.',
  ),
  presetStartListenSong: request('/preset/start_listen/song', [], presetReply, 'Sends every preset change from now on.', '/preset/get/song'),
  presetStopListenSong: request('/preset/stop_listen/song', [], [], 'Stops preset updates to the sender.'),

  showGetState: request(
    '/show/get/state',
    [],
    [jsonArg('state', 'the whole show state (presets, the default preset, target, ceiling, role, FOH outputs, click, bar alignment, measurements)')],
    "The show state, for a panel to resync. `defaultPreset` is what songs without a preset of their own play; the device's own controls change it while no song is current.",
  ),
  showSetState: request(
    '/show/set/state',
    [jsonArg('state', 'a whole show state as JSON')],
    [jsonArg('state', 'the show state now in force')],
    "Replaces the show state (a panel's resync). The current song's preset is recalled with its ramp. Refused whole if any part is invalid.",
  ),

  targetGetLufs: request('/target/get/lufs', [], [floatArg('lufs', TARGET_LIMITS, 'loudness target')], 'The loudness target.'),
  targetSetLufs: request('/target/set/lufs', [floatArg('lufs', TARGET_LIMITS, 'loudness target')], [floatArg('lufs', TARGET_LIMITS, 'loudness target')], 'Sets the loudness target (learn aims at it).'),
  targetStartListenLufs: request('/target/start_listen/lufs', [], [floatArg('lufs', TARGET_LIMITS, 'loudness target')], 'Sends the target now and on every change.', '/target/get/lufs'),
  targetStopListenLufs: request('/target/stop_listen/lufs', [], [], 'Stops target updates to the sender.'),

  ceilingGetDbtp: request('/ceiling/get/dbtp', [], [floatArg('dbtp', PRESET_LIMITS.ceilingDbtp, 'show ceiling')], 'The show ceiling.'),
  ceilingSetDbtp: request(
    '/ceiling/set/dbtp',
    [floatArg('dbtp', PRESET_LIMITS.ceilingDbtp, 'show ceiling')],
    [floatArg('dbtp', PRESET_LIMITS.ceilingDbtp, 'show ceiling')],
    'Sets the show ceiling: the limiter never goes above it, whatever a preset says (for an iem device it is the IEM ceiling).',
  ),
  ceilingStartListenDbtp: request('/ceiling/start_listen/dbtp', [], [floatArg('dbtp', PRESET_LIMITS.ceilingDbtp, 'show ceiling')], 'Sends the ceiling now and on every change.', '/ceiling/get/dbtp'),
  ceilingStopListenDbtp: request('/ceiling/stop_listen/dbtp', [], [], 'Stops ceiling updates to the sender.'),

  roleGetName: request('/role/get/name', [], [enumArg('role', DEVICE_ROLES, "the device's role")], "The device's role."),
  roleSetName: request('/role/set/name', [enumArg('role', DEVICE_ROLES, "the device's role")], [enumArg('role', DEVICE_ROLES, "the device's role")], "Sets the device's role."),
  roleStartListenName: request('/role/start_listen/name', [], [enumArg('role', DEVICE_ROLES, "the device's role")], 'Sends the role now and on every change.', '/role/get/name'),
  roleStopListenName: request('/role/stop_listen/name', [], [], 'Stops role updates to the sender.'),

  fohGetOutputs: request('/foh/get/outputs', [], [jsonArg('outputs', 'JSON array of output routing names that feed FOH')], 'The outputs marked FOH (a click routed to one is refused).'),
  fohSetOutputs: request('/foh/set/outputs', [jsonArg('outputs', 'JSON array of output routing names that feed FOH')], [jsonArg('outputs', 'the FOH outputs now in force')], 'Marks which outputs feed FOH.'),

  measurementGetSong: request('/measurement/get/song', [songKeyArg], [songKeyArg, jsonArg('measurement', 'the song\'s last measurement, or null when it has none')], "A song's last measurement."),
  measurementGetAll: request('/measurement/get/all', [], [jsonArg('measurements', 'object of song key → measurement')], 'Every song\'s last measurement.'),

  learnGetProposals: request('/learn/get/proposals', [], [jsonArg('proposals', 'JSON array of learned trims')], `The trim that would have put each song measured for at least ${LEARN_MIN_SECONDS} s on target. Nothing is applied.`),
  learnSetApply: request(
    '/learn/set/apply',
    [stringArg('song', 'song key to apply, or "" for every song with a proposal')],
    [jsonArg('applied', 'JSON array of {song, trimDb} now stored')],
    'Applies learned trims to the songs\' presets (never done without this request or the device\'s button).',
  ),

  meterStartListenLevels: request('/meter/start_listen/levels', [], [], `Sends /liveblend/meter to the sender every ${METER_INTERVAL_MS} ms.`),
  meterStopListenLevels: request('/meter/stop_listen/levels', [], [], 'Stops meters to the sender.'),

  alarmGetState: request('/alarm/get/state', [], alarmArgs, 'The active alarm.'),
  alarmStartListenState: request('/alarm/start_listen/state', [], [], 'Sends /liveblend/alarm to the sender on every alarm change.'),
  alarmStopListenState: request('/alarm/stop_listen/state', [], [], 'Stops alarms to the sender.'),

  recallGetAlignBar: request('/recall/get/align_bar', [], [alignBarArg], 'Whether song recalls wait for the next bar line.'),
  recallSetAlignBar: request(
    '/recall/set/align_bar',
    [alignBarArg],
    [alignBarArg],
    `Turns bar alignment of song recalls on or off. When on, a new song's preset recalled while Live plays waits for the next bar line (from Live's song position, tempo and time signature; 4/4 until Live reports one); a recall reported within ${BAR_ALIGN_TOLERANCE_MS} ms after a bar line counts as on it. Another song change before that bar replaces the waiting recall; stopping the transport or turning alignment off applies it at once.`,
  ),

  clickGetState: request('/click/get/state', [], clickReply, "The click's state (click role)."),
  clickSetEnabled: request('/click/set/enabled', [flagArg('enabled', 'switch the click on or off')], clickReply, 'Switches the click on or off; a click routed to FOH stays silent and raises an alarm.'),
  clickGetSettings: request('/click/get/settings', [], clickSetupArgs, "The click's level, grid and bar (kept in the show state; bars are counted from Live's song position)."),
  clickSetSettings: request('/click/set/settings', clickSetupArgs, clickSetupArgs, "Sets the click's level, grid and bar; a click device plays them from the next beat."),
} as const;

export type OscName = keyof typeof OSC;
export const OSC_ADDRESSES: readonly OscAddressSpec[] = Object.values(OSC);

const byAddress = new Map<string, OscName>(Object.entries(OSC).map(([name, spec]) => [spec.address, name as OscName]));

/** The table entry for an address, or undefined for one the protocol does not have. */
export function oscNameOf(address: string): OscName | undefined {
  return byAddress.get(address);
}

// ---------------------------------------------------------------------------------------------
// Validation

export type OscValidation<T> = { ok: true; args: T } | { ok: false; reason: string };

/**
 * Checks a decoded message against its table entry: argument count, type tags, then each value's
 * range. Returns the typed arguments or one reason naming the argument and what to send instead.
 */
export function validateOscArgs<A extends readonly OscArg[]>(spec: { address: string; args: A }, typeTags: string, values: readonly unknown[]): OscValidation<OscArgValues<A>> {
  // Built only for a refusal: the hub checks every meter packet of every device.
  const expected = () => spec.args.map((a) => `${a.name}:${a.tag}`).join(', ') || 'no arguments';
  if (typeTags.length !== spec.args.length || values.length !== spec.args.length) {
    return { ok: false, reason: `${spec.address} takes ${spec.args.length} argument${spec.args.length === 1 ? '' : 's'} (${expected()}), got ${typeTags.length}` };
  }
  const out: unknown[] = [];
  for (let i = 0; i < spec.args.length; i++) {
    const arg = spec.args[i];
    const tag = typeTags[i];
    if (!arg.accepts.includes(tag)) {
      return { ok: false, reason: `${spec.address} argument ${i + 1} (${arg.name}) has type tag '${tag}', expected '${arg.tag}' (${expected()})` };
    }
    if (arg.accept(values[i])) {
      out.push(values[i]);
      continue;
    }
    const parsed = arg.schema.safeParse(values[i]);
    if (!parsed.success) {
      return { ok: false, reason: `${spec.address} argument ${i + 1} (${arg.name}): ${parsed.error.issues[0].message} (allowed: ${arg.range})` };
    }
    out.push(parsed.data);
  }
  return { ok: true, args: out as OscArgValues<A> };
}

// ---------------------------------------------------------------------------------------------
// JSON payloads

export const songMeasurementSchema = z.strictObject({
  /** LUFS; null while nothing passed the gates. */
  integratedLufs: z.number().nullable(),
  loudnessRangeLu: z.number().min(0),
  /** dBTP; null while silent. */
  truePeakMaxDbtp: z.number().nullable(),
  shortTermMaxLufs: z.number().nullable(),
  seconds: z.number().min(0),
  /** Blocks the meter produced that never reached the device script. */
  blocksMissed: z.number().int().min(0),
  /** The trim in force while this was measured: learn starts from it. */
  trimDb: z.number(),
  targetLufs: z.number(),
});
export type SongMeasurement = z.output<typeof songMeasurementSchema>;

export const learnProposalSchema = z.strictObject({
  song: z.string(),
  integratedLufs: z.number(),
  seconds: z.number(),
  measuredTrimDb: z.number(),
  proposedTrimDb: z.number(),
  /** The proposal hit the preset's trim limits: the song cannot reach the target by trim alone. */
  clamped: z.boolean(),
});
export type LearnProposal = z.output<typeof learnProposalSchema>;

/** One entry of /liveblend/songs/get/list: a song from a scene or, in an arrangement set, a locator. */
export const setSongSchema = z.union([
  z.strictObject({ key: z.string().min(1), name: z.string(), scene: z.number().int().min(0) }),
  z.strictObject({ key: z.string().min(1), name: z.string(), cue: z.number().int().min(0) }),
]);
export type SetSong = z.output<typeof setSongSchema>;
export const setSongListSchema = z.array(setSongSchema);

export const fohOutputsSchema = z.array(z.string().min(1).max(MAX_NAME)).max(64);

export const clickSetupSchema = z.strictObject({
  levelDbfs: z.number().min(CLICK_LIMITS.levelDbfs.min).max(CLICK_LIMITS.levelDbfs.max),
  subdivision: z.enum(CLICK_SUBDIVISIONS),
  beatsPerBar: z.number().int().min(CLICK_LIMITS.beatsPerBar.min).max(CLICK_LIMITS.beatsPerBar.max),
});
export type ClickSetup = z.output<typeof clickSetupSchema>;

export const SHOW_STATE_VERSION = 1;

/** What a device keeps in the Live set and what /liveblend/show/get/state carries. */
export const showStateSchema = z.strictObject({
  version: z.literal(SHOW_STATE_VERSION),
  presets: z.record(z.string().min(1).max(MAX_NAME), presetSchema),
  /** What a song without a preset of its own plays; the device's controls edit it while no song is current. */
  defaultPreset: presetSchema.default(() => defaultPreset()),
  targetLufs: z.number().min(TARGET_LIMITS.min).max(TARGET_LIMITS.max),
  ceilingDbtp: z.number().min(PRESET_LIMITS.ceilingDbtp.min).max(PRESET_LIMITS.ceilingDbtp.max),
  role: z.enum(DEVICE_ROLES),
  fohOutputs: fohOutputsSchema,
  clickEnabled: z.boolean(),
  /** What a click device plays (states saved before it existed get the default). */
  click: clickSetupSchema.default(() => ({ ...DEFAULT_CLICK_SETUP })),
  /** Bind the OSC endpoint to every interface instead of loopback (takes effect when the device restarts). */
  lan: z.boolean(),
  /** A new song's preset recalled while Live plays waits for the next bar line. */
  alignRecallToBar: z.boolean().default(false),
  measurements: z.record(z.string().min(1).max(MAX_NAME), songMeasurementSchema),
});
export type ShowState = z.output<typeof showStateSchema>;

export function defaultShowState(): ShowState {
  return {
    version: SHOW_STATE_VERSION,
    presets: {},
    defaultPreset: defaultPreset(),
    targetLufs: DEFAULT_TARGET_LUFS,
    ceilingDbtp: DEFAULT_CEILING_DBTP,
    role: 'bus',
    fohOutputs: [...DEFAULT_FOH_OUTPUTS],
    clickEnabled: true,
    click: { ...DEFAULT_CLICK_SETUP },
    lan: false,
    alignRecallToBar: false,
    measurements: {},
  };
}
