import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LoudnessMeter, type LoudnessMeasurement } from '../../src/dsp/loudness';
import type { DeviceRole } from '../../src/shared/osc-protocol';
import type { TransportAt } from './click-model';
import { DevicePatch, SNAPSHOT_INTERVAL_MS } from './device-patch';
import { joinLink, type LinkPeer } from './link-peer';
import { LiveSet, type TrackSpec } from './live-model';
import { demoSongs, SongSource, type SongSpec } from './songs';

/**
 * The rig: a simulated Live set with LiveBlend devices on its tracks, playing generated songs.
 * Each device runs the built node.script bundle unchanged in its own process (node-script-host),
 * its patch modelled by device-patch.ts, its Live seen through the real [js] adapter. Time moves
 * in 20 ms ticks (snapshot~'s poll): Live advances, audio is rendered and processed, meters go
 * to node, and the rig waits until every node has handled what it was sent, so message order
 * and timing in simulated time are the same at any speed. At speed 1 ticks are paced to the
 * wall clock; above it they run as fast as the CPU allows, up to `speed` × real time.
 */

export const DEVICE_SCRIPT = fileURLToPath(new URL('../dist/liveblend-device.js', import.meta.url));

export interface RigDevice {
  id: string;
  role: DeviceRole;
  /** The track it sits on: "Tracks", "Click", "IEM Mix", the "Ambience" return, or a stem track of its own (created on demand). */
  track: string;
}

export interface RigOptions {
  devices?: RigDevice[];
  /** 1: real time; higher runs faster (Infinity: as fast as the CPU allows). */
  speed?: number;
  discoveryPort?: number;
  /** Join Ableton Link as Live does (off unless asked: tests that do not need it skip it). */
  link?: boolean;
  songs?: SongSpec[];
  sampleRate?: number;
  tempo?: number;
  /** Launch the songs one after another by themselves, looping (the demo). */
  autoplay?: boolean;
  /** The device bundle (default m4l-device/dist/liveblend-device.js). */
  script?: string;
  onPost?: (device: string, level: string, text: string) => void;
  /** Every block of each device's output, with Live's beat at its first sample (tests listen here). */
  onOutput?: (device: string, output: readonly Float32Array[], frames: number, transport: TransportAt) => void;
}

export interface SongPlay {
  device: string;
  song: string;
  measurement: LoudnessMeasurement;
}

export const DEFAULT_DEVICES: readonly RigDevice[] = [
  { id: 'foh', role: 'bus', track: 'Tracks' },
  { id: 'click', role: 'click', track: 'Click' },
  { id: 'iem', role: 'iem', track: 'IEM Mix' },
];

/** The scene between songs: no clips, not a song (DESIGN §4: "—" does the right thing). */
export const BREAK_SCENE = '—';

const TICK_SECONDS = SNAPSHOT_INTERVAL_MS / 1000;

export class Rig {
  readonly set: LiveSet;
  readonly devices = new Map<string, DevicePatch>();
  readonly sampleRate: number;
  readonly songs: SongSpec[];
  private readonly speed: number;
  private readonly autoplay: boolean;
  private readonly tickFrames: number;
  private timeMs = 0;
  private closed = false;
  private loop: Promise<void> | null = null;
  private wallStart = 0;
  private simAtWallStart = 0;
  private source: SongSource | null = null;
  private sourceScene = -1;
  private readonly songBuffer: Float32Array[];
  private readonly silence: Float32Array[];
  private readonly outputBuffer: Float32Array[];
  private readonly meters = new Map<string, LoudnessMeter>();
  private readonly plays: SongPlay[] = [];
  private playlist: number[] = [];
  private playlistDone: (() => void) | null = null;
  private link: LinkPeer | null = null;
  private tickWaiters: (() => void)[] = [];
  private readonly onOutput: RigOptions['onOutput'];

