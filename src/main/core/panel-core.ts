import { EventEmitter } from 'node:events';
import type {
  AppInfo,
  EditResult,
  EventChannel,
  EventPayload,
  LearnProposal,
  LinkState,
  LogEntry,
  NowPlaying,
  RequestChannel,
  RequestParams,
  RequestResult,
  RequestResults,
  Settings,
  SongLoudness,
} from '../../shared/api';
import { EVENT_CHANNELS, slotKey } from '../../shared/api';
import { OSC, learnProposalSchema, type ShowState, type SongMeasurement } from '../../shared/osc-protocol';
import { defaultPreset, type Preset } from '../../shared/preset';
import { applyEdit, effectivePreset, ShowEditError, slotId, type Show, type ShowEdit, type Slot } from '../../shared/show';
import { MeterFrames } from './meter-frames';
import type { OscHub } from './osc-hub';
import type { PanelHandler } from './panel-handler';
import { StaleRevisionError, type ShowChange, type ShowStore } from './show-store';
import { sameSlot, toShowDocument, toShowSlot, venueGains } from './show-document';

/**
 * The composition root behind the panel: the OSC hub, the show store, and the optional services
 * (Link, loudness log, analysis) behind one PanelHandler that both transports serve.
 *
 * Data flow: a device that appears has its songs adopted into the show (never overwriting) and
 * then gets the show's effective presets, target and ceiling; every saved show change goes out to
 * the devices in the affected slots; meters are batched into frames; a finished song's
 * measurement goes to the loudness log.
 */

/** What the core needs from the loudness log; the log module implements it. */
export interface LoudnessLogPort {
  append(entry: LogEntry): Promise<void>;
  forShow(show: string): Promise<LogEntry[]>;
  forSong(songKey: string): Promise<LogEntry[]>;
  export(format: 'csv' | 'html', scope: RequestParams<'log:export'>['scope'], show: string): Promise<string>;
}

export interface LinkPort {
  state(): LinkState;
  setEnabled(enabled: boolean): Promise<LinkState>;
  msUntilNextBar(): number;
  on(event: 'state', listener: (state: LinkState) => void): () => void;
}

/** Analysis requests are handed over as they are; the analysis service answers them. */
export interface AnalysisPort {
  handle<C extends 'analysis:start' | 'analysis:cancel' | 'analysis:get'>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>>;
  onChange(listener: (state: EventPayload<'analysis:changed'>) => void): () => void;
}

export interface PanelCoreOptions {
  hub: OscHub;
  store: ShowStore;
  app: AppInfo;
  settings: Settings;
  link?: LinkPort;
  log?: LoudnessLogPort;
  analysis?: AnalysisPort;
  meterFrameMs?: number;
}

type Emitted = { [E in EventChannel]: [EventPayload<E>] };

export class PanelCore implements PanelHandler {
  private readonly events = new EventEmitter<Emitted>();
  private readonly meters: MeterFrames;
  private readonly nowPlaying: NowPlaying = {};
  /** Latest measurement per "songKey slotKey", from devices' show states and finished songs. */
  private readonly loudness = new Map<string, SongLoudness>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Problems worth showing (a device refusing a preset); the shells print them. */
  readonly problems = new EventEmitter<{ problem: [string] }>();

  constructor(private readonly options: PanelCoreOptions) {
    this.events.setMaxListeners(0);
    const { hub, store } = options;
    this.meters = new MeterFrames((frame) => this.emit('meters:frame', frame), options.meterFrameMs);
    hub.on('devices', (devices) => this.emit('devices:changed', devices));
    hub.on('meter', (reading) => this.meters.add(reading));
    hub.on('song', ({ deviceId, songKey }) => {
      this.nowPlaying[deviceId] = songKey;
      this.emit('nowPlaying:changed', { ...this.nowPlaying });
    });
    hub.on('deviceState', ({ device, state, reason }) => {
      this.adoptAndPush({ track: device.track, role: device.role }, device.id, state, reason !== 'revision').catch((error: Error) => this.report(`device ${device.id} (${device.track}): ${error.message}`));
    });
    hub.on('songFinished', ({ deviceId, songKey, measurement }) => {
      this.recordFinished(deviceId, songKey, measurement).catch((error: Error) => this.report(`loudness log: ${error.message}`));
    });
    hub.on('problem', ({ message }) => this.report(message));
    hub.on('failure', (error) => this.report(`OSC: ${error.message}`));
    this.unsubscribe.push(store.onChange((change) => this.onShowChange(change)));
    if (options.link) this.unsubscribe.push(options.link.on('state', (state) => this.emit('link:changed', state)));
    if (options.analysis) this.unsubscribe.push(options.analysis.onChange((state) => this.emit('analysis:changed', state)));
  }

