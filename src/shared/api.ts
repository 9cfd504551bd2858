import { z } from 'zod';
import type { DeviceRole } from './osc-protocol';
import { presetSchema, type EqBand, type Preset } from './preset';
import { SHOW_LIMITS, ceilingsSchema, slotIdSchema, venueChangesSchema, type Show } from './show';

/**
 * The PanelApi contract: every request the panel sends to the core (with its reply) and every
 * event the core pushes, as channel → signature maps in the shape of GitHub Desktop's
 * ipc-shared.ts. Electron IPC and the WebSocket transport both implement exactly these maps, so
 * the renderer sees one API and never knows which carries it.
 *
 * The panel sees the show file's own type (`Show`, src/shared/show.ts); a slot is always its
 * slot id, "bus:Tracks" (`slotId()` in show.ts), in requests, events and log entries alike.
 *
 * The request parameters and the ws envelope have zod schemas here: the core parses every
 * incoming message with them before acting on it. Replies and events are produced by the core
 * itself, so they are typed but not re-validated by the panel beyond the envelope.
 */

// ─── Domain types ──────────────────────────────────────────────────────────────────────────────

export interface DeviceInfo {
  id: string;
  role: DeviceRole;
  track: string;
  /** The Live set the device is in. */
  set: string;
  /** host:port the device's OSC endpoint announced. */
  address: string;
  version: string;
  sampleRate: number;
  state: 'connected' | 'lost';
  /** Epoch milliseconds of the last message from the device. */
  lastHeard: number;
  /** The device track's output routing as Live names it ("Master", "Ext. Out 3/4"). */
  routing: string;
  /** A routing alarm ("click routed to FOH outputs"), or null when all is well. */
  alarm: string | null;
}

export const TARGET_PRESETS_LUFS = [-23, -18, -16, -14] as const;

/** Loudness values are null where nothing above the gate was measured (−∞). */
export interface MeterReading {
  deviceId: string;
  momentary: number | null;
  shortTerm: number | null;
  integrated: number | null;
  truePeak: number | null;
  /** Gain reduction in dB, ≥ 0. */
  compressorGr: number;
  limiterGr: number;
  /** The song the device is metering, or null between songs. */
  songKey: string | null;
  /** Epoch milliseconds. */
  at: number;
}

/** deviceId → the song key that device is playing (null when stopped). */
export type NowPlaying = Record<string, string | null>;

export interface SongLoudness {
  songKey: string;
  /** Slot id, "bus:Tracks". */
  slot: string;
  integrated: number | null;
  lra: number | null;
  maxTruePeak: number | null;
  maxShortTerm: number | null;
  measuredSeconds: number;
}

/**
 * A learned trim for one song on one slot, in the show's terms: `beforeTrimDb` is the song's trim
 * in the show now, `afterTrimDb` the trim that puts the song on target (what learn:apply stores).
 * Both are the song's own trim, without the venue offset the device also applies.
 */
export interface LearnProposal {
  songKey: string;
  slot: string;
  beforeTrimDb: number;
  afterTrimDb: number;
  measured: { integrated: number | null; lra: number | null; maxTruePeak: number | null; measuredSeconds: number };
}

/** One song played, as the loudness log keeps it. */
export interface LogRecord {
  /** ISO 8601, when the song ended. */
  at: string;
  show: string;
  venue: string;
  songKey: string;
  songName: string;
  slot: string;
  integrated: number | null;
  lra: number | null;
  maxTruePeak: number | null;
  maxShortTerm: number | null;
  targetLufs: number;
  toleranceLu: number;
  /** The trim in force while the song played (venue offset included). */
  trimDb: number;
}

/** A logged song with how far it landed from its target. */
export interface LogEntry extends LogRecord {
  /** integrated − target in LU; null when nothing was measured. */
  deviationLu: number | null;
  /** |deviation| ≤ tolerance; null when nothing was measured. */
  withinTolerance: boolean | null;
}

export interface LinkState {
  enabled: boolean;
  tempo: number;
  /** Beats since the session's origin, fractional. */
  beat: number;
  /** Position within the bar, 0 ≤ phase < quantum. */
  phase: number;
  /** Beats per bar. */
  quantum: number;
  peers: number;
  playing: boolean;
}

export interface AnalysisFileResult {
  path: string;
  durationSec: number;
  integrated: number | null;
  lra: number;
  truePeak: number | null;
  shortTermMax: number | null;
}

export interface AnalysisFileError {
  path: string;
  message: string;
}

export interface AnalysisState {
  jobId: string | null;
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  done: number;
  total: number;
  /** The whole job, 0…1, files in progress counted by how far they got. */
  progress: number;
  currentFile: string | null;
  results: AnalysisFileResult[];
  errors: AnalysisFileError[];
}

export const NETWORK_MODES = ['loopback', 'lan'] as const;
export const THEMES = ['dark', 'light'] as const;

export interface PairingInfo {
  /** The URL a tablet opens, token included. */
  url: string;
  /** The QR code of `url` as an SVG document. */
  qrSvg: string;
}