  constructor(options: RigOptions = {}) {
    this.sampleRate = options.sampleRate ?? 48000;
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError(`rig: speed ${this.speed} must be above 0`);
    this.autoplay = options.autoplay ?? false;
    this.songs = options.songs ?? demoSongs();
    this.tickFrames = Math.round(this.sampleRate * TICK_SECONDS);
    const songScenes = this.songs.map((_, i) => i);
    const scenes = [...this.songs.map((s) => s.scene), BREAK_SCENE];
    const tempo = options.tempo ?? 120;
    const tracks: TrackSpec[] = [
      { name: 'Tracks', routing: 'Master', clipScenes: songScenes },
      { name: 'Click', routing: 'Ext. Out 3/4', clipScenes: songScenes },
      { name: 'IEM Mix', routing: 'Ext. Out 5/6', clipScenes: songScenes },
    ];
    // A device on any other track (stems: "Keys", "Pads", …) gets that track, playing every song to FOH.
    for (const device of options.devices ?? DEFAULT_DEVICES) {
      if (!tracks.some((t) => t.name === device.track) && device.track !== 'Ambience') tracks.push({ name: device.track, routing: 'Master', clipScenes: songScenes });
    }
    let start = 0;
    const cuePoints = this.songs.map((s) => {
      const cue = { name: s.scene, time: start };
      start += Math.ceil((s.seconds * tempo) / 60 / 4) * 4;
      return cue;
    });
    this.set = new LiveSet({ name: 'LiveBlend Demo', tempo, scenes, tracks, returns: [{ name: 'Ambience', routing: 'Master', clipScenes: [] }], cuePoints });
    this.songBuffer = [new Float32Array(this.tickFrames), new Float32Array(this.tickFrames)];
    this.silence = [new Float32Array(this.tickFrames), new Float32Array(this.tickFrames)];
    this.outputBuffer = [new Float32Array(this.tickFrames), new Float32Array(this.tickFrames)];

    this.onOutput = options.onOutput;
    const script = options.script ?? DEVICE_SCRIPT;
    // dist/ holds a package.json saying "commonjs", so node loads the bundle from there as Max does.
    if (!existsSync(script)) throw new Error(`rig: the device bundle ${script} does not exist: run \`npm run build:device\` first`);
    const env = { ...process.env, ...(options.discoveryPort === undefined ? {} : { LIVEBLEND_DISCOVERY_PORT: String(options.discoveryPort) }) };
    for (const device of options.devices ?? DEFAULT_DEVICES) {
      const track = this.set.trackNamed(device.track);
      if (!track) throw new Error(`rig: device '${device.id}' is on track '${device.track}', which the set does not have (${this.set.tracks.map((t) => t.get('name')).join(', ')})`);
      if (this.devices.has(device.id)) throw new Error(`rig: two devices are called '${device.id}'`);
      this.devices.set(
        device.id,
        new DevicePatch({ id: device.id, role: device.role, set: this.set, track, sampleRate: this.sampleRate, maxBlockFrames: this.tickFrames, script, env, now: () => this.timeMs, onPost: options.onPost }),
      );
    }
    if (options.link) this.link = joinLink(this.set);
  }

  /** Simulated time since the rig started, ms. */
  get nowMs(): number {
    return this.timeMs;
  }

  /** Starts every device and the clock; with autoplay, the first song is launched at once. */
  start(): this {
    for (const device of this.devices.values()) device.start();
    this.wallStart = performance.now();
    this.simAtWallStart = this.timeMs;
    this.loop = this.run();
    if (this.autoplay) this.set.launchScene(0);
    return this;
  }

  device(id: string): DevicePatch {
    const device = this.devices.get(id);
    if (!device) throw new Error(`rig: no device '${id}' (have ${[...this.devices.keys()].join(', ')})`);
    return device;
  }

  launchScene(index: number): void {
    this.set.launchScene(index);
  }

  setTempo(bpm: number): void {
    this.set.setTempo(bpm);
  }

  play(): void {
    this.set.play();
  }

  stop(): void {
    this.set.stop();
  }

  /** node.script's process of one device ends; the device keeps passing audio at its safe default. */
  async stopDevice(id: string): Promise<void> {
    await this.device(id).stopNode();
  }

  /** Starts a device's node.script again, as reopening the set does: it reads its saved dict. */
  async restartDevice(id: string): Promise<void> {
    const device = this.device(id);
    await device.stopNode();
    device.start();
  }

  /**
   * Plays songs (by index) one after another, each launched a bar before the previous ends,
   * and resolves when the last has ended (the transport then stops).
   */
  playSongs(indices: readonly number[]): Promise<void> {
    if (indices.length === 0) return Promise.resolve();
    this.playlist = indices.slice(1);
    this.set.launchScene(indices[0]);
    return new Promise((resolve) => {
      this.playlistDone = resolve;
    });
  }

  /** Resolves after `seconds` of simulated time. */
  async runFor(seconds: number): Promise<void> {
    const until = this.timeMs + seconds * 1000;
    while (this.timeMs < until && !this.closed) await this.nextTick();
  }

