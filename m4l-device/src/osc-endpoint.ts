import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { Buffer } from 'node:buffer';
import {
  DEFAULT_DISCOVERY_PORT,
  HEARTBEAT_INTERVAL_MS,
  HELLO_INTERVAL_MS,
  HUB_SILENCE_MS,
  IDENTITY_WAIT_MS,
  LISTENER_TTL_MS,
  MAX_JSON,
  MAX_OSC_PACKET_BYTES,
  METER_INTERVAL_MS,
  OSC,
  oscNameOf,
  validateOscArgs,
  type OscAddressSpec,
  type OscArg,
  type OscArgValues,
} from '../../src/shared/osc-protocol';
import type { DeviceChange, DeviceCore } from './device-core';
import { decodePacket, encodeMessage, encodeReply } from './osc-codec';

/**
 * The device's OSC endpoint: one UDP socket on an ephemeral port. It announces the device to the
 * discovery port until a hub welcomes it, then sends heartbeats; it answers requests to their
 * sender and streams meters and changes to listeners.
 *
 * Every packet is decoded and checked against the protocol table before anything runs; a bad one
 * is answered with /liveblend/error and changes nothing. Socket errors are counted and logged,
 * never thrown: a device must keep playing whatever arrives on its port.
 */

export interface EndpointTiming {
  helloMs: number;
  heartbeatMs: number;
  hubSilenceMs: number;
  meterMs: number;
  listenerTtlMs: number;
  /** How long the first hello waits for the adapter to report the track. */
  identityWaitMs: number;
}

export const DEFAULT_TIMING: EndpointTiming = {
  helloMs: HELLO_INTERVAL_MS,
  heartbeatMs: HEARTBEAT_INTERVAL_MS,
  hubSilenceMs: HUB_SILENCE_MS,
  meterMs: METER_INTERVAL_MS,
  listenerTtlMs: LISTENER_TTL_MS,
  identityWaitMs: IDENTITY_WAIT_MS,
};

export interface OscEndpointOptions {
  core: DeviceCore;
  deviceId: string;
  version: string;
  /** 127.0.0.1, or 0.0.0.0 when the show is run over the LAN. */
  bindAddress: string;
  discoveryPort?: number;
  discoveryHost?: string;
  timing?: Partial<EndpointTiming>;
  log(text: string): void;
}

export interface EndpointCounters {
  received: number;
  refused: number;
  sent: number;
  socketErrors: number;
}

type Topic = 'song' | 'songs' | 'preset' | 'target' | 'ceiling' | 'role' | 'meter' | 'alarm';

interface Peer {
  address: string;
  port: number;
}

interface Listener extends Peer {
  topics: Set<Topic>;
  lastHeard: number;
  sendErrors: number;
}

type ReplyValues<S> = S extends OscAddressSpec<readonly OscArg[], infer R> ? OscArgValues<R> : never;

interface Route {
  spec: OscAddressSpec;
  run(args: unknown[], from: Peer): Buffer | null;
}

/** Consecutive failed sends after which a listener is dropped. */
const MAX_LISTENER_SEND_ERRORS = 3;
const MAX_LISTENERS = 32;

function peerKey(peer: Peer): string {
  return `${peer.address}:${peer.port}`;
}

function route<const A extends readonly OscArg[], const R extends readonly OscArg[]>(
  spec: OscAddressSpec<A, R>,
  run: (args: OscArgValues<A>, from: Peer) => OscArgValues<R> | null,
): Route {
  return {
    spec,
    run: (args, from) => {
      const reply = run(args as OscArgValues<A>, from);
      return reply === null ? null : encodeReply(spec, reply);
    },
  };
}

export class OscEndpoint {
  private readonly core: DeviceCore;
  private readonly options: OscEndpointOptions;
  private readonly timing: EndpointTiming;
  private readonly routes = new Map<string, Route>();
  private readonly listeners = new Map<string, Listener>();
  private socket: Socket | null = null;
  private boundPort = 0;
  private discoveryPort: number;
  private hub: (Peer & { lastHeard: number }) | null = null;
  private lastHelloAt = -Infinity;
  /** Set when the wait for the adapter's report is over: hello goes out even without a track. */
  private identityWaitOver = false;
  private identityTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private meterTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  readonly counters: EndpointCounters = { received: 0, refused: 0, sent: 0, socketErrors: 0 };

