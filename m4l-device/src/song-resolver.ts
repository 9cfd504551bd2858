import { songKeyFromName } from './song-key';

/**
 * Which song is playing, from what the LiveAPI adapter reports.
 *
 * Scene mode: a launch is pending from `scene_triggered` until a track's playing slot reaches
 * that scene (Live starts it on its launch quantisation), so a launch cancelled by another one
 * before the bar never recalls anything. Locator mode, for arrangement sets: the song is the
 * last cue point at or before the play position; it applies while no session clip plays.
 *
 * What a playback engineer expects at the edges:
 * - Transport stops: the song stays current (its preset stays in force), measuring pauses.
 * - The same scene launched again, or another scene of the same song: no recall, and the song's
 *   measurement continues — a relaunch is a restart of the same music, not a new song.
 * - A non-song scene or locator ("—", empty name): the previous song's preset stays in force, so
 *   an interlude or a talk never jumps in level, but measuring pauses so the interlude does not
 *   count toward the song's loudness. Before any song, nothing is current.
 */

export type SongSource = 'scene' | 'locator' | 'none';

export interface CurrentSong {
  /** null until the first song starts. */
  key: string | null;
  /** The scene or locator name the song came from. */
  name: string;
  source: SongSource;
}

export interface CuePoint {
  name: string;
  /** Beats. */
  time: number;
}

/** Song time is reported as floats; a cue point at the play position counts as reached. */
const CUE_EPSILON_BEATS = 1e-6;

export class SongResolver {
  private sceneNames: readonly string[] = [];
  private cues: readonly CuePoint[] = [];
  private readonly playingSlots = new Map<number, number>();
  private pendingScene: number | null = null;
  private confirmedScene: number | null = null;
  private songTimeBeats = 0;
  private transportRunning = false;
  private inSong = false;
  private song: CurrentSong = { key: null, name: '', source: 'none' };

  get current(): Readonly<CurrentSong> {
    return this.song;
  }

  get playing(): boolean {
    return this.transportRunning;
  }

  /** Loudness of what plays now belongs to the current song. */
  get measuring(): boolean {
    return this.transportRunning && this.inSong && this.song.key !== null;
  }

  get beats(): number {
    return this.songTimeBeats;
  }

  get scenes(): readonly string[] {
    return this.sceneNames;
  }

  /** In time order. */
  get cuePoints(): readonly CuePoint[] {
    return this.cues;
  }

  setScenes(names: readonly string[]): void {
    this.sceneNames = [...names];
    // A renamed playing scene is re-read: fixing a scene's name mid-show should take effect.
    if (this.confirmedScene !== null && this.song.source === 'scene') this.enterScene(this.confirmedScene);
  }

  sceneTriggered(index: number): void {
    if (index === this.confirmedScene) {
      // Relaunching the playing scene: its slots do not change, so there is nothing to wait for.
      this.pendingScene = null;
      return;
    }
    this.pendingScene = index;
  }

  playingSlot(track: number, slot: number): void {
    this.playingSlots.set(track, slot);
    const pending = this.pendingScene;
    if (pending === null) return;
    // A scene with no clips (the usual "—" separator) starts by stopping tracks, never by playing its own slot.
    const emptySeparator = this.keyOfScene(pending) === null && slot < 0;
    if (slot === pending || emptySeparator) {
      this.pendingScene = null;
      this.confirmedScene = pending;
      this.enterScene(pending);
    }
  }

  setPlaying(running: boolean): void {
    this.transportRunning = running;
  }

  setCuePoints(cues: readonly CuePoint[]): void {
    this.cues = [...cues].sort((a, b) => a.time - b.time);
    if (this.followsArrangement()) this.enterCueAt(this.songTimeBeats);
  }

  setSongTime(beats: number): void {
    this.songTimeBeats = beats;
    if (this.followsArrangement()) this.enterCueAt(beats);
  }

  /** The arrangement decides the song when cue points exist and no session clip is playing. */
  private followsArrangement(): boolean {
    if (this.cues.length === 0) return false;
    for (const slot of this.playingSlots.values()) if (slot >= 0) return false;
    return true;
  }

  private enterCueAt(beats: number): void {
    let cue: CuePoint | undefined;
    for (const candidate of this.cues) {
      if (candidate.time <= beats + CUE_EPSILON_BEATS) cue = candidate;
      else break;
    }
    this.confirmedScene = null;
    this.enter(cue?.name ?? null, 'locator');
  }

  private enterScene(index: number): void {
    this.enter(this.sceneNames[index] ?? null, 'scene');
  }

  private enter(name: string | null, source: SongSource): void {
    const key = name === null ? null : songKeyFromName(name);
    if (key === null) {
      this.inSong = false;
      return;
    }
    this.inSong = true;
    this.song = { key, name: name ?? '', source };
  }

  private keyOfScene(index: number): string | null {
    const name = this.sceneNames[index];
    return name === undefined ? null : songKeyFromName(name);
  }
}