  /** Resolves when `check` holds, testing after every tick; rejects after `timeoutMs` of wall time. */
  async waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!check()) {
      if (performance.now() > deadline) throw new Error(`rig: timed out after ${timeoutMs} ms waiting for ${what}`);
      await this.nextTick();
    }
  }

  /** Loudness at each device's output, per song played (the latest play of each song last). */
  outputMeasurements(): SongPlay[] {
    return [...this.plays];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.loop;
    await this.link?.leave();
    this.link = null;
    await Promise.all([...this.devices.values()].map((d) => d.remove()));
    for (const waiter of this.tickWaiters.splice(0)) waiter();
  }

  private nextTick(): Promise<void> {
    return new Promise((resolve) => this.tickWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      await this.tick();
      for (const waiter of this.tickWaiters.splice(0)) waiter();
      await this.pace();
    }
  }

  private async tick(): Promise<void> {
    let done = 0;
    while (done < this.tickFrames) {
      const secondsToLaunch = (this.set.beatsToLaunch() * 60) / this.set.tempo;
      const framesToLaunch = this.set.playing ? Math.ceil(secondsToLaunch * this.sampleRate - 1e-6) : Infinity;
      const n = Math.max(1, Math.min(this.tickFrames - done, framesToLaunch));
      const transport: TransportAt = { beat: this.set.songTime, tempo: this.set.tempo, playing: this.set.playing };
      this.set.advance(n / this.sampleRate);
      this.followScene();
      this.render(n, transport);
      done += n;
    }
    this.timeMs += SNAPSHOT_INTERVAL_MS;
    for (const device of this.devices.values()) device.poll();
    await Promise.all([...this.devices.values()].map((d) => d.sync()));
    this.advancePlaylist();
  }

  /** Starts the song of a scene that began playing, and closes the measurement of the one before. */
  private followScene(): void {
    const { scene } = this.set.nowPlaying;
    if (scene === this.sourceScene) return;
    this.finishMeasurements();
    this.sourceScene = scene;
    const spec = scene >= 0 ? this.songs[scene] : undefined;
    this.source = spec ? new SongSource(spec, this.sampleRate, this.set.tempo) : null;
    if (spec) for (const id of this.devices.keys()) this.meters.set(id, new LoudnessMeter({ sampleRate: this.sampleRate, channels: 2 }));
  }

  private render(frames: number, transport: TransportAt): void {
    const song = this.source;
    if (song) song.render(this.songBuffer, 0, frames);
    const silence = this.silence.map((b) => b.subarray(0, frames));
    const input = song ? this.songBuffer.map((b) => b.subarray(0, frames)) : silence;
    const output = this.outputBuffer.map((b) => b.subarray(0, frames));
    for (const device of this.devices.values()) {
      const playing = Number(device.track.get('playing_slot_index')) >= 0 && device.role !== 'click';
      device.process(playing ? input : silence, output, frames, transport);
      this.meters.get(device.id)?.process(output, frames);
      this.onOutput?.(device.id, output, frames, transport);
    }
  }

  private finishMeasurements(): void {
    const spec = this.sourceScene >= 0 ? this.songs[this.sourceScene] : undefined;
    if (!spec) return;
    for (const [device, meter] of this.meters) this.plays.push({ device, song: spec.scene, measurement: meter.finish() });
    this.meters.clear();
  }

  private advancePlaylist(): void {
    const source = this.source;
    if (!source || this.set.beatsToLaunch() !== Infinity) return;
    const barSeconds = (this.set.beatsPerBar * 60) / this.set.tempo;
    const next = this.playlist[0] ?? (this.autoplay ? (this.sourceScene + 1) % this.songs.length : undefined);
    if (next !== undefined && source.remaining / this.sampleRate <= barSeconds) {
      this.playlist.shift();
      this.set.launchScene(next);
    } else if (next === undefined && source.ended) {
      this.set.stop();
      this.followScene();
      const done = this.playlistDone;
      this.playlistDone = null;
      done?.();
    }
  }

  /** Keeps simulated time at most `speed` × wall time ahead. */
  private async pace(): Promise<void> {
    const due = this.wallStart + (this.timeMs - this.simAtWallStart) / this.speed;
    const wait = due - performance.now();
    await new Promise<void>((resolve) => (wait > 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
}

export function startRig(options: RigOptions = {}): Rig {
  return new Rig(options).start();
}
