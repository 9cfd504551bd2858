import { LoudnessBlockMeter } from '../../src/dsp/loudness-blocks';
import { LoudnessStats } from '../../src/dsp/loudness-stats';

/**
 * The demo set's songs, generated block by block (a whole song never sits in memory): stereo
 * band-limited noise (the "band"), a kick on the beats, a bass line and a three-voice chord,
 * arranged in intro / verse / chorus / bridge / chorus / outro with the level changes a real
 * song has. Each song has its own seed, key and mix, and is scaled so its raw integrated
 * loudness lands on its `loudnessLufs`: the set spans about −26 to −8 LUFS, the spread of
 * bounces from different studios that LiveBlend exists to even out.
 */

export interface SongSpec {
  /** Scene name, as a band would write it ("03 Hold On [v2]"). */
  scene: string;
  seconds: number;
  /** Raw integrated loudness the song is scaled to (BS.1770, before any processing). */
  loudnessLufs: number;
  seed: number;
  /** Chord root (Hz). */
  rootHz: number;
  /** 0..1: how much of the mix is noise (bright, dense) versus tones. */
  density: number;
}

/** The demo set. Songs are `seconds` long (a few minutes in the demo; tests pass shorter ones). */
export function demoSongs(seconds = 180): SongSpec[] {
  return [
    { scene: '01 Quiet Start', seconds, loudnessLufs: -26, seed: 11, rootHz: 110, density: 0.3 },
    { scene: '02 Hold On [v2]', seconds, loudnessLufs: -20, seed: 23, rootHz: 98, density: 0.5 },
    { scene: '03 Northern Lights', seconds, loudnessLufs: -14, seed: 37, rootHz: 130.8, density: 0.6 },
    { scene: '04 Runaway [lb:runaway]', seconds, loudnessLufs: -11, seed: 41, rootHz: 82.4, density: 0.7 },
    { scene: '05 Loud Finale', seconds, loudnessLufs: -8, seed: 53, rootHz: 146.8, density: 0.8 },
  ];
}

interface Section {
  /** Where the section ends, as a fraction of the song. */
  until: number;
  level: number;
  drums: number;
}

const SECTIONS: readonly Section[] = [
  { until: 0.12, level: 0.35, drums: 0 }, // intro
  { until: 0.38, level: 0.6, drums: 0.7 }, // verse
  { until: 0.58, level: 1, drums: 1 }, // chorus
  { until: 0.72, level: 0.45, drums: 0.3 }, // bridge
  { until: 0.92, level: 1, drums: 1 }, // last chorus
  { until: Infinity, level: 0.3, drums: 0 }, // outro
];

/** Section levels move over about this long (a fader, not a step). */
const SECTION_GLIDE_SECONDS = 0.4;

/** Section levels are followed per chunk of this many samples (a fader's pace, far above its glide). */
const CONTROL_CHUNK = 64;

export class SongSource {
  readonly frames: number;
  private position = 0;
  private readonly gain: number;
  private readonly random: () => number;
  private level = SECTIONS[0].level;
  private drums = SECTIONS[0].drums;
  private readonly glide: number;
  /** One beat of kick and one half-beat of bass envelope, played from tables. */
  private readonly kick: Float64Array;
  private readonly bassEnvelope: Float64Array;
  private readonly noise = new Float64Array(4);
  /** Sine oscillators as rotating phasors: [cos, sin, step cos, step sin] each; bass, three chord voices left, three right. */
  private readonly oscillators: Float64Array;
  private readonly lowpass: number;
  private readonly highpass: number;

  constructor(
    readonly spec: SongSpec,
    private readonly sampleRate: number,
    tempoBpm: number,
    gain?: number,
  ) {
    this.frames = Math.round(spec.seconds * sampleRate);
    this.random = prng(spec.seed);
    this.glide = Math.min(1, CONTROL_CHUNK / (SECTION_GLIDE_SECONDS * sampleRate));
    const beat = Math.round((60 / tempoBpm) * sampleRate);
    this.kick = Float64Array.from({ length: beat }, (_, i) => {
      const t = i / sampleRate;
      return Math.exp(-t / 0.08) * Math.sin(2 * Math.PI * (50 * t + 60 * 0.02 * (1 - Math.exp(-t / 0.02))));
    });
    this.bassEnvelope = Float64Array.from({ length: Math.round(beat / 2) }, (_, i) => 0.6 + 0.4 * Math.exp(-i / sampleRate / 0.15));
    const root = spec.rootHz;
    const voices: [number, number][] = [
      [root / 2, 0],
      [root * 2, 0],
      [root * 2.52, 0],
      [root * 3, 0],
      [root * 2.004, 0.5],
      [root * 2.515, 1],
      [root * 3.006, 1.5],
    ];
    this.oscillators = new Float64Array(voices.length * 4);
    voices.forEach(([hz, phase], v) => {
      const w = (2 * Math.PI * hz) / sampleRate;
      this.oscillators.set([Math.cos(phase), Math.sin(phase), Math.cos(w), Math.sin(w)], v * 4);
    });
    this.lowpass = Math.exp((-2 * Math.PI * 4000) / sampleRate);
    this.highpass = Math.exp((-2 * Math.PI * 150) / sampleRate);
    this.gain = gain ?? calibratedGain(spec, sampleRate, tempoBpm);
  }