  subscribe(listener: <E extends EventChannel>(event: E, payload: EventPayload<E>) => void): () => void {
    const wrapped = (event: EventChannel, payload: unknown) => listener(event, payload as never);
    const handlers = new Map<EventChannel, (payload: unknown) => void>();
    for (const event of EVENT_CHANNELS) {
      const handler = (payload: unknown) => wrapped(event, payload);
      handlers.set(event, handler);
      this.events.on(event, handler as never);
    }
    return () => handlers.forEach((handler, event) => this.events.off(event, handler as never));
  }

  async handle<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>> {
    const handler = this.handlers[channel] as (p: RequestParams<C>) => Promise<RequestResult<C>> | RequestResult<C>;
    return handler(params);
  }

  close(): void {
    this.meters.close();
    for (const off of this.unsubscribe) off();
    this.events.removeAllListeners();
  }

  private readonly handlers: { [C in RequestChannel]: (params: RequestParams<C>) => Promise<RequestResults[C]> | RequestResults[C] } = {
    'app:info': () => this.options.app,
    'devices:list': () => this.options.hub.devices(),
    'show:get': () => toShowDocument(this.options.store.show),
    'show:update': ({ baseRevision, changes }) => {
      const edits: ShowEdit[] = [];
      const show = this.options.store.show;
      if (changes.name !== undefined) edits.push({ kind: 'renameShow', name: changes.name });
      if (changes.targetLufs !== undefined || changes.toleranceLu !== undefined) {
        edits.push({ kind: 'setTarget', targetLufs: changes.targetLufs ?? show.targetLufs, toleranceLu: changes.toleranceLu ?? show.toleranceLu });
      }
      if (changes.ceilings) edits.push({ kind: 'setCeilings', ...changes.ceilings });
      if (changes.notes !== undefined) edits.push({ kind: 'setNotes', notes: changes.notes });
      if (changes.venue) edits.push({ kind: 'setVenueOffset', venue: { name: changes.venue.name, trimDb: changes.venue.trimDb, eqGainDb: venueGains(changes.venue.eq) } });
      return this.applyEdits(baseRevision, edits);
    },
    'show:reorderSongs': ({ baseRevision, songKeys }) => this.applyEdits(baseRevision, [{ kind: 'reorderSongs', order: songKeys }]),
    'preset:set': async ({ baseRevision, songKey, slot, preset, alignToBar }) => {
      const link = this.options.link;
      if (alignToBar && link?.state().enabled) await new Promise((resolve) => setTimeout(resolve, link.msUntilNextBar()));
      const showSlot = toShowSlot(slot);
      return this.applyEdits(baseRevision, [...this.slotEdits(showSlot), { kind: 'setPreset', songKey, slot: showSlot, preset }]);
    },
    'preset:copy': ({ baseRevision, fromSongKey, slot, toSongKeys }) => {
      const showSlot = toShowSlot(slot);
      const source = this.options.store.show.songs.find((s) => s.key === fromSongKey);
      if (!source) return { ok: false, error: 'invalid', message: `no song ${JSON.stringify(fromSongKey)} in the show` };
      const preset = storedPreset(this.options.store.show, fromSongKey, showSlot);
      return this.applyEdits(baseRevision, [...this.slotEdits(showSlot), ...toSongKeys.map((songKey): ShowEdit => ({ kind: 'setPreset', songKey, slot: showSlot, preset }))]);
    },
    'nowPlaying:get': () => ({ ...this.nowPlaying }),
    'loudness:get': () => [...this.loudness.values()],
    'learn:get': () => this.learnProposals(),
    'learn:apply': async ({ baseRevision, items }) => {
      const wanted = (await this.learnProposals()).filter((p) => !items || items.some((i) => i.songKey === p.songKey && i.slot === p.slot));
      if (wanted.length === 0) return { ok: false, error: 'invalid', message: 'no learned trims to apply: play the songs for at least 30 s each first' };
      return this.applyEdits(baseRevision, [
        ...[...new Set(wanted.map((p) => p.slot))].flatMap((key) => this.slotEdits(toShowSlot(key))),
        ...wanted.map((p): ShowEdit => ({ kind: 'setTrim', songKey: p.songKey, slot: toShowSlot(p.slot), trimDb: p.afterTrimDb })),
      ]);
    },
    'log:show': ({ show }) => this.log().forShow(show ?? this.options.store.show.name),
    'log:song': ({ songKey }) => this.log().forSong(songKey),
    'log:export': ({ format, scope }) => this.log().export(format, scope, this.options.store.show.name),
    'link:get': () => this.link().state(),
    'link:setEnabled': ({ enabled }) => this.link().setEnabled(enabled),
    'analysis:start': (params) => this.analysis().handle('analysis:start', params),
    'analysis:cancel': (params) => this.analysis().handle('analysis:cancel', params),
    'analysis:get': (params) => this.analysis().handle('analysis:get', params),
    'analysis:seedTrims': () => {
      throw new Error('seeding trims from analysis is not wired in this build: apply the analyzer’s proposed trims per song');
    },
    'settings:get': () => this.options.settings,
    'settings:update': (changes) => {
      const settings = this.options.settings;
      if (changes.network !== undefined && changes.network !== settings.network) {
        throw new Error(`switching to ${changes.network} mode needs a restart: run \`liveblend serve${changes.network === 'lan' ? ' --lan' : ''}\``);
      }
      if (changes.discoveryPort !== undefined && changes.discoveryPort !== settings.discoveryPort) {
        throw new Error(`the discovery port changes on restart: run \`liveblend serve --discovery-port ${changes.discoveryPort}\``);
      }
      if (changes.theme) settings.theme = changes.theme;
      this.emit('settings:changed', settings);
      return settings;
    },
  };