/** App-level settings; target, tolerance and ceilings belong to the show (edited by revision). */
export interface Settings {
  network: (typeof NETWORK_MODES)[number];
  /** Present in LAN mode only. */
  pairing: PairingInfo | null;
  discoveryPort: number;
  theme: (typeof THEMES)[number];
}

export interface AppInfo {
  version: string;
  shell: 'electron' | 'serve';
  demo: boolean;
}

/** What an edit returns: the new revision, or why nothing was applied. */
export type EditResult = { ok: true; revision: number } | { ok: false; error: 'stale' | 'invalid'; message: string };

// ─── Request parameter schemas (the core validates every request with these) ────────────────────

const empty = z.strictObject({});
const revision = z.number().int().min(0);
const songKeySchema = z.string().min(1).max(256);
const ranged = (limit: { min: number; max: number }) => z.number().min(limit.min).max(limit.max);
const MAX_PATHS = 10_000;

export const requestParamsSchemas = {
  'app:info': empty,
  'devices:list': empty,
  'show:get': empty,
  /**
   * Show-level fields; songs and presets have their own edits. Fields left out keep their value
   * (inside `ceilings` and `venue` too); whatever is given is saved as one revision or not at all.
   */
  'show:update': z.strictObject({
    baseRevision: revision,
    changes: z.strictObject({
      name: z.string().min(1).max(200).optional(),
      targetLufs: ranged(SHOW_LIMITS.targetLufs).optional(),
      toleranceLu: ranged(SHOW_LIMITS.toleranceLu).optional(),
      ceilings: ceilingsSchema.partial().optional(),
      notes: z.string().max(20_000).optional(),
      venue: venueChangesSchema.optional(),
    }),
  }),
  'show:reorderSongs': z.strictObject({ baseRevision: revision, songKeys: z.array(songKeySchema).max(1000) }),
  'preset:set': z.strictObject({
    baseRevision: revision,
    songKey: songKeySchema,
    slot: slotIdSchema,
    preset: presetSchema,
    /** Apply on the next bar line of the Link session instead of at once. */
    alignToBar: z.boolean().optional(),
  }),
  'preset:copy': z.strictObject({ baseRevision: revision, fromSongKey: songKeySchema, slot: slotIdSchema, toSongKeys: z.array(songKeySchema).min(1).max(1000) }),
  'nowPlaying:get': empty,
  'loudness:get': empty,
  'learn:get': empty,
  /** `items` omitted: apply every proposal. */
  'learn:apply': z.strictObject({
    baseRevision: revision,
    items: z.array(z.strictObject({ songKey: songKeySchema, slot: slotIdSchema })).max(10_000).optional(),
  }),
  'log:show': z.strictObject({ show: z.string().max(256).optional() }),
  'log:song': z.strictObject({ songKey: songKeySchema }),
  'log:export': z.strictObject({
    format: z.enum(['csv', 'html']),
    scope: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('show'), show: z.string().max(256).optional() }), z.strictObject({ kind: z.literal('song'), songKey: songKeySchema })]),
  }),
  'link:get': empty,
  'link:setEnabled': z.strictObject({ enabled: z.boolean() }),
  /** Files or folders on the core's machine (a browser cannot pick them). */
  'analysis:start': z.strictObject({ paths: z.array(z.string().min(1).max(4096)).min(1).max(MAX_PATHS) }),
  'analysis:cancel': z.strictObject({ jobId: z.string().min(1).max(128) }),
  'analysis:get': empty,
  /**
   * Sets `slot`'s trim of every song the last finished analysis has a file for (matched by name,
   * src/shared/song-match.ts) to the trim that brings that file to the show's target.
   */
  'analysis:seedTrims': z.strictObject({ baseRevision: revision, slot: slotIdSchema }),
  'settings:get': empty,
  'settings:update': z.strictObject({
    network: z.enum(NETWORK_MODES).optional(),
    discoveryPort: z.number().int().min(1024).max(65535).optional(),
    theme: z.enum(THEMES).optional(),
  }),
} satisfies Record<string, z.ZodType>;

export type RequestChannel = keyof typeof requestParamsSchemas;
export type RequestParams<C extends RequestChannel> = z.output<(typeof requestParamsSchemas)[C]>;

/** What each request resolves to. */
export interface RequestResults {
  'app:info': AppInfo;
  'devices:list': DeviceInfo[];
  'show:get': Show;
  'show:update': EditResult;
  'show:reorderSongs': EditResult;
  'preset:set': EditResult;
  'preset:copy': EditResult;
  'nowPlaying:get': NowPlaying;
  'loudness:get': SongLoudness[];
  'learn:get': LearnProposal[];
  'learn:apply': EditResult;
  'log:show': LogEntry[];
  'log:song': LogEntry[];
  /** The exported document as text (CSV, or a self-contained HTML report). */
  'log:export': string;
  'link:get': LinkState;
  'link:setEnabled': LinkState;
  'analysis:start': { jobId: string };
  'analysis:cancel': AnalysisState;
  'analysis:get': AnalysisState;
  'analysis:seedTrims': EditResult;
  'settings:get': Settings;
  'settings:update': Settings;
}

