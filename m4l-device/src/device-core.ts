import { parsePreset, type Preset } from '../../src/shared/preset';
import {
  ALARM_CODES,
  BAR_ALIGN_TOLERANCE_MS,
  fohOutputsSchema,
  type AlarmCode,
  type ClickSetup,
  type DeviceRole,
  type LearnProposal,
  type SetSong,
  type ShowState,
  type SongMeasurement,
} from '../../src/shared/osc-protocol';
import { presetWithControl, type ControlChange, type ControlKey, type PresetControlKey } from './device-controls';
import { learnProposals } from './learn';
import { ambienceSends, effectivePreset, type GenParams } from './recall';
import { setSongs } from './set-songs';
import { parseShowState } from './show-state-store';
import { SongLoudness, type MeterBlock, type MeterLevels } from './song-loudness';
import { SongResolver, type CuePoint, type CurrentSong } from './song-resolver';

/**
 * The device's brain, free of Max and sockets: it follows the show (song resolution), recalls
 * presets into the strip, measures each song, learns trims, guards the click route and keeps
 * the show state. Max messages come in through the methods below and go out through the
 * host's outlet; panels read and change it through the same methods the OSC endpoint calls.
 *
 * Every change is whole or nothing: requests parse first and throw before touching any state.
 */

export type MaxAtom = string | number;

export interface DeviceCoreHost {
  outlet(selector: string, ...args: MaxAtom[]): void;
  /** Called after every change of the show state, with the state to store in the Live set. */
  persist(state: ShowState): void;
}

export type DeviceChange =
  | { kind: 'song' }
  | { kind: 'preset'; song: string }
  | { kind: 'target' }
  | { kind: 'ceiling' }
  | { kind: 'role' }
  | { kind: 'alarm' }
  | { kind: 'click' }
  | { kind: 'align' }
  | { kind: 'state' }
  /** The track or set name changed, or the adapter reported them for the first time. */
  | { kind: 'identity' }
  /** The set's song list (setSongs) changed. */
  | { kind: 'songs' };

export interface Alarm {
  code: AlarmCode | '';
  text: string;
}

export interface ClickStatus {
  enabled: boolean;
  sounding: boolean;
  /** Why the click may not sound ("" when it may). */
  blocked: string;
}

export interface DeviceIdentity {
  trackIndex: number;
  trackName: string;
  setName: string;
  routing: string | null;
}

/** Time for bar-aligned recalls; tests pass a fake one. */
export interface CoreClock {
  /** Milliseconds on a clock that never jumps. */
  now(): number;
  /** Runs `run` once after `ms`; the returned function cancels it. */
  after(ms: number, run: () => void): () => void;
}

export const SYSTEM_CLOCK: CoreClock = {
  now: () => performance.now(),
  after: (ms, run) => {
    const timer = setTimeout(run, ms);
    return () => clearTimeout(timer);
  },
};

export interface DeviceCoreOptions {
  host: DeviceCoreHost;
  params: GenParams;
  /** The state restored from the Live set; defaults when absent. */
  state: ShowState;
  clock?: CoreClock;
}

/** A new song's recall held for the bar line at `barBeat` (alignRecallToBar). */
interface PendingRecall {
  barBeat: number;
  cancel(): void;
}

const NO_ALARM: Alarm = { code: '', text: '' };

