/**
 * A small model of Ableton Live for the rig: the parts of the Live Object Model the device's [js]
 * adapter reads (m4l-device/live/liveblend-live.js), with Live's behaviour where the device
 * depends on it — scene launches quantised to the next bar (is_triggered goes to 1 at once, the
 * tracks' playing_slot_index moves on the bar, then is_triggered drops), a launch while stopped
 * starting the transport, stop clearing the playing slots, sends on a 0..1 knob with a dB law,
 * the time signature (bars of numerator × 4 / denominator quarter-note beats).
 *
 * The model is a tree of LiveObjects reached by LOM paths ("live_set scenes 3"); fake-live-api.ts
 * puts LiveAPI's interface on it, so the real adapter runs against it unchanged.
 */

export type LomValue = number | string;
type Observer = () => void;

export class LiveObject {
  private readonly values = new Map<string, LomValue>();
  private readonly observers = new Map<string, Set<Observer>>();
  readonly lists = new Map<string, LiveObject[]>();
  readonly children = new Map<string, LiveObject>();
  parent: LiveObject | null = null;

  constructor(
    readonly id: number,
    public path: string,
    readonly kind: string,
  ) {}

  get(property: string): LomValue | undefined {
    return this.values.get(property);
  }

  has(property: string): boolean {
    return this.values.has(property) || this.lists.has(property);
  }

  /** Sets a property and tells its observers, as Live does, only when the value changes. */
  set(property: string, value: LomValue): void {
    if (this.values.get(property) === value) return;
    this.values.set(property, value);
    this.notify(property);
  }

  notify(property: string): void {
    for (const observer of [...(this.observers.get(property) ?? [])]) observer();
  }

  observe(property: string, observer: Observer): () => void {
    let set = this.observers.get(property);
    if (!set) this.observers.set(property, (set = new Set()));
    set.add(observer);
    return () => set.delete(observer);
  }

  observerCount(): number {
    let count = 0;
    for (const set of this.observers.values()) count += set.size;
    return count;
  }
}

/** Live's send knob: 1.0 is 0 dB, 40 dB per unit down to −30 dB, then a steeper bend to −∞ at 0 (the shape Live shows). */
export function sendDbForValue(value: number): number {
  if (value <= 0) return -Infinity;
  if (value >= 0.25) return 40 * (value - 1);
  return -30 + 60 * Math.log10(value / 0.25);
}

export function formatSendDb(value: number): string {
  const db = sendDbForValue(value);
  return Number.isFinite(db) ? `${db.toFixed(1)} dB` : '-inf dB';
}

export interface TrackSpec {
  name: string;
  /** Output routing display name ("Master", "Ext. Out 3/4"). */
  routing: string;
  /** Scenes whose slot on this track holds a clip (the others are empty). */
  clipScenes: readonly number[];
}

export interface CuePointSpec {
  name: string;
  time: number;
}

export interface LiveSetSpec {
  name: string;
  tempo: number;
  scenes: readonly string[];
  tracks: readonly TrackSpec[];
  returns: readonly TrackSpec[];
  cuePoints?: readonly CuePointSpec[];
  /** Live's time signature; 4/4 unless given. */
  signature?: readonly [numerator: number, denominator: number];
}

/** A launch waiting for its bar. */
interface PendingLaunch {
  scene: number;
  atBeat: number;
}

export class LiveSet {
  readonly song: LiveObject;
  private nextId = 1;
  private readonly byId = new Map<number, LiveObject>();
  private pending: PendingLaunch | null = null;
  /** Track id → scenes whose slot on it holds a clip. */
  private readonly clips = new Map<number, readonly number[]>();
  /** The scene whose clips play, or −1; and the beat it started on. */
  private playingScene = -1;
  private sceneStartBeat = 0;

  constructor(spec: LiveSetSpec) {
    this.song = this.create('live_set', 'Song');
    this.song.set('name', spec.name);
    this.song.set('tempo', spec.tempo);
    const [numerator, denominator] = spec.signature ?? [4, 4];
    this.song.set('signature_numerator', numerator);
    this.song.set('signature_denominator', denominator);
    this.song.set('is_playing', 0);
    this.song.set('current_song_time', 0);
    this.song.lists.set(
      'scenes',
      spec.scenes.map((name, i) => {
        const scene = this.create(`live_set scenes ${i}`, 'Scene', this.song);
        scene.set('name', name);
        scene.set('is_triggered', 0);
        return scene;
      }),
    );
    const returns = spec.returns.map((r, i) => this.createTrack(`live_set return_tracks ${i}`, r, 0));
    this.song.lists.set('return_tracks', returns);
    this.song.lists.set(
      'tracks',
      spec.tracks.map((t, i) => this.createTrack(`live_set tracks ${i}`, t, returns.length)),
    );
    this.song.lists.set(
      'cue_points',
      (spec.cuePoints ?? []).map((c, i) => {
        const cue = this.create(`live_set cue_points ${i}`, 'CuePoint', this.song);
        cue.set('name', c.name);
        cue.set('time', c.time);
        return cue;
      }),
    );
  }

  object(id: number): LiveObject | undefined {
    return this.byId.get(id);
  }

  /** Observers registered anywhere in the set (a deleted device must leave none behind). */
  observerCount(): number {
    let count = 0;
    for (const object of this.byId.values()) count += object.observerCount();
    return count;
  }

