import type { BeatClock } from './beat-clock';
import { checkSampleRate, type Channel } from './processor';
import { dbToGain } from './units';

/**
 * The band's click for in-ear monitors: a short pitched blip on every beat (every eighth with
 * subdivision), the bar's downbeat higher, offbeats quieter. A sine burst with a 1 ms attack and
 * a 30 ms decay cuts through a loud IEM mix without the harshness of a noise click; 1.5 kHz and
 * 1 kHz sit above the kick and bass and below the cymbals.
 *
 * Each click starts on the first sample whose beat position reaches its grid point
 * (BeatClock.samplesUntil), so it is sample-accurate at any rate and follows tempo changes.
 */

export interface ClickSettings {
  /** Beats (quarter notes) per bar: the downbeat is accented every this many beats. */
  beatsPerBar: number;
  subdivision: 'quarter' | 'eighth';
  /** Peak level of a beat's click, dBFS. */
  levelDbfs: number;
  /** Bars of click before the song's first beat. */
  countInBars: number;
}

export const DEFAULT_CLICK: ClickSettings = Object.freeze({ beatsPerBar: 4, subdivision: 'quarter', levelDbfs: -12, countInBars: 1 });

export const ACCENT_HZ = 1500;
export const BEAT_HZ = 1000;
/** Offbeat eighths are this much quieter than beats so the pulse stays obvious. */
export const OFFBEAT_DB = -6;
/** The envelope's linear attack and cubic decay (the device's gen~ click kernel is designed from them). */
export const ATTACK_SECONDS = 0.001;
export const DECAY_SECONDS = 0.03;

/** Where to start the beat clock so `countInBars` bars of click lead into `songStartBeat`. */
export function countInStart(songStartBeat: number, settings: ClickSettings): number {
  return songStartBeat - settings.countInBars * settings.beatsPerBar;
}

export class Click {
  private sampleRate: number;
  private settings: ClickSettings;
  private level = 0;
  private attack = 0;
  private length = 0;
  /** The sounding click: samples since its onset (≥ length when silent), pitch and gain. */
  private age = Infinity;
  private omega = 0;
  private gain = 0;

  constructor(settings: ClickSettings, sampleRate: number) {
    checkSampleRate('click', sampleRate);
    this.sampleRate = sampleRate;
    this.settings = checkSettings(settings);
    this.derive();
  }

  setSettings(settings: ClickSettings): void {
    this.settings = checkSettings(settings);
    this.derive();
  }

  setSampleRate(sampleRate: number): void {
    checkSampleRate('click', sampleRate);
    this.sampleRate = sampleRate;
    this.derive();
    this.reset();
  }

  reset(): void {
    this.age = Infinity;
  }

  /**
   * Writes `frames` samples of click into every output channel for the beats `clock` reaches
   * in this block. Beat positions are measured from the bar line at beat 0. The caller
   * advances the clock afterwards, so several consumers can read the same clock.
   */
  process(clock: BeatClock, output: readonly Channel[], frames: number): void {
    if (output.length === 0) throw new RangeError('click: no output channel');
    for (const channel of output) {
      if (channel.length < frames) throw new RangeError(`click: every output channel must hold ${frames} frames`);
    }
    const step = this.settings.subdivision === 'eighth' ? 0.5 : 1;
    // The grid point at or before the next sample sounds now if its first sample is this one.
    let gridPoint = Math.floor(clock.position / step) * step;
    let onset = clock.samplesUntil(gridPoint);
    if (onset < 0) {
      gridPoint += step;
      onset = clock.samplesUntil(gridPoint);
    }
    // Grid points are at least 240 samples apart (an eighth at 999 BPM and 8 kHz), so each
    // pass of the loop moves on.
    let i = 0;
    while (i < frames) {
      if (onset === i) {
        this.start(gridPoint);
        gridPoint += step;
        onset = clock.samplesUntil(gridPoint);
      }
      const end = Math.min(frames, onset);
      this.render(output, i, end);
      i = end;
    }
  }

  private start(gridPoint: number): void {
    const { beatsPerBar } = this.settings;
    const isBeat = Number.isInteger(gridPoint);
    const inBar = ((gridPoint % beatsPerBar) + beatsPerBar) % beatsPerBar;
    const accent = isBeat && inBar === 0;
    this.omega = (2 * Math.PI * (accent ? ACCENT_HZ : BEAT_HZ)) / this.sampleRate;
    this.gain = isBeat ? this.level : this.level * dbToGain(OFFBEAT_DB);
    this.age = 0;
  }

  /**
   * One click, sample m at t = m + ½ (samples): a linear attack to 1 at ATTACK, then
   * (1 − decay fraction)³, which ends at zero with zero slope so the tail cannot tick. The tone's
   * crest meets the envelope's peak, so the click peaks at its level; the onset sample itself is
   * already non-zero, which is what makes the onset observable to the sample.
   */
  private render(output: readonly Channel[], from: number, to: number): void {
    const { attack, length, omega, gain } = this;
    const decay = length - attack;
    const first = output[0];
    let age = this.age;
    for (let i = from; i < to; i++, age++) {
      let value = 0;
      if (age < length) {
        const t = age + 0.5;
        const envelope = t < attack ? t / attack : (1 - (t - attack) / decay) ** 3;
        value = gain * envelope * Math.cos(omega * (t - attack));
      }
      first[i] = value;
    }
    this.age = age;
    for (let c = 1; c < output.length; c++) {
      const y = output[c];
      for (let i = from; i < to; i++) y[i] = first[i];
    }
  }

  private derive(): void {
    this.level = dbToGain(this.settings.levelDbfs);
    this.attack = ATTACK_SECONDS * this.sampleRate;
    this.length = (ATTACK_SECONDS + DECAY_SECONDS) * this.sampleRate;
  }
}

function checkSettings(settings: ClickSettings): ClickSettings {
  const { beatsPerBar, subdivision, levelDbfs, countInBars } = settings;
  if (!Number.isInteger(beatsPerBar) || beatsPerBar < 1 || beatsPerBar > 16) throw new RangeError(`click: ${beatsPerBar} beats per bar is outside 1–16`);
  if (subdivision !== 'quarter' && subdivision !== 'eighth') throw new RangeError(`click: subdivision "${String(subdivision)}" is not quarter or eighth`);
  if (!Number.isFinite(levelDbfs) || levelDbfs > 0 || levelDbfs < -60) throw new RangeError(`click: level ${levelDbfs} dBFS is outside −60 to 0`);
  if (!Number.isInteger(countInBars) || countInBars < 0 || countInBars > 8) throw new RangeError(`click: ${countInBars} count-in bars is outside 0–8`);
  return { ...settings };
}