  private emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void {
    (this.events as EventEmitter).emit(event, payload);
  }

  private report(message: string): void {
    this.problems.emit('problem', message);
  }

  private link(): LinkPort {
    if (!this.options.link) throw new Error('Ableton Link is not running in this session');
    return this.options.link;
  }

  private log(): LoudnessLogPort {
    if (!this.options.log) throw new Error('the loudness log is not available in this session');
    return this.options.log;
  }

  private analysis(): AnalysisPort {
    if (!this.options.analysis) throw new Error('the analysis service is not available in this session');
    return this.options.analysis;
  }

  /** A slot the show does not know yet is added in the same edit batch as its first preset. */
  private slotEdits(slot: Slot): ShowEdit[] {
    return this.options.store.show.slots.some((s) => sameSlot(s, slot)) ? [] : [{ kind: 'addSlot', slot }];
  }

  /**
   * Applies a batch of edits as one: every edit is first tried on a copy, so an invalid one leaves
   * the show untouched; then they are saved in order. A stale base revision is refused whole.
   */
  private async applyEdits(baseRevision: number, edits: ShowEdit[]): Promise<EditResult> {
    const store = this.options.store;
    if (baseRevision !== store.revision) return { ok: false, error: 'stale', message: new StaleRevisionError(store.revision, baseRevision).message };
    try {
      edits.reduce<Show>((show, edit) => applyEdit(show, edit), store.show);
    } catch (error) {
      if (error instanceof ShowEditError) return { ok: false, error: 'invalid', message: error.message };
      throw error;
    }
    let revision = baseRevision;
    try {
      for (const edit of edits) revision = (await store.edit(revision, edit)).revision;
    } catch (error) {
      if (error instanceof StaleRevisionError) return { ok: false, error: 'stale', message: error.message };
      throw error;
    }
    return { ok: true, revision };
  }

  private onShowChange(change: ShowChange): void {
    this.emit('show:changed', toShowDocument(change.show));
    for (const device of this.options.hub.devices()) {
      if (device.state !== 'connected') continue;
      const slot: Slot = { track: device.track, role: device.role };
      for (const preset of change.presets) {
        if (!sameSlot(preset.slot, slot)) continue;
        this.options.hub.pushPreset(device.id, preset.songKey, preset.preset).catch((error: Error) => this.report(error.message));
      }
      if (change.cause === 'setTarget') this.options.hub.pushTarget(device.id, change.show.targetLufs).catch((error: Error) => this.report(error.message));
      if (change.cause === 'setCeilings') this.options.hub.pushCeiling(device.id, ceilingFor(change.show, slot)).catch((error: Error) => this.report(error.message));
    }
  }

