import { EventEmitter } from 'node:events';
import type { DeviceInfo, MeterReading } from '../../shared/api';
import {
  HELLO_INTERVAL_MS,
  LUFS_FLOOR,
  OSC,
  setSongListSchema,
  showStateSchema,
  songMeasurementSchema,
  validateOscArgs,
  type OscAddressSpec,
  type OscArg,
  type OscArgValues,
  type SetSong,
  type ShowState,
  type SongMeasurement,
} from '../../shared/osc-protocol';
import type { Preset } from '../../shared/preset';
import { systemClock, type Clock } from './clock';
import { DeviceRegistry } from './device-registry';
import { OscSocket, type OscIncoming } from './osc-socket';

/**
 * The panel's side of the OSC protocol. One UDP socket on the discovery port: devices say hello
 * there, the hub welcomes them from it, so their heartbeats, replies and meters come back to it.
 * The hub subscribes each device to its meters, song and alarms, fetches its show state, and
 * tells the core (panel-core) when a device is ready for the show to be pushed.
 *
 * Keep-alive: every 2 s the hub pings connected devices (the device drops a hub silent for 5 s,
 * and the ping also renews its listeners) and re-welcomes lost ones, so a device whose packets
 * went missing comes back by itself.
 */

const SWEEP_INTERVAL_MS = 250;
const REQUEST_TIMEOUT_MS = 1500;

/** Why a device's state was fetched: it appeared, came back, said hello again, changed its state, or moved to another slot (a renamed track, a new role). */
export type SyncReason = 'new' | 'returned' | 'again' | 'revision' | 'moved';

export interface HubEvents {
  /** The registry after any change. */
  devices: [DeviceInfo[]];
  /** A device was welcomed (or re-welcomed) and its show state fetched: push the show to it. */
  deviceState: [{ device: DeviceInfo; state: ShowState; reason: SyncReason }];
  meter: [MeterReading];
  song: [{ deviceId: string; songKey: string | null; playing: boolean }];
  /** The song a device was playing changed; this is its last measurement. */
  songFinished: [{ deviceId: string; songKey: string; measurement: SongMeasurement }];
  /** The songs of the device's Live set, in set order (scenes, then locators), on subscribe and on every change. */
  setSongs: [{ deviceId: string; songs: SetSong[] }];
  /** A device refused something or a message from a device was refused here. */
  problem: [{ deviceId: string | null; message: string }];
  failure: [Error];
}

export interface OscHubOptions {
  host: string;
  port: number;
  /** How the panel introduces itself in /liveblend/welcome. */
  name: string;
  clock?: Clock;
  requestTimeoutMs?: number;
}

export interface HubStats {
  received: number;
  sent: number;
  malformed: number;
  refused: number;
  socketErrors: number;
  deviceErrors: number;
}

type Pending = { resolve: (values: unknown[]) => void; reject: (error: Error) => void; cancel: () => void };

export class OscHub extends EventEmitter<HubEvents> {
  readonly registry = new DeviceRegistry();
  private readonly socket = new OscSocket();
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, Pending[]>();
  private readonly songs = new Map<string, string | null>();
  private readonly playing = new Map<string, boolean>();
  private readonly revisions = new Map<string, number>();
  private readonly counters = { refused: 0, deviceErrors: 0 };
  private stopTimers: (() => void)[] = [];

  constructor(private readonly options: OscHubOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    this.socket.on('message', (message) => this.receive(message));
    this.socket.on('malformed', ({ from, reason }) => this.emit('problem', { deviceId: null, message: `undecodable OSC packet from ${from}: ${reason}` }));
    this.socket.on('failure', (error) => this.emit('failure', error));
  }

  async start(): Promise<void> {
    await this.socket.bind(this.options.port, this.options.host);
    this.stopTimers = [this.clock.every(SWEEP_INTERVAL_MS, () => this.sweep()), this.clock.every(HELLO_INTERVAL_MS, () => this.keepAlive())];
  }

  get port(): number {
    return this.socket.port;
  }

  get stats(): HubStats {
    const s = this.socket.stats;
    return { received: s.received, sent: s.sent, malformed: s.malformed, refused: this.counters.refused, socketErrors: s.errors, deviceErrors: this.counters.deviceErrors };
  }

