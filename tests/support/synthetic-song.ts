import { prng } from './ebu-signals';

/**
 * A deterministic "backing track" for chain, render and benchmark runs: kick, snare and hats
 * (decaying noise bursts and pitched sweeps), a bass line and stereo pad chords, arranged in
 * sections with real dynamics — a quiet intro, verse, loud chorus, breakdown, last chorus — so
 * the loudness gate, LRA, compressor and limiter all have work. Unmastered: drum hits stick out
 * well above the body of the mix, as they do in stems bounced without a limiter.
 */

export interface SongOptions {
  sampleRate: number;
  seconds: number;
  channels?: 1 | 2;
  seed?: number;
  /** Overall gain in dB applied to the mix (default 0: drum peaks near −1 dBFS, body around −16 LUFS). */
  gainDb?: number;
}

const TEMPO_BPM = 120;
/** Puts the loudest drum hits just under full scale. */
const MIX_LEVEL = 0.56;
/** Chord roots (Hz) per bar: a four-bar loop. */
const ROOTS = [55, 43.65, 49, 41.2];
/** Pad voicing above each root, in semitones. */
const PAD_INTERVALS = [12, 19, 24, 28];

interface Section {
  untilBar: number;
  drums: number;
  bass: number;
  pad: number;
}

const SECTIONS: Section[] = [
  { untilBar: 2, drums: 0, bass: 0, pad: 0.5 },
  { untilBar: 4, drums: 0.6, bass: 0.6, pad: 0.4 },
  { untilBar: 7, drums: 1, bass: 1, pad: 1 },
  { untilBar: 8, drums: 0.2, bass: 0.3, pad: 0.6 },
  { untilBar: Infinity, drums: 1, bass: 1, pad: 1 },
];

export function syntheticSong(options: SongOptions): Float32Array[] {
  const { sampleRate, seconds } = options;
  const channels = options.channels ?? 2;
  const random = prng(options.seed ?? 1);
  const length = Math.round(seconds * sampleRate);
  const left = new Float32Array(length);
  const right = new Float32Array(length);
  const samplesPerBeat = (60 / TEMPO_BPM) * sampleRate;
  const master = MIX_LEVEL * Math.pow(10, (options.gainDb ?? 0) / 20);
  let snareNoise = 0;
  let hatNoise = 0;
  let hatPrevious = 0;
  let padGain = 0;
  const swell = 1 / (0.5 * sampleRate);
  for (let i = 0; i < length; i++) {
    const beat = i / samplesPerBeat;
    const bar = Math.floor(beat / 4);
    const section = SECTIONS.find((s) => bar < s.untilBar) ?? SECTIONS[SECTIONS.length - 1];
    const inBeat = (beat % 1) * (60 / TEMPO_BPM); // seconds since the last beat
    const inEighth = ((beat * 2) % 1) * (30 / TEMPO_BPM);
    const beatInBar = Math.floor(beat) % 4;
    const root = ROOTS[bar % ROOTS.length];
    const t = i / sampleRate;

    // Kick on 1 and 3: a falling sine sweep with a fast decay.
    let drums = 0;
    if (beatInBar % 2 === 0) {
      const sweep = 45 + 80 * Math.exp(-inBeat / 0.03);
      drums += 0.9 * Math.exp(-inBeat / 0.12) * Math.sin(2 * Math.PI * sweep * inBeat);
    } else {
      // Snare on 2 and 4: a noise burst over a short 190 Hz body.
      snareNoise += 0.6 * (random() * 2 - 1 - snareNoise);
      const envelope = Math.exp(-inBeat / 0.09);
      drums += envelope * (0.55 * snareNoise + 0.3 * Math.sin(2 * Math.PI * 190 * inBeat));
    }
    // Hats on the eighths: differentiated noise (bright), short.
    const white = random() * 2 - 1;
    hatNoise = white - hatPrevious;
    hatPrevious = white;
    const hat = 0.12 * Math.exp(-inEighth / 0.025) * hatNoise;

    // Bass: eighth-note pulses of a three-harmonic tone on the root.
    const bassEnvelope = Math.exp(-inEighth / 0.2);
    const phase = 2 * Math.PI * root * t;
    const bass = 0.35 * bassEnvelope * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));

    // Pad: detuned sine voices, left and right slightly apart, swelling into each section.
    let voicesL = 0;
    let voicesR = 0;
    for (const interval of PAD_INTERVALS) {
      const f = root * Math.pow(2, interval / 12);
      voicesL += Math.sin(2 * Math.PI * f * 1.002 * t);
      voicesR += Math.sin(2 * Math.PI * f * 0.998 * t + 0.7);
    }
    padGain += (section.pad - padGain) * swell;
    const padL = 0.06 * padGain * voicesL;
    const padR = 0.06 * padGain * voicesR;

    const center = section.drums * drums + section.bass * bass;
    left[i] = master * (center + section.drums * hat * 0.8 + padL);
    right[i] = master * (center + section.drums * hat * 1.2 + padR);
  }
  if (channels === 1) {
    for (let i = 0; i < length; i++) left[i] = 0.5 * (left[i] + right[i]);
    return [left];
  }
  return [left, right];
}