export class DeviceCore {
  private state: ShowState;
  private stateRevision = 0;
  private readonly host: DeviceCoreHost;
  private readonly params: GenParams;
  private readonly clock: CoreClock;
  private readonly resolver = new SongResolver();
  private readonly loudness = new SongLoudness();
  private readonly listeners = new Set<(change: DeviceChange) => void>();
  private readonly sendsSet = new Set<string>();
  private sampleRate: number | null = null;
  /** The song whose run is open and whose preset is in force. */
  private songKey: string | null = null;
  private announced: CurrentSong = { key: null, name: '', source: 'none' };
  private wasMeasuring = false;
  private tempoBpm = 120;
  /** Quarter-note beats per bar (Live's song time and tempo count quarter notes): 4/4 until Live reports a signature. */
  private beatsPerBar = 4;
  /** The last song position Live reported, and when. */
  private songTimeAt: { beats: number; at: number } | null = null;
  private pendingRecall: PendingRecall | null = null;
  /** Recall and reset triggers sent; each must differ from the last. */
  private triggers = 0;
  /** Whether the strip's ready Param is 1: after the first recall, unless bypassed. */
  private stripReady = false;
  private recalled = false;
  private bypassed = false;
  /** The controls whose value Live restored at load has arrived (see controlChanged). */
  private readonly restored = new Set<ControlKey>();
  /** What each live.* control shows, as far as node knows (see controlChanged). */
  private readonly controls = new Map<ControlKey, number>();
  private alarmNow: Alarm = NO_ALARM;
  /** What the click kernel's click_on was last set to (it starts at 0: silent). */
  private clickOn = false;
  private liveReported = false;
  private trackReported = false;
  private songList: SetSong[] = [];
  readonly identity: DeviceIdentity = { trackIndex: -1, trackName: '', setName: '', routing: null };

  constructor(options: DeviceCoreOptions) {
    this.host = options.host;
    this.params = options.params;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.state = structuredClone(options.state);
  }

  /** Node is up: opens the patch's gate and shows what the restored state says. */
  start(): void {
    this.host.outlet('ready', 1);
    this.host.outlet('ui', 'role', this.state.role);
    this.host.outlet('ui', 'song', '');
    this.syncClick();
    this.checkClickRoute();
  }