  devices(): DeviceInfo[] {
    return this.registry.list();
  }

  async close(): Promise<void> {
    for (const stop of this.stopTimers) stop();
    this.stopTimers = [];
    for (const queue of this.pending.values()) for (const p of queue) p.reject(new Error('the OSC hub closed'));
    this.pending.clear();
    await this.socket.close();
  }

  /** Stores a song's preset on a device; resolves when the device confirms it. */
  async pushPreset(deviceId: string, songKey: string, preset: Preset): Promise<void> {
    await this.request(deviceId, OSC.presetSetSong, [songKey, JSON.stringify(preset)]);
  }

  async pushTarget(deviceId: string, lufs: number): Promise<void> {
    await this.request(deviceId, OSC.targetSetLufs, [lufs]);
  }

  async pushCeiling(deviceId: string, dbtp: number): Promise<void> {
    await this.request(deviceId, OSC.ceilingSetDbtp, [dbtp]);
  }

  async fetchState(deviceId: string): Promise<ShowState> {
    const [json] = await this.request(deviceId, OSC.showGetState, []);
    return parseJson(showStateSchema, json as string, `show state of device ${deviceId}`);
  }

  /**
   * Sends a request and resolves with the reply's arguments. Replies carry no request id, so they
   * are matched in order per device and reply address; a /liveblend/error naming the address
   * rejects the oldest one waiting.
   */
  request<A extends readonly OscAddressSpec['args'][number][]>(deviceId: string, spec: OscAddressSpec<A>, values: OscArgValues<A>): Promise<unknown[]> {
    const to = this.registry.endpoint(deviceId);
    if (!to) return Promise.reject(new Error(`no device ${deviceId}`));
    const replyAddress = spec.reply?.address ?? spec.address;
    const key = pendingKey(to, replyAddress);
    const errorKey = pendingKey(to, spec.address);
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        resolve,
        reject,
        cancel: this.clock.after(this.timeoutMs, () => {
          this.dropPending(key, entry);
          if (errorKey !== key) this.dropPending(errorKey, entry);
          reject(new Error(`device ${deviceId} did not answer ${spec.address} within ${this.timeoutMs} ms`));
        }),
      };
      this.queue(key).push(entry);
      if (errorKey !== key) this.queue(errorKey).push(entry);
      this.socket.send(to, spec.address, spec.args, values);
    });
  }

  private queue(key: string): Pending[] {
    let queue = this.pending.get(key);
    if (!queue) this.pending.set(key, (queue = []));
    return queue;
  }

  private dropPending(key: string, entry: Pending): void {
    const queue = this.pending.get(key);
    if (!queue) return;
    const index = queue.indexOf(entry);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) this.pending.delete(key);
  }

  /** Resolves (or rejects) the oldest request waiting on this address from this endpoint. */
  private settle(from: { address: string; port: number }, address: string, outcome: { values: unknown[] } | { error: Error }): boolean {
    const key = pendingKey(from, address);
    const entry = this.pending.get(key)?.[0];
    if (!entry) return false;
    for (const [k, queue] of this.pending) if (queue.includes(entry)) this.dropPending(k, entry);
    entry.cancel();
    if ('values' in outcome) entry.resolve(outcome.values);
    else entry.reject(outcome.error);
    return true;
  }

  private receive(message: OscIncoming): void {
    const args = INBOUND_ARGS.get(message.address);
    if (!args) {
      this.refuse(null, `unknown address ${message.address} from ${message.from.address}:${message.from.port}`);
      return;
    }
    const checked = validateOscArgs({ address: message.address, args }, message.typeTags, message.values);
    if (!checked.ok) {
      this.refuse(this.idAt(message.from), checked.reason);
      return;
    }
    const values = checked.args as unknown[];
    switch (message.address) {
      case OSC.hello.address:
        this.onHello(values as OscArgValues<typeof OSC.hello.args>, message.from);
        return;
      case OSC.heartbeat.address:
        this.onHeartbeat(values as OscArgValues<typeof OSC.heartbeat.args>);
        return;
      case OSC.meter.address:
        this.onMeter(values as OscArgValues<typeof OSC.meter.args>);
        return;
      case OSC.ping.reply!.address:
        this.markHeard((values as [string])[0]);
        this.settle(message.from, message.address, { values });
        return;
      case OSC.alarm.address: {
        const [id, code, text] = values as OscArgValues<typeof OSC.alarm.args>;
        this.markHeard(id, { alarm: code === '' ? null : text || code });
        return;
      }
      case OSC.error.address: {
        const [address, reason] = values as OscArgValues<typeof OSC.error.args>;
        this.counters.deviceErrors++;
        const error = new Error(`device refused ${address || 'a packet'}: ${reason}`);
        if (!this.settle(message.from, address, { error })) this.emit('problem', { deviceId: this.idAt(message.from), message: error.message });
        return;
      }
      case OSC.songGetCurrent.address:
        this.settle(message.from, message.address, { values });
        this.onSong(message.from, values as SongReply);
        return;
      case OSC.songsGetList.address:
        this.settle(message.from, message.address, { values });
        this.onSetSongs(message.from, (values as [string])[0]);
        return;
      default:
        this.settle(message.from, message.address, { values });
    }
  }

  private refuse(deviceId: string | null, reason: string): void {
    this.counters.refused++;
    this.emit('problem', { deviceId, message: reason });
  }

  private idAt(from: { address: string; port: number }): string | null {
    const address = `${from.address}:${from.port}`;
    return this.registry.list().find((d) => d.address === address)?.id ?? null;
  }

  private onHello([id, role, track, set, version, port, sampleRate]: OscArgValues<typeof OSC.hello.args>, from: { address: string }): void {
    const outcome = this.registry.hello({ id, role, track, set, version, host: from.address, port, sampleRate }, this.clock.now());
    if (outcome.kind === 'returned' && outcome.replaced) {
      this.songs.delete(outcome.replaced);
      this.playing.delete(outcome.replaced);
      this.revisions.delete(outcome.replaced);
    }
    this.emitDevices();
    void this.welcome(id, outcome.kind);
  }

  /** Welcome, subscribe, then fetch the show state so the core can import and push. */
  private async welcome(id: string, reason: SyncReason): Promise<void> {
    const to = this.registry.endpoint(id);
    if (!to) return;
    this.socket.send(to, OSC.welcome.address, OSC.welcome.args, [this.options.name]);
    // Subscriptions are not awaited: the state request below is answered after them (one socket, in order).
    for (const spec of [OSC.meterStartListenLevels, OSC.songStartListenCurrent, OSC.alarmStartListenState, OSC.songsStartListenList]) this.socket.send(to, spec.address, spec.args, []);
    try {
      await this.syncState(id, reason);
    } catch (error) {
      this.emit('problem', { deviceId: id, message: `could not subscribe to device ${id}: ${(error as Error).message}` });
    }
  }

  private async syncState(id: string, reason: SyncReason): Promise<void> {
    const state = await this.fetchState(id);
    const device = this.registry.get(id);
    if (device) this.emit('deviceState', { device: { ...device }, state, reason });
  }

  private onHeartbeat([id, song, role, playing, revision, alarm, track, set, routing]: OscArgValues<typeof OSC.heartbeat.args>): void {
    const before = this.registry.get(id);
    const moved = before !== undefined && (before.track !== track || before.role !== role);
    const heard = this.markHeard(id, { role, track, set, routing, alarm: alarm === '' ? null : (before?.alarm ?? alarm) });
    if (heard === 'unknown') return;
    this.noteSong(id, song === '' ? null : song, playing === 1);
    const previous = this.revisions.get(id);
    this.revisions.set(id, revision);
    if (heard === 'returned') void this.welcome(id, 'returned');
    else if (moved || (previous !== undefined && previous !== revision)) {
      this.syncState(id, moved ? 'moved' : 'revision').catch((error: Error) => this.emit('problem', { deviceId: id, message: error.message }));
    }
  }

  private onMeter([id, song, momentary, shortTerm, integrated, truePeak, compressorGr, limiterGr]: OscArgValues<typeof OSC.meter.args>): void {
    if (this.markHeard(id) === 'unknown') return;
    this.emit('meter', {
      deviceId: id,
      songKey: song === '' ? null : song,
      momentary: lufs(momentary),
      shortTerm: lufs(shortTerm),
      integrated: lufs(integrated),
      truePeak: lufs(truePeak),
      compressorGr,
      limiterGr,
      at: this.clock.now(),
    });
  }

  private onSong(from: { address: string; port: number }, [song, , , playing]: SongReply): void {
    const id = this.idAt(from);
    if (id) this.noteSong(id, song === '' ? null : song, playing === 1);
  }

  private onSetSongs(from: { address: string; port: number }, json: string): void {
    const id = this.idAt(from);
    if (!id) return;
    try {
      this.emit('setSongs', { deviceId: id, songs: parseJson(setSongListSchema, json, `song list of device ${id}`) });
    } catch (error) {
      this.refuse(id, (error as Error).message);
    }
  }

  /**
   * Tracks each device's song; when one ends — another song starts, or the transport stops on it
   * (the end of a set, a rehearsal run) — its measurement goes to the loudness log and learn.
   */
  private noteSong(id: string, songKey: string | null, playing: boolean): void {
    const had = this.songs.has(id);
    const previous = this.songs.get(id) ?? null;
    const wasPlaying = this.playing.get(id) ?? false;
    this.playing.set(id, playing);
    const stoppedOnSong = had && previous === songKey && wasPlaying && !playing;
    if (had && previous === songKey && !stoppedOnSong) return;
    this.songs.set(id, songKey);
    this.emit('song', { deviceId: id, songKey, playing });
    if (previous === null) return;
    this.request(id, OSC.measurementGetSong, [previous])
      .then(([, json]) => {
        if (json === 'null') return;
        const measurement = parseJson(songMeasurementSchema, json as string, `measurement of "${previous}" from device ${id}`);
        this.emit('songFinished', { deviceId: id, songKey: previous, measurement });
      })
      .catch((error: Error) => this.emit('problem', { deviceId: id, message: error.message }));
  }

  private markHeard(id: string, update: Parameters<DeviceRegistry['heard']>[2] = {}): ReturnType<DeviceRegistry['heard']> {
    const before = this.registry.get(id);
    const changed = before !== undefined && (before.state === 'lost' || Object.entries(update).some(([k, v]) => before[k as keyof DeviceInfo] !== v));
    const outcome = this.registry.heard(id, this.clock.now(), update);
    if (changed) this.emitDevices();
    return outcome;
  }

  private sweep(): void {
    if (this.registry.sweep(this.clock.now()).length > 0) this.emitDevices();
  }

  private keepAlive(): void {
    for (const device of this.registry.list()) {
      const to = this.registry.endpoint(device.id)!;
      if (device.state === 'lost') this.socket.send(to, OSC.welcome.address, OSC.welcome.args, [this.options.name]);
      else this.socket.send(to, OSC.ping.address, OSC.ping.args, []);
    }
  }

  private emitDevices(): void {
    this.emit('devices', this.registry.list());
  }
}

type SongReply = OscArgValues<NonNullable<(typeof OSC.songGetCurrent)['reply']>['args']>;

/**
 * What may arrive at the hub, by address: messages devices send on their own (hello, heartbeat,
 * meter, alarm, error) and the replies to the hub's requests, each with the arguments to check.
 */
const INBOUND_ARGS: ReadonlyMap<string, readonly OscArg[]> = new Map(
  Object.values(OSC as Record<string, OscAddressSpec>).flatMap((spec): [string, readonly OscArg[]][] => {
    if (spec.direction === 'device→discovery' || spec.direction === 'device→panel') return [[spec.address, spec.args]];
    return spec.reply ? [[spec.reply.address, spec.reply.args]] : [];
  }),
);

function pendingKey(endpoint: { address: string; port: number }, address: string): string {
  return `${endpoint.address}:${endpoint.port} ${address}`;
}

/** The protocol sends silence as LUFS_FLOOR; the panel shows it as "no reading". */
function lufs(value: number): number | null {
  return value <= LUFS_FLOOR ? null : value;
}

function parseJson<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${what} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
