import { EventEmitter } from 'node:events';
import type {
  AppInfo,
  EditResult,
  EventChannel,
  EventPayload,
  LearnProposal,
  LinkState,
  LogEntry,
  LogRecord,
  NowPlaying,
  RequestChannel,
  RequestParams,
  RequestResult,
  RequestResults,
  Settings,
  SongLoudness,
} from '../../shared/api';
import { EVENT_CHANNELS } from '../../shared/api';
import { OSC, learnProposalSchema, type LearnProposal as DeviceLearnProposal, type ShowState, type SongMeasurement } from '../../shared/osc-protocol';
import { PRESET_LIMITS, defaultPreset, type Preset } from '../../shared/preset';
import { effectivePreset, parseSlotId, sameSlot, ShowEditError, slotId, slotSchema, type Show, type SingleShowEdit, type Slot } from '../../shared/show';
import { matchFilesToSongs } from '../../shared/song-match';
import { trimsFromAnalysis, type AnalysisService } from './analysis-service';
import { linkOff } from './link-service';
import { MeterFrames } from './meter-frames';
import type { OscHub } from './osc-hub';
import type { PanelHandler } from './panel-handler';
import { StaleRevisionError, type ShowChange, type ShowStore } from './show-store';

/**
 * The composition root behind the panel: the OSC hub, the show store, and the optional services
 * (Link, loudness log, analysis) behind one PanelHandler that both transports serve.
 *
 * Data flow: a device that appears has its songs adopted into the show (never overwriting) and
 * then gets the show's effective presets, target and ceiling; every saved show change goes out to
 * the devices in the affected slots; meters are batched into frames; a finished song's
 * measurement goes to the loudness log and refreshes that slot's learned trims. One request that
 * edits the show is one revision, however many fields it touches.
 */

/** What the core needs from the loudness log; the log module implements it. */
export interface LoudnessLogPort {
  /** Resolves with the entry as logged (deviation from target included) once it is on disk. */
  append(record: LogRecord): Promise<LogEntry>;
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

export interface PanelCoreOptions {
  hub: OscHub;
  store: ShowStore;
  app: AppInfo;
  settings: Settings;
  link?: LinkPort;
  log?: LoudnessLogPort;
  analysis?: AnalysisService;
  meterFrameMs?: number;
}

type Emitted = { [E in EventChannel]: [EventPayload<E>] };

export class PanelCore implements PanelHandler {
  private readonly events = new EventEmitter<Emitted>();
  private readonly meters: MeterFrames;
  private readonly nowPlaying: NowPlaying = {};
  /** Latest measurement per "songKey slotId", from devices' show states and finished songs. */
  private readonly loudness = new Map<string, SongLoudness>();
  /** Each slot's learned trims as its device last reported them, by slot id. */
  private readonly learned = new Map<string, { slot: Slot; proposals: DeviceLearnProposal[] }>();
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
    hub.on('setSongs', ({ deviceId, songs }) => {
      this.options.store.importSetSongs(songs).catch((error: Error) => this.report(`device ${deviceId}: songs of the set not adopted: ${error.message}`));
    });
    hub.on('problem', ({ message }) => this.report(message));
    hub.on('failure', (error) => this.report(`OSC: ${error.message}`));
    this.unsubscribe.push(store.onChange((change) => this.onShowChange(change)));
    if (options.link) this.unsubscribe.push(options.link.on('state', (state) => this.emit('link:changed', state)));
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
    const job = this.options.analysis?.job;
    if (job) this.options.analysis!.cancel(job.id);
    this.meters.close();
    for (const off of this.unsubscribe) off();
    this.events.removeAllListeners();
  }