  /** Resolves a LOM path ("live_set tracks 2 mixer_device sends 0", "... canonical_parent"). */
  resolve(path: string): LiveObject | undefined {
    const words = path.trim().split(/\s+/);
    if (words[0] !== 'live_set') return undefined;
    let at: LiveObject | undefined = this.song;
    for (let i = 1; i < words.length && at; i++) {
      const word = words[i];
      if (word === 'canonical_parent') {
        at = at.parent ?? undefined;
        continue;
      }
      const list = at.lists.get(word);
      if (list) {
        const index = Number(words[++i]);
        at = Number.isInteger(index) ? list[index] : undefined;
      } else {
        at = at.children.get(word);
      }
    }
    return at;
  }

  get tempo(): number {
    return this.song.get('tempo') as number;
  }

  /** Quarter-note beats per bar, from the time signature (launches wait for the next bar line). */
  get beatsPerBar(): number {
    return ((this.song.get('signature_numerator') as number) * 4) / (this.song.get('signature_denominator') as number);
  }

  setSignature(numerator: number, denominator: number): void {
    this.song.set('signature_numerator', numerator);
    this.song.set('signature_denominator', denominator);
  }

  get playing(): boolean {
    return this.song.get('is_playing') === 1;
  }

  get songTime(): number {
    return this.song.get('current_song_time') as number;
  }

  get sceneNames(): string[] {
    return this.scenes.map((s) => String(s.get('name')));
  }

  get scenes(): LiveObject[] {
    return this.song.lists.get('scenes') ?? [];
  }

  get tracks(): LiveObject[] {
    return this.song.lists.get('tracks') ?? [];
  }

  get returnTracks(): LiveObject[] {
    return this.song.lists.get('return_tracks') ?? [];
  }

  /** The scene whose clips are playing (−1: none), and beats since it started. */
  get nowPlaying(): { scene: number; beats: number } {
    return { scene: this.playingScene, beats: this.songTime - this.sceneStartBeat };
  }

  /** The track a device sits on, by track name (regular tracks first, then returns). */
  trackNamed(name: string): LiveObject | undefined {
    return [...this.tracks, ...this.returnTracks].find((t) => t.get('name') === name);
  }

  /** Adds a device to a track; its path is what `this_device` resolves to. */
  addDevice(track: LiveObject): LiveObject {
    const devices = track.lists.get('devices') ?? [];
    const device = this.create(`${track.path} devices ${devices.length}`, 'Device', track);
    devices.push(device);
    track.lists.set('devices', devices);
    return device;
  }

  setTempo(bpm: number): void {
    this.song.set('tempo', bpm);
  }

  play(): void {
    this.song.set('is_playing', 1);
  }

  /** Stops the transport; Live stops every clip with it. */
  stop(): void {
    this.pending = null;
    for (const scene of this.scenes) scene.set('is_triggered', 0);
    this.song.set('is_playing', 0);
    this.setPlayingScene(-1);
  }

  /**
   * Launches a scene: triggered at once, playing from the next bar. A launch while stopped
   * starts the transport and the scene together, as in Live.
   */
  launchScene(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.scenes.length) throw new RangeError(`no scene ${index}: the set has ${this.scenes.length}`);
    if (this.pending) this.scenes[this.pending.scene].set('is_triggered', 0);
    this.scenes[index].set('is_triggered', 1);
    if (!this.playing) {
      this.pending = null;
      this.song.set('is_playing', 1);
      this.startScene(index);
      return;
    }
    const bar = this.beatsPerBar;
    const atBeat = Math.floor(this.songTime / bar + 1e-9) * bar + bar;
    this.pending = { scene: index, atBeat };
  }

  /** Beats until the pending launch (Infinity when none): the rig stops its block there. */
  beatsToLaunch(): number {
    return this.pending ? this.pending.atBeat - this.songTime : Infinity;
  }

  /** Moves the transport on by `seconds`; a launch whose bar arrives starts exactly there. */
  advance(seconds: number): void {
    if (!this.playing) return;
    const next = this.songTime + (seconds * this.tempo) / 60;
    const pending = this.pending;
    if (pending && next >= pending.atBeat - 1e-9) {
      this.song.set('current_song_time', pending.atBeat);
      this.pending = null;
      this.startScene(pending.scene);
      return;
    }
    this.song.set('current_song_time', next);
  }

  private startScene(index: number): void {
    this.sceneStartBeat = this.songTime;
    this.setPlayingScene(index);
    this.scenes[index].set('is_triggered', 0);
  }

  private setPlayingScene(index: number): void {
    this.playingScene = index;
    for (const track of this.tracks) {
      const clips = this.clips.get(track.id) ?? [];
      track.set('playing_slot_index', index >= 0 && clips.includes(index) ? index : -1);
    }
  }

  private createTrack(path: string, spec: TrackSpec, sends: number): LiveObject {
    const track = this.create(path, 'Track', this.song);
    track.set('name', spec.name);
    track.set('playing_slot_index', -1);
    this.clips.set(track.id, spec.clipScenes);
    track.set('output_routing_type', JSON.stringify({ output_routing_type: { display_name: spec.routing, identifier: spec.routing } }));
    const mixer = this.create(`${path} mixer_device`, 'MixerDevice', track);
    track.children.set('mixer_device', mixer);
    mixer.lists.set(
      'sends',
      Array.from({ length: sends }, (_, i) => {
        const send = this.create(`${path} mixer_device sends ${i}`, 'DeviceParameter', mixer);
        send.set('value', 0);
        send.set('min', 0);
        send.set('max', 1);
        return send;
      }),
    );
    track.lists.set('devices', []);
    return track;
  }

  private create(path: string, kind: string, parent: LiveObject | null = null): LiveObject {
    const object = new LiveObject(this.nextId++, path, kind);
    object.parent = parent;
    this.byId.set(object.id, object);
    return object;
  }
}