  /**
   * A device appeared (or came back): adopt the songs it knows that the show lacks, take its last
   * measurements, then send it every effective preset that differs from what it holds.
   */
  private async adoptAndPush(slot: Slot, deviceId: string, state: ShowState, push: boolean): Promise<void> {
    const store = this.options.store;
    const songs = Object.entries(state.presets).map(([key, preset]) => ({ key, preset }));
    const adopted = await store.importDeviceState(slot, { songs });
    if (adopted.refused.length > 0) this.report(`device ${deviceId}: presets not adopted: ${adopted.refused.join('; ')}`);
    for (const [songKey, measurement] of Object.entries(state.measurements)) this.noteLoudness(songKey, slot, measurement);
    if (!push) return;
    const show = store.show;
    const hub = this.options.hub;
    const pushes: Promise<void>[] = [];
    if (show.slots.some((s) => sameSlot(s, slot))) {
      for (const song of show.songs) {
        const preset = effectivePreset(show, song.key, slot);
        if (JSON.stringify(state.presets[song.key]) !== JSON.stringify(preset)) pushes.push(hub.pushPreset(deviceId, song.key, preset));
      }
    }
    if (state.targetLufs !== show.targetLufs) pushes.push(hub.pushTarget(deviceId, show.targetLufs));
    const ceiling = ceilingFor(show, slot);
    if (state.ceilingDbtp !== ceiling) pushes.push(hub.pushCeiling(deviceId, ceiling));
    await Promise.all(pushes);
  }

  private noteLoudness(songKey: string, slot: Slot, m: SongMeasurement): SongLoudness {
    const entry: SongLoudness = { songKey, slot: slotKey(slot), integrated: m.integratedLufs, lra: m.loudnessRangeLu, maxTruePeak: m.truePeakMaxDbtp, maxShortTerm: m.shortTermMaxLufs, measuredSeconds: m.seconds };
    this.loudness.set(`${songKey} ${entry.slot}`, entry);
    this.emit('loudness:changed', [...this.loudness.values()]);
    return entry;
  }

  private async recordFinished(deviceId: string, songKey: string, measurement: SongMeasurement): Promise<void> {
    const device = this.options.hub.registry.get(deviceId);
    if (!device) return;
    const slot: Slot = { track: device.track, role: device.role };
    this.noteLoudness(songKey, slot, measurement);
    if (!this.options.log) return;
    const show = this.options.store.show;
    const entry: LogEntry = {
      at: new Date().toISOString(),
      show: show.name,
      venue: show.venue.name,
      songKey,
      songName: show.songs.find((s) => s.key === songKey)?.name ?? songKey,
      slot: slotKey(slot),
      integrated: measurement.integratedLufs,
      lra: measurement.loudnessRangeLu,
      maxTruePeak: measurement.truePeakMaxDbtp,
      maxShortTerm: measurement.shortTermMaxLufs,
      targetLufs: measurement.targetLufs,
      trimDb: measurement.trimDb,
    };
    await this.options.log.append(entry);
    this.emit('log:appended', entry);
  }

  /** Every connected device's learned trims, as the panel shows them. */
  private async learnProposals(): Promise<LearnProposal[]> {
    const hub = this.options.hub;
    const lists = await Promise.all(
      hub
        .devices()
        .filter((d) => d.state === 'connected')
        .map(async (device) => {
          const [json] = await hub.request(device.id, OSC.learnGetProposals, []);
          const proposals = learnProposalSchema.array().parse(JSON.parse(json as string));
          const slot = slotKey({ track: device.track, role: device.role });
          return proposals.map((p): LearnProposal => ({
            songKey: p.song,
            slot,
            beforeTrimDb: p.measuredTrimDb,
            afterTrimDb: p.proposedTrimDb,
            measured: { integrated: p.integratedLufs, lra: this.loudness.get(`${p.song} ${slot}`)?.lra ?? null, maxTruePeak: this.loudness.get(`${p.song} ${slot}`)?.maxTruePeak ?? null, measuredSeconds: p.seconds },
          }));
        }),
    );
    return lists.flat();
  }
}


function ceilingFor(show: Show, slot: Slot): number {
  return slot.role === 'bus' ? show.ceilings.fohDbtp : show.ceilings.iemDbtp;
}

/** The stored preset, not the venue-adjusted one: copying must not add the venue offset twice. */
function storedPreset(show: Show, songKey: string, slot: Slot): Preset {
  return show.songs.find((s) => s.key === songKey)?.presets[slotId(slot)] ?? defaultPreset();
}