  private readonly handlers: { [C in RequestChannel]: (params: RequestParams<C>) => Promise<RequestResults[C]> | RequestResults[C] } = {
    'app:info': () => this.options.app,
    'devices:list': () => this.options.hub.devices(),
    'show:get': () => this.options.store.show,
    'show:update': ({ baseRevision, changes }) => {
      const show = this.options.store.show;
      const edits: SingleShowEdit[] = [];
      if (changes.name !== undefined) edits.push({ kind: 'renameShow', name: changes.name });
      if (changes.targetLufs !== undefined || changes.toleranceLu !== undefined) {
        edits.push({ kind: 'setTarget', targetLufs: changes.targetLufs ?? show.targetLufs, toleranceLu: changes.toleranceLu ?? show.toleranceLu });
      }
      if (changes.ceilings) edits.push({ kind: 'setCeilings', ...show.ceilings, ...changes.ceilings });
      if (changes.notes !== undefined) edits.push({ kind: 'setNotes', notes: changes.notes });
      if (changes.venue) edits.push({ kind: 'setVenueOffset', venue: { ...show.venue, ...changes.venue } });
      return this.applyEdits(baseRevision, edits);
    },
    'show:reorderSongs': ({ baseRevision, songKeys }) => this.applyEdits(baseRevision, [{ kind: 'reorderSongs', order: songKeys }]),
    'preset:set': async ({ baseRevision, songKey, slot, preset, alignToBar }) => {
      const link = this.options.link;
      if (alignToBar && link?.state().enabled) await new Promise((resolve) => setTimeout(resolve, link.msUntilNextBar()));
      const showSlot = slotOf(slot);
      return this.applyEdits(baseRevision, [...this.slotEdits(showSlot), { kind: 'setPreset', songKey, slot: showSlot, preset }]);
    },
    'preset:copy': ({ baseRevision, fromSongKey, slot, toSongKeys }) => {
      const showSlot = slotOf(slot);
      const source = this.options.store.show.songs.find((s) => s.key === fromSongKey);
      if (!source) return { ok: false, error: 'invalid', message: `no song ${JSON.stringify(fromSongKey)} in the show` };
      const preset = storedPreset(this.options.store.show, fromSongKey, showSlot);
      return this.applyEdits(baseRevision, [...this.slotEdits(showSlot), ...toSongKeys.map((songKey): SingleShowEdit => ({ kind: 'setPreset', songKey, slot: showSlot, preset }))]);
    },
    'nowPlaying:get': () => ({ ...this.nowPlaying }),
    'loudness:get': () => [...this.loudness.values()],
    'learn:get': async () => {
      await this.refreshLearned(this.options.hub.devices().filter((d) => d.state === 'connected'));
      return this.learnProposals();
    },
    'learn:apply': async ({ baseRevision, items }) => {
      await this.refreshLearned(this.options.hub.devices().filter((d) => d.state === 'connected'));
      const wanted = this.learnProposals().filter((p) => !items || items.some((i) => i.songKey === p.songKey && i.slot === p.slot));
      if (wanted.length === 0) return { ok: false, error: 'invalid', message: 'no learned trims to apply: play the songs for at least 30 s each first' };
      return this.applyEdits(baseRevision, [
        ...[...new Set(wanted.map((p) => p.slot))].flatMap((id) => this.slotEdits(slotOf(id))),
        ...wanted.map((p): SingleShowEdit => ({ kind: 'setTrim', songKey: p.songKey, slot: slotOf(p.slot), trimDb: p.afterTrimDb })),
      ]);
    },
    'log:show': ({ show }) => this.log().forShow(show ?? this.options.store.show.name),
    'log:song': ({ songKey }) => this.log().forSong(songKey),
    'log:export': ({ format, scope }) => this.log().export(format, scope, this.options.store.show.name),
    // A session started with --no-link shows Link as off, not as a failure.
    'link:get': () => this.options.link?.state() ?? linkOff(),
    'link:setEnabled': ({ enabled }) => this.link().setEnabled(enabled),
    'analysis:start': ({ paths }) => {
      const show = this.options.store.show;
      const job = this.analysis().analyze(paths, { target: show.targetLufs, ceiling: show.ceilings.fohDbtp });
      job.on('state', (state) => this.emit('analysis:changed', state));
      this.emit('analysis:changed', job.state());
      return { jobId: job.id };
    },
    'analysis:cancel': ({ jobId }) => {
      const analysis = this.analysis();
      if (!analysis.cancel(jobId)) throw new Error(`analysis ${jobId} is not running (it finished, was cancelled, or never started)`);
      const state = analysis.state();
      this.emit('analysis:changed', state);
      return state;
    },
    'analysis:get': () => this.analysis().state(),
    'analysis:seedTrims': ({ baseRevision, slot }) => this.seedTrims(baseRevision, slotOf(slot)),
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

  private analysis(): AnalysisService {
    if (!this.options.analysis) throw new Error('the analysis service is not available in this session');
    return this.options.analysis;
  }

  /** A slot the show does not know yet is added in the same revision as its first preset. */
  private slotEdits(slot: Slot): SingleShowEdit[] {
    return this.options.store.show.slots.some((s) => sameSlot(s, slot)) ? [] : [{ kind: 'addSlot', slot }];
  }

  /**
   * Saves a request's edits as one revision (a batch when there are several): all of them or,
   * if any is invalid or the base revision is stale, none.
   */
  private async applyEdits(baseRevision: number, edits: SingleShowEdit[]): Promise<EditResult> {
    if (edits.length === 0) return { ok: false, error: 'invalid', message: 'nothing to change: the request names no field' };
    try {
      const show = await this.options.store.edit(baseRevision, edits.length === 1 ? edits[0] : { kind: 'batch', edits });
      return { ok: true, revision: show.revision };
    } catch (error) {
      if (error instanceof StaleRevisionError) return { ok: false, error: 'stale', message: error.message };
      if (error instanceof ShowEditError) return { ok: false, error: 'invalid', message: error.message };
      throw error;
    }
  }

  /**
   * The last finished analysis seeds `slot`'s trims: each file matched to a song by name gets the
   * trim that brings it to the show's target now (not the target the analysis ran with).
   */
  private async seedTrims(baseRevision: number, slot: Slot): Promise<EditResult> {
    const job = this.analysis().job;
    const result = job && job.state().status === 'done' ? await job.result : null;
    if (!result || result.status !== 'done') return { ok: false, error: 'invalid', message: 'no finished analysis to seed trims from: analyse the song files first' };
    const show = this.options.store.show;
    const trims = trimsFromAnalysis(result.outcomes, show.targetLufs, show.ceilings.fohDbtp);
    const trimOf = new Map(trims.map((t) => [t.path, t.trimDb]));
    const matches = matchFilesToSongs(
      trims.filter((t) => t.trimDb !== null).map((t) => t.path),
      show.songs,
    );
    if (matches.length === 0) {
      const songs = show.songs.map((s) => JSON.stringify(s.name)).join(', ') || 'none yet';
      return { ok: false, error: 'invalid', message: `none of the ${trims.length} analysed files is named like a song of the show (songs: ${songs}): name the files after the songs` };
    }
    const { min, max } = PRESET_LIMITS.trimDb;
    const outOfRange = matches.filter((m) => trimOf.get(m.path)! < min || trimOf.get(m.path)! > max);
    if (outOfRange.length > 0) {
      const list = outOfRange.map((m) => `${m.path} needs ${trimOf.get(m.path)} dB`).join('; ');
      return { ok: false, error: 'invalid', message: `no trims seeded: beyond the ${min} to ${max} dB trim range: ${list}; check those files or choose a target nearer their loudness` };
    }
    return this.applyEdits(baseRevision, [...this.slotEdits(slot), ...matches.map((m): SingleShowEdit => ({ kind: 'setTrim', songKey: m.songKey, slot, trimDb: trimOf.get(m.path)! }))]);
  }

  private onShowChange(change: ShowChange): void {
    this.emit('show:changed', change.show);
    const { show, previous } = change;
    for (const device of this.options.hub.devices()) {
      if (device.state !== 'connected') continue;
      const slot: Slot = { track: device.track, role: device.role };
      for (const preset of change.presets) {
        if (!sameSlot(preset.slot, slot)) continue;
        this.options.hub.pushPreset(device.id, preset.songKey, preset.preset).catch((error: Error) => this.report(error.message));
      }
      if (show.targetLufs !== previous.targetLufs) this.options.hub.pushTarget(device.id, show.targetLufs).catch((error: Error) => this.report(error.message));
      if (ceilingFor(show, slot) !== ceilingFor(previous, slot)) this.options.hub.pushCeiling(device.id, ceilingFor(show, slot)).catch((error: Error) => this.report(error.message));
    }
    // Proposals are stated against the show's trims: an applied trim (or any edit) moves them.
    if (this.learned.size > 0) this.emit('learn:changed', this.learnProposals());
  }

  /**
   * A device appeared (or came back): adopt the songs it knows that the show lacks, take its last
   * measurements, then send it every effective preset that differs from what it holds. A device
   * that announced an empty track name (its [js] had not reported the track yet) has no slot: it
   * gets the show's target and ceiling, and nothing of it is adopted into the show.
   */
  private async adoptAndPush(slot: Slot, deviceId: string, state: ShowState, push: boolean): Promise<void> {
    const store = this.options.store;
    const placed = slotSchema.safeParse(slot).success;
    if (placed) {
      const songs = Object.entries(state.presets).map(([key, preset]) => ({ key, preset }));
      const adopted = await store.importDeviceState(slot, { songs });
      if (adopted.refused.length > 0) this.report(`device ${deviceId}: presets not adopted: ${adopted.refused.join('; ')}`);
      for (const [songKey, measurement] of Object.entries(state.measurements)) this.noteLoudness(songKey, slot, measurement);
    } else {
      this.report(`device ${deviceId} (${slot.role}) announced no track name, so it has no preset slot: it gets the target and ceiling only, until it says hello again with its track`);
    }
    if (!push) return;
    const show = store.show;
    const hub = this.options.hub;
    const pushes: Promise<void>[] = [];
    if (placed && show.slots.some((s) => sameSlot(s, slot))) {
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
    const entry: SongLoudness = { songKey, slot: slotId(slot), integrated: m.integratedLufs, lra: m.loudnessRangeLu, maxTruePeak: m.truePeakMaxDbtp, maxShortTerm: m.shortTermMaxLufs, measuredSeconds: m.seconds };
    this.loudness.set(`${songKey} ${entry.slot}`, entry);
    this.emit('loudness:changed', [...this.loudness.values()]);
    return entry;
  }

  private async recordFinished(deviceId: string, songKey: string, measurement: SongMeasurement): Promise<void> {
    const device = this.options.hub.registry.get(deviceId);
    if (!device) return;
    const slot: Slot = { track: device.track, role: device.role };
    this.noteLoudness(songKey, slot, measurement);
    const learning = this.refreshLearned([device]);
    if (this.options.log) {
      const show = this.options.store.show;
      const entry = await this.options.log.append({
        at: new Date().toISOString(),
        show: show.name,
        venue: show.venue.name,
        songKey,
        songName: show.songs.find((s) => s.key === songKey)?.name ?? songKey,
        slot: slotId(slot),
        integrated: measurement.integratedLufs,
        lra: measurement.loudnessRangeLu,
        maxTruePeak: measurement.truePeakMaxDbtp,
        maxShortTerm: measurement.shortTermMaxLufs,
        targetLufs: measurement.targetLufs,
        toleranceLu: show.toleranceLu,
        trimDb: measurement.trimDb,
      });
      this.emit('log:appended', entry);
    }
    await learning;
  }

  /**
   * Asks devices for their learned trims and emits learn:changed when any slot's differ from what
   * it last reported. A device that does not answer keeps its last proposals and is reported.
   */
  private async refreshLearned(devices: readonly { id: string; track: string; role: Slot['role'] }[]): Promise<void> {
    const hub = this.options.hub;
    const outcomes = await Promise.allSettled(
      devices.map(async (device) => {
        const [json] = await hub.request(device.id, OSC.learnGetProposals, []);
        const proposals = learnProposalSchema.array().parse(JSON.parse(json as string));
        return { slot: { track: device.track, role: device.role }, proposals };
      }),
    );
    let changed = false;
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'rejected') {
        this.report(`learned trims of device ${devices[index].id}: ${(outcome.reason as Error).message}`);
        return;
      }
      const id = slotId(outcome.value.slot);
      if (JSON.stringify(this.learned.get(id)?.proposals) === JSON.stringify(outcome.value.proposals)) return;
      this.learned.set(id, outcome.value);
      changed = true;
    });
    if (changed) this.emit('learn:changed', this.learnProposals());
  }

  /**
   * Every slot's learned trims in the show's terms. A device proposes the trim it should play,
   * which includes the venue offset it was given on bus slots; the song's own trim is that minus
   * the venue trim, or applying it would add the venue twice.
   */
  private learnProposals(): LearnProposal[] {
    const show = this.options.store.show;
    const { min, max } = PRESET_LIMITS.trimDb;
    // Only a bus device's trim reaches FOH: in-ear and click devices play at unity, so their
    // measurements describe the monitor feed, not a trim to learn.
    return [...this.learned.values()].flatMap(({ slot, proposals }) => {
      if (slot.role !== 'bus') return [];
      const id = slotId(slot);
      const venueTrim = slot.role === 'bus' ? show.venue.trimDb : 0;
      return proposals.map((p): LearnProposal => {
        const measured = this.loudness.get(`${p.song} ${id}`);
        return {
          songKey: p.song,
          slot: id,
          beforeTrimDb: storedPreset(show, p.song, slot).trimDb,
          afterTrimDb: Math.min(max, Math.max(min, Math.round((p.proposedTrimDb - venueTrim) * 100) / 100)),
          measured: { integrated: p.integratedLufs, lra: measured?.lra ?? null, maxTruePeak: measured?.maxTruePeak ?? null, measuredSeconds: p.seconds },
        };
      });
    });
  }
}

/** Slot ids in requests were checked by the request schema, so they always parse. */
function slotOf(id: string): Slot {
  const slot = parseSlotId(id);
  if (!slot) throw new Error(`${JSON.stringify(id)} is not a device slot ("<role>:<track>")`);
  return slot;
}

function ceilingFor(show: Show, slot: Slot): number {
  return slot.role === 'bus' ? show.ceilings.fohDbtp : show.ceilings.iemDbtp;
}

/** The stored preset, not the venue-adjusted one: copying must not add the venue offset twice. */
function storedPreset(show: Show, songKey: string, slot: Slot): Preset {
  return show.songs.find((s) => s.key === songKey)?.presets[slotId(slot)] ?? defaultPreset();
}