  get ended(): boolean {
    return this.position >= this.frames;
  }

  get remaining(): number {
    return Math.max(0, this.frames - this.position);
  }

  /** Seconds played so far. */
  get seconds(): number {
    return this.position / this.sampleRate;
  }

  /** Writes the next `frames` samples (silence after the end) into left and right at `offset`. */
  render(output: readonly Float32Array[], offset: number, frames: number): void {
    const [left, right] = output;
    let i = 0;
    while (i < frames) {
      const n = Math.min(frames - i, CONTROL_CHUNK);
      if (this.ended) {
        left.fill(0, offset + i, offset + i + n);
        right.fill(0, offset + i, offset + i + n);
      } else {
        this.renderChunk(left, right, offset + i, Math.min(n, this.remaining));
        const played = Math.min(n, this.remaining);
        left.fill(0, offset + i + played, offset + i + n);
        right.fill(0, offset + i + played, offset + i + n);
      }
      i += n;
    }
  }

  private renderChunk(left: Float32Array, right: Float32Array, at: number, n: number): void {
    const section = sectionAt(this.position / this.frames);
    this.level += (section.level - this.level) * this.glide;
    this.drums += (section.drums - this.drums) * this.glide;
    const { noise, oscillators: o, kick, bassEnvelope, lowpass, highpass } = this;
    const density = this.spec.density;
    const tone = 1 - density;
    const g = this.gain * this.level;
    const drums = 0.45 * this.drums;
    for (let i = 0; i < n; i++) {
      const p = this.position++;
      // Band-limited noise, decorrelated left and right: one-pole low-pass minus its low end.
      noise[0] = lowpass * noise[0] + (1 - lowpass) * (this.random() * 2 - 1);
      noise[1] = lowpass * noise[1] + (1 - lowpass) * (this.random() * 2 - 1);
      noise[2] = highpass * noise[2] + (1 - highpass) * noise[0];
      noise[3] = highpass * noise[3] + (1 - highpass) * noise[1];
      let chordL = 0;
      let chordR = 0;
      let bass = 0;
      for (let v = 0; v < 7; v++) {
        const k = v * 4;
        const c = o[k];
        const s = o[k + 1];
        o[k] = c * o[k + 2] - s * o[k + 3];
        o[k + 1] = s * o[k + 2] + c * o[k + 3];
        if (v === 0) bass = s;
        else if (v < 4) chordL += s;
        else chordR += s;
      }
      const centre = drums * kick[p % kick.length] + tone * 0.175 * bass * bassEnvelope[p % bassEnvelope.length];
      left[at + i] = g * (centre + density * 1.6 * (noise[0] - noise[2]) + tone * 0.12 * chordL);
      right[at + i] = g * (centre + density * 1.6 * (noise[1] - noise[3]) + tone * 0.12 * chordR);
    }
    // Phasors drift in magnitude with rounding; renormalise once per chunk.
    for (let k = 0; k < o.length; k += 4) {
      const m = Math.hypot(o[k], o[k + 1]);
      o[k] /= m;
      o[k + 1] /= m;
    }
  }
}

const calibrations = new Map<string, number>();
const CALIBRATION_BLOCK = 4096;
const CALIBRATION_SECONDS = 40;

/**
 * The gain that puts a song on its loudnessLufs: the whole song is rendered once at unit gain
 * and measured with src/dsp's meter (the mix's loudness depends on every part of the song, so
 * it is measured rather than guessed). Cached per song, rate and tempo.
 */
export function calibratedGain(spec: SongSpec, sampleRate: number, tempoBpm: number): number {
  const key = JSON.stringify([spec, sampleRate, tempoBpm]);
  const known = calibrations.get(key);
  if (known !== undefined) return known;
  // Sections scale with the song's length, so a shortened render measures the same mix.
  const source = new SongSource({ ...spec, seconds: Math.min(spec.seconds, CALIBRATION_SECONDS) }, sampleRate, tempoBpm, 1);
  const meter = new LoudnessBlockMeter({ sampleRate, channels: 2, onBlock: (meanSquares) => stats.pushBlock(meanSquares) });
  const stats = new LoudnessStats(meter.weights);
  const block = [new Float32Array(CALIBRATION_BLOCK), new Float32Array(CALIBRATION_BLOCK)];
  while (!source.ended) {
    const n = Math.min(CALIBRATION_BLOCK, source.remaining);
    source.render(block, 0, n);
    meter.process(block, n);
  }
  const unitLufs = stats.integrated();
  if (unitLufs === null) throw new Error(`song '${spec.scene}' is silent: it cannot be scaled to ${spec.loudnessLufs} LUFS`);
  const gain = Math.pow(10, (spec.loudnessLufs - unitLufs) / 20);
  calibrations.set(key, gain);
  return gain;
}

function sectionAt(fraction: number): Section {
  for (const section of SECTIONS) if (fraction < section.until) return section;
  return SECTIONS[SECTIONS.length - 1];
}

/** Mulberry32: small, fast and the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