  onChange(listener: (change: DeviceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- reads

  get showState(): ShowState {
    return structuredClone(this.state);
  }

  get revision(): number {
    return this.stateRevision;
  }

  get currentSong(): Readonly<CurrentSong> {
    return this.announced;
  }

  get playing(): boolean {
    return this.resolver.playing;
  }

  get currentSampleRate(): number | null {
    return this.sampleRate;
  }

  get alarm(): Alarm {
    return this.alarmNow;
  }

  get tempo(): number {
    return this.tempoBpm;
  }

  /** The [js] adapter is running and has reported the device's track: panels can tell this device apart. */
  get identityReported(): boolean {
    return this.liveReported && this.trackReported;
  }

  /** The set's songs in set order (setSongs), preset or not. */
  songs(): SetSong[] {
    return structuredClone(this.songList);
  }

  preset(song: string): { preset: Preset; stored: boolean } {
    const stored = this.state.presets[song];
    return { preset: stored ?? this.state.defaultPreset, stored: stored !== undefined };
  }

  measurements(): Record<string, SongMeasurement> {
    const all = { ...this.state.measurements };
    if (this.songKey !== null) {
      const live = this.loudness.summary(this.songKey, this.state.targetLufs);
      if (live) all[this.songKey] = live;
    }
    return all;
  }

  learnProposals(): LearnProposal[] {
    return learnProposals(this.measurements(), this.state.targetLufs);
  }

  meterLevels(): MeterLevels {
    return this.loudness.levels(this.resolver.measuring ? this.songKey : null);
  }

  clickSetup(): ClickSetup {
    return { ...this.state.click };
  }

  clickStatus(): ClickStatus {
    const blocked = this.clickBlockedReason();
    return { enabled: this.state.clickEnabled, sounding: this.state.clickEnabled && blocked === '', blocked };
  }

  // ---- from the [js] LiveAPI adapter and the patch

  liveReady(): void {
    this.host.outlet('ui', 'song', this.announced.name);
    const first = !this.liveReported;
    this.liveReported = true;
    if (first && this.identityReported) this.emit({ kind: 'identity' });
  }

  setSetName(name: string): void {
    if (name === this.identity.setName) return;
    this.identity.setName = name;
    this.emit({ kind: 'identity' });
  }

  /** The adapter re-sends the track whenever the set's tracks change; only a real change is news. */
  setTrack(index: number, name: string): void {
    const first = !this.trackReported;
    const renamed = name !== this.identity.trackName;
    this.trackReported = true;
    this.identity.trackIndex = index;
    this.identity.trackName = name;
    if ((first && this.identityReported) || renamed) this.emit({ kind: 'identity' });
  }

  setRouting(output: string): void {
    this.identity.routing = output;
    this.syncClick();
    this.checkClickRoute();
    this.emit({ kind: 'click' });
  }

  setScenes(names: readonly string[]): void {
    this.resolver.setScenes(names);
    this.followSong();
    this.updateSongList();
  }

  sceneTriggered(index: number): void {
    this.resolver.sceneTriggered(index);
    this.followSong();
  }

  playingSlot(track: number, slot: number): void {
    this.resolver.playingSlot(track, slot);
    this.followSong();
  }

  setTempo(bpm: number): void {
    this.anchorSongTime();
    this.tempoBpm = bpm;
    this.sendGen(this.params.clickTempoParams(bpm));
    this.schedulePendingRecall();
  }

  setSignature(numerator: number, denominator: number): void {
    this.beatsPerBar = (numerator * 4) / denominator;
  }

  setPlaying(running: boolean): void {
    this.anchorSongTime();
    this.resolver.setPlaying(running);
    this.followSong();
    if (!running) this.flushPendingRecall();
  }

  setSongTime(beats: number): void {
    this.songTimeAt = { beats, at: this.clock.now() };
    this.resolver.setSongTime(beats);
    this.followSong();
    this.schedulePendingRecall();
  }

  setCuePoints(cues: readonly CuePoint[]): void {
    this.resolver.setCuePoints(cues);
    this.followSong();
    this.updateSongList();
  }

  setSampleRate(hz: number): void {
    if (hz === this.sampleRate) return;
    // The kernels clear their state on a new rate; the strip then lands on the preset at once.
    const landAtOnce = this.sampleRate !== null;
    this.sampleRate = hz;
    this.sendGen(this.params.meterParams(hz));
    this.sendClickSetup();
    this.sendGen(this.params.clickTempoParams(this.tempoBpm));
    this.recall(landAtOnce);
    this.syncClick();
  }

  meter(block: MeterBlock): void {
    const measured = this.resolver.measuring ? this.songKey : null;
    if (!this.loudness.take(block, measured)) return;
    const levels = this.loudness.levels(measured);
    this.host.outlet('ui', 'integrated', levels.integrated);
    this.host.outlet('ui', 'short_term', levels.shortTerm);
    this.host.outlet('ui', 'gr', levels.compressorGr);
    this.host.outlet('ui', 'limiting', levels.limiterGr > 0 ? 1 : 0);
  }

  // ---- requests (patch controls and panels); each validates before it changes anything

  /**
   * A live.* control moved (`param`). Its first value after node starts is the value Live
   * restored at load — whether or not a recall has already shown a value on it — and a value
   * equal to what node last showed on it (`ui`, on every recall) is node's own update coming
   * back: neither is an edit. Any other value edits the current song's preset — or, before any
   * song, the default preset — stored, pushed and ramped like a preset set over OSC. Bypass is
   * not part of a preset: it follows the toggle, including the value restored at load.
   */
  controlChanged(change: ControlChange): void {
    const firstValue = !this.restored.has(change.key);
    const shown = this.controls.get(change.key);
    this.restored.add(change.key);
    this.controls.set(change.key, change.value);
    if (change.key === 'bypass') return this.setBypass(change.value === 1);
    if (firstValue || (shown !== undefined && sameParameterValue(shown, change.value))) return;
    const song = this.songKey;
    if (song === null) return this.setDefaultPreset(presetWithControl(this.state.defaultPreset, change.key, change.value));
    this.storePreset(song, presetWithControl(this.preset(song).preset, change.key, change.value));
  }

  setAlignRecallToBar(on: boolean): void {
    this.state.alignRecallToBar = on;
    if (!on) this.flushPendingRecall();
    this.commit({ kind: 'align' });
  }

  setRole(role: DeviceRole): void {
    if (role === this.state.role) return;
    this.state.role = role;
    this.host.outlet('ui', 'role', role);
    this.recall();
    this.syncClick();
    this.checkClickRoute();
    this.commit({ kind: 'role' });
  }

  setTarget(lufs: number): void {
    this.state.targetLufs = lufs;
    this.commit({ kind: 'target' });
  }

  setCeiling(dbtp: number): void {
    this.state.ceilingDbtp = dbtp;
    this.recall();
    this.commit({ kind: 'ceiling' });
  }

  setClickEnabled(enabled: boolean): void {
    this.state.clickEnabled = enabled;
    this.syncClick();
    this.commit({ kind: 'click' });
  }

  /** The click's level, grid and bar; a click device plays them from its next grid point. */
  setClickSetup(setup: ClickSetup): void {
    this.state.click = { ...setup };
    this.sendClickSetup();
    this.commit({ kind: 'click' });
  }

  /** `json`: a JSON array of output names. */
  setFohOutputs(json: string): void {
    const outputs = fohOutputsSchema.safeParse(parseJson(json, 'FOH outputs'));
    if (!outputs.success) throw new Error(`FOH outputs must be a JSON array of output names (at most 64, each 1–128 characters), e.g. ["Master","1/2"]`);
    this.state.fohOutputs = outputs.data;
    this.syncClick();
    this.checkClickRoute();
    this.commit({ kind: 'click' });
  }

  /** Stores a song's preset; a bad one throws with every problem listed and changes nothing. */
  setPreset(song: string, json: string): void {
    this.storePreset(song, parsePreset(parseJson(json, 'preset')));
  }

  /** Replaces the whole show state (a panel's resync). */
  replaceShowState(json: string): void {
    const next = parseShowState(json);
    const trimBefore = this.trimInForce();
    this.state = next;
    this.host.outlet('ui', 'role', next.role);
    this.presetInForceChanged(trimBefore);
    this.sendClickSetup();
    this.syncClick();
    this.checkClickRoute();
    this.commit({ kind: 'state' });
  }

  /** Applies learned trims to `song`, or to every song with a proposal when `song` is "". */
  applyLearned(song: string): Array<{ song: string; trimDb: number }> {
    const proposals = this.learnProposals().filter((p) => song === '' || p.song === song);
    if (proposals.length === 0) {
      throw new Error(song === '' ? 'no song has been measured long enough to learn from: play each song for at least 30 s first' : `no learned trim for "${song}": play it for at least 30 s first`);
    }
    const trimBefore = this.trimInForce();
    for (const p of proposals) this.state.presets[p.song] = { ...this.preset(p.song).preset, trimDb: p.proposedTrimDb };
    if (this.songKey !== null && proposals.some((p) => p.song === this.songKey)) this.presetInForceChanged(trimBefore);
    this.commit({ kind: 'state' });
    return proposals.map((p) => ({ song: p.song, trimDb: p.proposedTrimDb }));
  }

  // ---- inside

  private followSong(): void {
    const song = this.resolver.current;
    if (song.key !== this.songKey) {
      this.closeRun();
      this.songKey = song.key;
      if (song.key !== null) this.loudness.startRun(song.key, this.trimInForce());
      this.recallNewSong();
    }
    if (song.key !== this.announced.key || song.name !== this.announced.name || song.source !== this.announced.source) {
      this.announced = { ...song };
      this.host.outlet('ui', 'song', song.name);
      this.emit({ kind: 'song' });
    }
    const measuring = this.resolver.measuring;
    // A pause (transport stop, interlude) is a natural point to save the song's measurement.
    if (this.wasMeasuring && !measuring) this.saveRun();
    if (measuring !== this.wasMeasuring) this.emit({ kind: 'song' });
    this.wasMeasuring = measuring;
  }

  private closeRun(): void {
    if (this.songKey !== null) this.saveRun();
  }

  private saveRun(): void {
    if (this.songKey === null) return;
    const summary = this.loudness.summary(this.songKey, this.state.targetLufs);
    if (!summary || summary.seconds === 0) return;
    this.state.measurements[this.songKey] = summary;
    this.commit(null);
  }

  private storePreset(song: string, preset: Preset): void {
    const trimBefore = this.trimInForce();
    this.state.presets[song] = preset;
    if (song === this.songKey) this.presetInForceChanged(trimBefore);
    this.commit({ kind: 'preset', song });
  }

  /** Before any song the strip plays the default preset, so editing it is heard at once. */
  private setDefaultPreset(preset: Preset): void {
    this.state.defaultPreset = preset;
    this.recall();
    this.commit({ kind: 'state' });
  }

  /** Ramps to the preset now in force. A measurement belongs to one trim: when the current song's trim moves, its run starts again. */
  private presetInForceChanged(trimBefore: number): void {
    const song = this.songKey;
    if (song !== null && this.trimInForce() !== trimBefore && this.loudness.hasRun(song)) this.loudness.startRun(song, this.trimInForce());
    this.recall();
  }

  private presetInForce(): Preset {
    const stored = this.songKey === null ? undefined : this.state.presets[this.songKey];
    return effectivePreset(this.state.role, stored ?? this.state.defaultPreset, this.state.ceilingDbtp);
  }

  private trimInForce(): number {
    return this.presetInForce().trimDb;
  }

  private setBypass(on: boolean): void {
    this.bypassed = on;
    this.syncReady();
  }

  /**
   * The strip's ready Param: 0 plays the built-in unready state (unity, EQ and compressor out,
   * limiter in), which is also Bypass; 1 ramps to the staged preset. Triggers sent while it is
   * 0 are held by the kernel, so a bypassed strip comes back on the preset now in force.
   */
  private syncReady(): void {
    const ready = this.recalled && !this.bypassed;
    if (ready === this.stripReady) return;
    this.stripReady = ready;
    this.sendGen(this.params.readyParams(ready));
  }

  private sendGen(params: Array<[string, number]>): void {
    for (const [name, value] of params) this.host.outlet('gen', name, value);
  }

  /** The click kernel's sound for the running rate (it needs the rate: pitches and envelope are in samples). */
  private sendClickSetup(): void {
    if (this.sampleRate !== null) this.sendGen(this.params.clickParams(this.state.click, this.sampleRate));
  }

  /**
   * Switches the click kernel on exactly when clickStatus says it may sound: a click device,
   * switched on, on a known route that is not FOH, and its sound already sent for the running
   * rate. Every change that could refuse the click calls this before it raises the alarm, so the
   * click is already muted when the alarm shows.
   */
  private syncClick(): void {
    const on = this.sampleRate !== null && this.clickStatus().sounding;
    if (on === this.clickOn) return;
    this.clickOn = on;
    this.sendGen(this.params.clickOnParams(on));
  }

  // ---- bar alignment

  /** Where Live plays now, from its last report moved on by the tempo while the transport runs. */
  private songPosition(): number | null {
    const last = this.songTimeAt;
    if (last === null) return null;
    if (!this.resolver.playing) return last.beats;
    return last.beats + ((this.clock.now() - last.at) * this.tempoBpm) / 60_000;
  }

  /** Before the tempo or the transport changes, so the position keeps counting from where it is. */
  private anchorSongTime(): void {
    const beats = this.songPosition();
    if (beats !== null) this.songTimeAt = { beats, at: this.clock.now() };
  }

  /** A new song: its preset at once, or at the next bar line when the show aligns recalls and Live plays. */
  private recallNewSong(): void {
    const barBeat = this.state.alignRecallToBar && this.resolver.playing ? this.nextBarLine() : null;
    if (barBeat === null) return this.recall();
    // A second song before the bar replaces the first: only the song current at the bar is recalled.
    this.pendingRecall?.cancel();
    this.pendingRecall = { barBeat, cancel: () => undefined };
    this.schedulePendingRecall();
  }

  /** The beat of the next bar line, or null when the recall should not wait (position unknown, or just past a bar line). */
  private nextBarLine(): number | null {
    const beat = this.songPosition();
    if (beat === null) return null;
    const sinceBar = ((beat % this.beatsPerBar) + this.beatsPerBar) % this.beatsPerBar;
    if ((sinceBar * 60_000) / this.tempoBpm <= BAR_ALIGN_TOLERANCE_MS) return null;
    return beat - sinceBar + this.beatsPerBar;
  }

  /** (Re)arms the timer for the waiting recall from the latest position and tempo. */
  private schedulePendingRecall(): void {
    const pending = this.pendingRecall;
    if (pending === null) return;
    pending.cancel();
    const beat = this.songPosition() ?? pending.barBeat;
    // Live looped or jumped back: wait for the bar line after the new position instead.
    if (pending.barBeat - beat > this.beatsPerBar) pending.barBeat = this.nextBarLine() ?? beat;
    const ms = ((pending.barBeat - beat) * 60_000) / this.tempoBpm;
    if (ms <= 0) return this.flushPendingRecall();
    pending.cancel = this.clock.after(ms, () => this.flushPendingRecall());
  }

  private flushPendingRecall(): void {
    if (this.pendingRecall !== null) this.recall();
  }

  /**
   * Sends the strip the current song's preset (the default before any song) and the trigger that
   * makes the kernel move to it, ramped over the preset's ramp. The first recall also sets the
   * strip's ready Param (unless Bypass is on), which ramps it from its built-in default: a device
   * loaded mid-show fades into its preset instead of jumping.
   */
  private recall(landAtOnce = false): void {
    // Whatever recalls now also lands the song a bar-aligned recall was waiting for.
    this.pendingRecall?.cancel();
    this.pendingRecall = null;
    if (this.sampleRate === null) return;
    const preset = this.presetInForce();
    for (const [name, value] of this.params.stripParams(preset, this.sampleRate, preset.rampMs)) this.host.outlet('gen', name, value);
    this.triggers++;
    const [trigger, sequence] = landAtOnce ? this.params.resetTrigger(this.triggers) : this.params.recallTrigger(this.triggers);
    this.host.outlet('gen', trigger, sequence);
    this.recalled = true;
    this.syncReady();
    for (const [name, db] of ambienceSends(preset, this.sendsSet)) {
      this.host.outlet('js', 'send_level', name, db);
      if (db === '-inf') this.sendsSet.delete(name);
      else this.sendsSet.add(name);
    }
    this.showControls(preset);
  }

  /** Every preset control shows the recalled preset, so no dial keeps the previous song's value. */
  private showControls(preset: Preset): void {
    const shown: Array<[PresetControlKey, number]> = [
      ['trim', preset.trimDb],
      ...preset.eq.map((band, k): [PresetControlKey, number] => [`eq${k + 1}_gain` as PresetControlKey, band.gainDb]),
      ['ceiling', preset.limiter.ceilingDbtp],
    ];
    for (const [key, value] of shown) {
      this.host.outlet('ui', key, value);
      this.controls.set(key, value);
    }
  }

  private updateSongList(): void {
    const next = setSongs(this.resolver.scenes, this.resolver.cuePoints);
    if (JSON.stringify(next) === JSON.stringify(this.songList)) return;
    this.songList = next;
    this.emit({ kind: 'songs' });
  }

  private clickBlockedReason(): string {
    if (this.state.role !== 'click') return `the device's role is ${this.state.role}: only a click device sounds the click`;
    const routing = this.identity.routing;
    if (routing === null) return "this track's output routing is not known yet";
    if (this.routesToFoh(routing)) return `this track goes to "${routing}", which feeds FOH: route the click track to the in-ear outputs`;
    return this.state.clickEnabled ? '' : 'the click is switched off';
  }

  private routesToFoh(routing: string): boolean {
    const output = routing.trim().toLowerCase();
    return this.state.fohOutputs.some((name) => name.trim().toLowerCase() === output);
  }

  private checkClickRoute(): void {
    const routing = this.identity.routing;
    const wrong = this.state.role === 'click' && routing !== null && this.routesToFoh(routing);
    const next: Alarm = wrong
      ? { code: ALARM_CODES[0], text: `Click routed to FOH ("${routing}"): the click is muted. Route the click track to the in-ear outputs.` }
      : NO_ALARM;
    if (next.code === this.alarmNow.code && next.text === this.alarmNow.text) return;
    this.alarmNow = next;
    this.host.outlet('ui', 'alarm', next.text);
    this.emit({ kind: 'alarm' });
  }

  private commit(change: DeviceChange | null): void {
    this.stateRevision++;
    this.host.persist(structuredClone(this.state));
    this.host.outlet('state', this.stateRevision);
    if (change) this.emit(change);
  }

  private emit(change: DeviceChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/**
 * Live keeps parameter values in single precision: a value node showed comes back as its
 * nearest float32 (a learned trim of -3.1234567 dB returns as -3.12345671…), which is not an edit.
 */
function sameParameterValue(shown: number, reported: number): boolean {
  return Math.fround(shown) === Math.fround(reported);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not valid JSON (${(error as Error).message})`);
  }
}