export type RequestResult<C extends RequestChannel> = RequestResults[C];

export const REQUEST_CHANNELS = Object.keys(requestParamsSchemas) as RequestChannel[];

// ─── Events the core pushes ─────────────────────────────────────────────────────────────────────

export interface EventPayloads {
  /** The whole registry after any change (a device appeared, was lost, came back). */
  'devices:changed': DeviceInfo[];
  'show:changed': Show;
  'nowPlaying:changed': NowPlaying;
  /** A batch of readings, each device at most once, about 10 per second. */
  'meters:frame': MeterReading[];
  'loudness:changed': SongLoudness[];
  'learn:changed': LearnProposal[];
  'link:changed': LinkState;
  'analysis:changed': AnalysisState;
  'log:appended': LogEntry;
  'settings:changed': Settings;
}

export type EventChannel = keyof EventPayloads;
export type EventPayload<E extends EventChannel> = EventPayloads[E];

export const EVENT_CHANNELS: readonly EventChannel[] = [
  'devices:changed',
  'show:changed',
  'nowPlaying:changed',
  'meters:frame',
  'loudness:changed',
  'learn:changed',
  'link:changed',
  'analysis:changed',
  'log:appended',
  'settings:changed',
];

// ─── The API the renderer uses, whatever carries it ────────────────────────────────────────────

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface PanelApi {
  request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>>;
  /** Returns a function that unsubscribes. */
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** Whether the core is reachable; the listener is called on every change. */
  connectionState(): ConnectionState;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/**
 * What the Electron preload exposes as `window.liveblend`: one named action per request channel
 * (`liveblend.request['preset:set'](params)`) and a subscription per event, never ipcRenderer.
 * A failed request rejects with an Error whose message says what went wrong.
 */
export interface LiveblendBridge {
  readonly shell: 'electron';
  readonly request: { readonly [C in RequestChannel]: (params: RequestParams<C>) => Promise<RequestResult<C>> };
  on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

// ─── WebSocket envelope ─────────────────────────────────────────────────────────────────────────

/** Larger ws messages are refused before parsing (a whole show with presets is far below this). */
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;

/** The ws path the panel connects to; LAN mode adds `?token=<pairing token>`. */
export const WS_PATH = '/api';

const requestId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Envelope only; the params are then parsed with `requestParamsSchemas[channel]`. */
export const wsRequestSchema = z.strictObject({
  id: requestId,
  channel: z.enum(REQUEST_CHANNELS as [RequestChannel, ...RequestChannel[]]),
  params: z.unknown().optional(),
});
export type WsRequest = z.output<typeof wsRequestSchema>;

export const wsErrorSchema = z.strictObject({
  /** bad-request: the message or its params failed validation; failed: the core could not do it. */
  code: z.enum(['bad-request', 'failed']),
  message: z.string(),
});
export type WsError = z.output<typeof wsErrorSchema>;

/**
 * A reply carries its request's id. A refusal of a message whose id could not be read (JSON, but
 * not a request) carries id null: there is no request to match it to, but the sender learns why.
 */
export const wsReplySchema = z.union([
  z.strictObject({ id: requestId, ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ id: requestId.nullable(), ok: z.literal(false), error: wsErrorSchema }),
]);
export type WsReply = z.output<typeof wsReplySchema>;

export const wsEventSchema = z.strictObject({
  event: z.enum(EVENT_CHANNELS as [EventChannel, ...EventChannel[]]),
  payload: z.unknown(),
});
export type WsEvent = z.output<typeof wsEventSchema>;

/** Everything the core sends: a reply to a request, or an event. */
export const wsServerMessageSchema = z.union([wsReplySchema, wsEventSchema]);
export type WsServerMessage = z.output<typeof wsServerMessageSchema>;

/**
 * Parses one incoming ws request completely (envelope, then the channel's params), so the core
 * either gets a typed request or an error message naming the field that was wrong.
 */
export function parseWsRequest(data: unknown): { ok: true; request: { id: number; channel: RequestChannel; params: unknown } } | { ok: false; id: number | null; message: string } {
  const envelope = wsRequestSchema.safeParse(data);
  if (!envelope.success) {
    const offered = requestId.safeParse(typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined);
    const id = offered.success ? offered.data : null;
    return { ok: false, id, message: `malformed request: ${z.prettifyError(envelope.error)}` };
  }
  const { id, channel } = envelope.data;
  const params = requestParamsSchemas[channel].safeParse(envelope.data.params ?? {});
  if (!params.success) return { ok: false, id, message: `${channel}: invalid params: ${z.prettifyError(params.error)}` };
  return { ok: true, request: { id, channel, params: params.data } };
}

export type { DeviceRole, EqBand, Preset, Show };