  constructor(options: OscEndpointOptions) {
    this.options = options;
    this.core = options.core;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.discoveryPort = options.discoveryPort ?? DEFAULT_DISCOVERY_PORT;
    for (const r of this.buildRoutes()) this.routes.set(r.spec.address, r);
  }

  get port(): number {
    return this.boundPort;
  }

  get welcomed(): boolean {
    return this.hub !== null;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  async start(): Promise<number> {
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('error', (error) => this.socketError(error));
    socket.on('message', (packet, rinfo) => this.receive(packet, rinfo));
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => reject(new Error(`OSC endpoint cannot bind ${this.options.bindAddress}: ${error.message}`));
      socket.once('error', failed);
      socket.bind(0, this.options.bindAddress, () => {
        socket.off('error', failed);
        resolve();
      });
    });
    this.boundPort = socket.address().port;
    this.unsubscribe = this.core.onChange((change) => this.changed(change));
    this.identityTimer = setTimeout(() => this.identityWaitEnded(), this.timing.identityWaitMs);
    this.tick();
    this.tickTimer = setInterval(() => this.tick(), Math.min(this.timing.heartbeatMs, this.timing.helloMs));
    return this.boundPort;
  }

  async stop(): Promise<void> {
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.meterTimer) clearInterval(this.meterTimer);
    if (this.identityTimer) clearTimeout(this.identityTimer);
    this.identityTimer = null;
    this.tickTimer = null;
    this.meterTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  setDiscoveryPort(port: number): void {
    this.discoveryPort = port;
    this.hub = null;
    this.lastHelloAt = -Infinity;
    this.tick();
  }

  // ---- receiving

  private receive(packet: Buffer, from: RemoteInfo): void {
    this.counters.received++;
    const peer = { address: from.address, port: from.port };
    const now = Date.now();
    const key = peerKey(peer);
    if (this.hub && peerKey(this.hub) === key) this.hub.lastHeard = now;
    const listener = this.listeners.get(key);
    if (listener) listener.lastHeard = now;

    const decoded = decodePacket(packet);
    if (!decoded.ok) return this.refuse(peer, decoded.address, decoded.reason);
    const target = this.routes.get(decoded.address);
    if (!target) {
      const known = oscNameOf(decoded.address);
      const reason = known ? `${decoded.address} is sent by devices, not to them` : `unknown address ${decoded.address}: see docs/osc.md for the addresses a device answers`;
      return this.refuse(peer, decoded.address, reason);
    }
    const checked = validateOscArgs(target.spec, decoded.tags, decoded.values);
    if (!checked.ok) return this.refuse(peer, decoded.address, checked.reason);
    let reply: Buffer | null;
    try {
      reply = target.run(checked.args, peer);
    } catch (error) {
      return this.refuse(peer, decoded.address, (error as Error).message);
    }
    if (reply === null) return;
    if (reply.length > MAX_OSC_PACKET_BYTES) {
      return this.refuse(peer, decoded.address, `the reply is ${reply.length} bytes, more than one UDP packet holds (${MAX_OSC_PACKET_BYTES}): ask for less (one song at a time)`);
    }
    this.send(reply, peer);
  }

  private refuse(peer: Peer, address: string, reason: string): void {
    this.counters.refused++;
    // Error texts are bounded by the protocol; a hostile address must not make the reply huge.
    this.send(encodeMessage(OSC.error.address, OSC.error.args, [address.slice(0, 512), reason.slice(0, 2048)]), peer);
  }

  // ---- sending

  private send(packet: Buffer, peer: Peer, onError?: () => void): void {
    const socket = this.socket;
    if (!socket) return;
    this.counters.sent++;
    socket.send(packet, peer.port, peer.address, (error) => {
      if (!error) return;
      this.socketError(error);
      onError?.();
    });
  }

  private socketError(error: Error): void {
    this.counters.socketErrors++;
    this.options.log(`OSC socket error (${this.counters.socketErrors} so far): ${error.message}`);
  }

  private toListeners(topic: Topic, packet: Buffer): void {
    for (const listener of this.listeners.values()) {
      if (!listener.topics.has(topic)) continue;
      this.send(packet, listener, () => {
        listener.sendErrors++;
        if (listener.sendErrors >= MAX_LISTENER_SEND_ERRORS) this.dropListener(listener);
      });
    }
  }

  private listen(peer: Peer, topic: Topic): void {
    const key = peerKey(peer);
    let listener = this.listeners.get(key);
    if (!listener) {
      if (this.listeners.size >= MAX_LISTENERS) throw new Error(`this device already has ${MAX_LISTENERS} listeners: stop listening from a client you no longer use`);
      listener = { ...peer, topics: new Set(), lastHeard: Date.now(), sendErrors: 0 };
      this.listeners.set(key, listener);
    }
    listener.topics.add(topic);
    if (topic === 'meter') this.updateMeterTimer();
  }

  private unlisten(peer: Peer, topic: Topic): void {
    const listener = this.listeners.get(peerKey(peer));
    if (!listener) return;
    listener.topics.delete(topic);
    if (listener.topics.size === 0) this.dropListener(listener);
    else this.updateMeterTimer();
  }

  private dropListener(listener: Listener): void {
    this.listeners.delete(peerKey(listener));
    this.updateMeterTimer();
  }

  private updateMeterTimer(): void {
    const wanted = [...this.listeners.values()].some((l) => l.topics.has('meter'));
    if (wanted && !this.meterTimer) this.meterTimer = setInterval(() => this.sendMeters(), this.timing.meterMs);
    if (!wanted && this.meterTimer) {
      clearInterval(this.meterTimer);
      this.meterTimer = null;
    }
  }

  private sendMeters(): void {
    const m = this.core.meterLevels();
    const packet = encodeMessage(OSC.meter.address, OSC.meter.args, [this.options.deviceId, m.song, m.momentary, m.shortTerm, m.integrated, m.truePeakMax, m.compressorGr, m.limiterGr, m.block]);
    this.toListeners('meter', packet);
  }

  /** Once per heartbeat period: hello or heartbeat, and forgetting silent hubs and listeners. */
  private tick(): void {
    const now = Date.now();
    if (this.hub && now - this.hub.lastHeard > this.timing.hubSilenceMs) {
      this.options.log(`hub ${peerKey(this.hub)} silent for ${this.timing.hubSilenceMs} ms: announcing again`);
      this.hub = null;
      this.lastHelloAt = -Infinity;
    }
    if (this.hub) this.send(this.heartbeat(), this.hub);
    else if (this.mayAnnounce() && now - this.lastHelloAt >= this.timing.helloMs) {
      this.lastHelloAt = now;
      this.send(this.hello(), { address: this.options.discoveryHost ?? '127.0.0.1', port: this.discoveryPort });
    }
    for (const listener of [...this.listeners.values()]) {
      if (now - listener.lastHeard > this.timing.listenerTtlMs) this.dropListener(listener);
    }
  }

  /**
   * A hello without the track would file this device's presets under an empty track name in
   * every panel that hears it, so the first hello waits for the adapter's report — but not for
   * ever: with no adapter (a broken install) the device must still be found.
   */
  private mayAnnounce(): boolean {
    return this.identityWaitOver || this.core.identityReported;
  }

  private identityWaitEnded(): void {
    this.identityTimer = null;
    this.identityWaitOver = true;
    if (!this.core.identityReported) {
      this.options.log(
        `the Live API adapter (liveblend-live.js) has not reported this device's track after ${this.timing.identityWaitMs} ms; announcing without a track name, so panels cannot keep this device's presets apart. Check that liveblend-live.js is next to the device and the Max window for its errors`,
      );
    }
    this.tick();
  }

  private hello(): Buffer {
    const id = this.core.identity;
    return encodeMessage(OSC.hello.address, OSC.hello.args, [
      this.options.deviceId,
      this.core.showState.role,
      id.trackName.slice(0, 128),
      id.setName.slice(0, 128),
      this.options.version,
      this.boundPort,
      this.core.currentSampleRate ?? 0,
    ]);
  }

  private heartbeat(): Buffer {
    const state = this.core.showState;
    return encodeMessage(OSC.heartbeat.address, OSC.heartbeat.args, [
      this.options.deviceId,
      this.core.currentSong.key ?? '',
      state.role,
      this.core.playing ? 1 : 0,
      this.core.revision,
      this.core.alarm.code,
      this.core.identity.trackName.slice(0, 128),
      this.core.identity.setName.slice(0, 128),
      (this.core.identity.routing ?? '').slice(0, 128),
    ]);
  }

  private changed(change: DeviceChange): void {
    switch (change.kind) {
      case 'song':
        return this.toListeners('song', encodeReply(OSC.songGetCurrent, this.songReply()));
      case 'preset':
        return this.toListeners('preset', encodeReply(OSC.presetGetSong, this.presetReply(change.song)));
      case 'target':
        return this.toListeners('target', encodeReply(OSC.targetGetLufs, [this.core.showState.targetLufs]));
      case 'ceiling':
        return this.toListeners('ceiling', encodeReply(OSC.ceilingGetDbtp, [this.core.showState.ceilingDbtp]));
      case 'role':
        return this.toListeners('role', encodeReply(OSC.roleGetName, [this.core.showState.role]));
      case 'alarm': {
        const alarm = this.core.alarm;
        const packet = encodeMessage(OSC.alarm.address, OSC.alarm.args, [this.options.deviceId, alarm.code, alarm.text]);
        if (this.hub) this.send(packet, this.hub);
        return this.toListeners('alarm', packet);
      }
      case 'state':
        // A resync or learn changes everything a listener may show.
        this.toListeners('target', encodeReply(OSC.targetGetLufs, [this.core.showState.targetLufs]));
        this.toListeners('ceiling', encodeReply(OSC.ceilingGetDbtp, [this.core.showState.ceilingDbtp]));
        this.toListeners('role', encodeReply(OSC.roleGetName, [this.core.showState.role]));
        for (const song of Object.keys(this.core.showState.presets)) this.toListeners('preset', encodeReply(OSC.presetGetSong, this.presetReply(song)));
        return;
      case 'songs': {
        const reply = this.songListReply();
        if ('error' in reply) return this.toListeners('songs', encodeMessage(OSC.error.address, OSC.error.args, [OSC.songsGetList.address, reply.error]));
        return this.toListeners('songs', reply.packet);
      }
      case 'identity':
        // A hub hears the new names in the next heartbeat; an unwelcomed device announces them now.
        if (!this.hub && this.mayAnnounce()) {
          this.lastHelloAt = -Infinity;
          this.tick();
        }
        return;
      case 'click':
      case 'align':
        // No listen topic: a hub sees the revision grow and resyncs.
        return;
    }
  }

  private songReply(): ReplyValues<typeof OSC.songGetCurrent> {
    const song = this.core.currentSong;
    return [song.key ?? '', song.name.slice(0, 128), song.source, this.core.playing ? 1 : 0];
  }

  private presetReply(song: string): ReplyValues<typeof OSC.presetGetSong> {
    const { preset, stored } = this.core.preset(song);
    return [song, JSON.stringify(preset), stored ? 1 : 0];
  }

  /** The song list as one reply packet, or why a set this large cannot be sent as one. */
  private songListReply(): { packet: Buffer } | { error: string } {
    const songs = this.core.songs();
    const json = JSON.stringify(songs);
    const packet = encodeReply(OSC.songsGetList, [json]);
    const tooBig =
      json.length > MAX_JSON
        ? `${json.length} characters of JSON, more than a JSON argument may hold (${MAX_JSON})`
        : packet.length > MAX_OSC_PACKET_BYTES
          ? `${packet.length} bytes, more than one OSC packet may hold (MAX_OSC_PACKET_BYTES = ${MAX_OSC_PACKET_BYTES})`
          : null;
    if (tooBig === null) return { packet };
    return { error: `the song list of this set (${songs.length} songs) is ${tooBig}: LiveBlend shows sets of at most a few hundred songs; split the show into several Live sets` };
  }

  private clickReply(): ReplyValues<typeof OSC.clickGetState> {
    const click = this.core.clickStatus();
    return [click.enabled ? 1 : 0, click.sounding ? 1 : 0, click.blocked];
  }

  private clickSetupReply(): ReplyValues<typeof OSC.clickGetSettings> {
    const setup = this.core.clickSetup();
    return [setup.levelDbfs, setup.subdivision, setup.beatsPerBar];
  }

  /** get/list and start_listen/list: a set too large for one packet is refused whole, listener and all. */
  private songListRoute(spec: OscAddressSpec, listen: boolean): Route {
    return {
      spec,
      run: (_args, from) => {
        const reply = this.songListReply();
        if ('error' in reply) throw new Error(reply.error);
        if (listen) this.listen(from, 'songs');
        return reply.packet;
      },
    };
  }

  private buildRoutes(): Route[] {
    const core = this.core;
    const state = () => core.showState;
    const listenRoute = <const R extends readonly OscArg[]>(spec: OscAddressSpec<readonly [], R>, topic: Topic, now: () => OscArgValues<R> | null) =>
      route(spec, (_args, from) => {
        this.listen(from, topic);
        return now();
      });
    const stopRoute = (spec: OscAddressSpec<readonly [], readonly []>, topic: Topic) =>
      route(spec, (_args, from) => {
        this.unlisten(from, topic);
        return null;
      });
    return [
      route(OSC.welcome, (_args, from) => {
        this.hub = { ...from, lastHeard: Date.now() };
        this.send(this.heartbeat(), this.hub);
        return null;
      }),
      route(OSC.ping, () => [this.options.deviceId]),
      route(OSC.songGetCurrent, () => this.songReply()),
      listenRoute(OSC.songStartListenCurrent, 'song', () => this.songReply()),
      stopRoute(OSC.songStopListenCurrent, 'song'),
      this.songListRoute(OSC.songsGetList, false),
      this.songListRoute(OSC.songsStartListenList, true),
      stopRoute(OSC.songsStopListenList, 'songs'),
      route(OSC.presetGetSong, ([song]) => this.presetReply(song)),
      route(OSC.presetSetSong, ([song, json]) => {
        core.setPreset(song, json);
        return this.presetReply(song);
      }),
      listenRoute(OSC.presetStartListenSong, 'preset', () => null),
      stopRoute(OSC.presetStopListenSong, 'preset'),
      route(OSC.showGetState, () => [JSON.stringify(state())]),
      route(OSC.showSetState, ([json]) => {
        core.replaceShowState(json);
        return [JSON.stringify(state())];
      }),
      route(OSC.targetGetLufs, () => [state().targetLufs]),
      route(OSC.targetSetLufs, ([lufs]) => {
        core.setTarget(lufs);
        return [lufs];
      }),
      listenRoute(OSC.targetStartListenLufs, 'target', () => [state().targetLufs]),
      stopRoute(OSC.targetStopListenLufs, 'target'),
      route(OSC.ceilingGetDbtp, () => [state().ceilingDbtp]),
      route(OSC.ceilingSetDbtp, ([dbtp]) => {
        core.setCeiling(dbtp);
        return [dbtp];
      }),
      listenRoute(OSC.ceilingStartListenDbtp, 'ceiling', () => [state().ceilingDbtp]),
      stopRoute(OSC.ceilingStopListenDbtp, 'ceiling'),
      route(OSC.roleGetName, () => [state().role]),
      route(OSC.roleSetName, ([role]) => {
        core.setRole(role);
        return [role];
      }),
      listenRoute(OSC.roleStartListenName, 'role', () => [state().role]),
      stopRoute(OSC.roleStopListenName, 'role'),
      route(OSC.fohGetOutputs, () => [JSON.stringify(state().fohOutputs)]),
      route(OSC.fohSetOutputs, ([json]) => {
        core.setFohOutputs(json);
        return [JSON.stringify(state().fohOutputs)];
      }),
      route(OSC.measurementGetSong, ([song]) => [song, JSON.stringify(core.measurements()[song] ?? null)]),
      route(OSC.measurementGetAll, () => [JSON.stringify(core.measurements())]),
      route(OSC.learnGetProposals, () => [JSON.stringify(core.learnProposals())]),
      route(OSC.learnSetApply, ([song]) => [JSON.stringify(core.applyLearned(song))]),
      listenRoute(OSC.meterStartListenLevels, 'meter', () => null),
      stopRoute(OSC.meterStopListenLevels, 'meter'),
      route(OSC.alarmGetState, () => [core.alarm.code, core.alarm.text]),
      listenRoute(OSC.alarmStartListenState, 'alarm', () => null),
      stopRoute(OSC.alarmStopListenState, 'alarm'),
      route(OSC.recallGetAlignBar, () => [state().alignRecallToBar ? 1 : 0]),
      route(OSC.recallSetAlignBar, ([on]) => {
        core.setAlignRecallToBar(on === 1);
        return [on];
      }),
      route(OSC.clickGetState, () => this.clickReply()),
      route(OSC.clickSetEnabled, ([enabled]) => {
        core.setClickEnabled(enabled === 1);
        return this.clickReply();
      }),
      route(OSC.clickGetSettings, () => this.clickSetupReply()),
      route(OSC.clickSetSettings, ([levelDbfs, subdivision, beatsPerBar]) => {
        core.setClickSetup({ levelDbfs, subdivision, beatsPerBar });
        return this.clickSetupReply();
      }),
    ];
  }
}
