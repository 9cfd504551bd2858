/**
 * Generators for the EBU Tech 3341 / 3342 minimal test signals, written from the descriptions in
 * the Tech documents so the conformance tests need no downloaded files. Levels are per channel,
 * in dBFS of the sine's peak; a 1 kHz stereo sine at −23 dBFS reads −23.0 LUFS.
 *
 * The "authentic programme" items (3341 cases 7 and 8, 3342 cases 5 and 6) cannot be generated;
 * tests replace them with synthetic programme checked against a brute-force reference meter.
 */

import { prng } from '../../m4l-device/sim/songs';

export interface Segment {
  seconds: number;
  /** dBFS per channel (peak of the sine); null for digital silence. */
  levelDb: number | null;
}

export interface Signal {
  sampleRate: number;
  channels: Float32Array[];
}

export function dbfs(db: number): number {
  return Math.pow(10, db / 20);
}

/** Concatenated 1 kHz sine segments on every channel (phase continuous). */
export function sineSegments(
  sampleRate: number,
  segments: Segment[],
  options: { channels?: number; freqHz?: number; channelLevelsDb?: number[] } = {},
): Signal {
  const channelCount = options.channelLevelsDb?.length ?? options.channels ?? 2;
  const freq = options.freqHz ?? 1000;
  const total = segments.reduce((n, s) => n + Math.round(s.seconds * sampleRate), 0);
  const channels = Array.from({ length: channelCount }, () => new Float32Array(total));
  let n0 = 0;
  for (const segment of segments) {
    const length = Math.round(segment.seconds * sampleRate);
    if (segment.levelDb !== null) {
      const amplitude = dbfs(segment.levelDb);
      for (let c = 0; c < channelCount; c++) {
        const offset = options.channelLevelsDb ? dbfs(options.channelLevelsDb[c]) : 1;
        const out = channels[c];
        for (let i = 0; i < length; i++) {
          out[n0 + i] = amplitude * offset * Math.sin((2 * Math.PI * freq * (n0 + i)) / sampleRate);
        }
      }
    }
    n0 += length;
  }
  return { sampleRate, channels };
}

/** Stereo sine of `freq` at `amplitude` (linear) and starting phase `phaseDeg`. */
export function sineAtPhase(sampleRate: number, seconds: number, freq: number, amplitude: number, phaseDeg: number): Signal {
  const length = Math.round(seconds * sampleRate);
  const x = new Float32Array(length);
  const phase = (phaseDeg * Math.PI) / 180;
  for (let i = 0; i < length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / sampleRate + phase);
  fadeEdges(x, sampleRate);
  return { sampleRate, channels: [x, x.slice()] };
}

/**
 * 20 ms raised-cosine fades: a tone that starts or stops abruptly is a step, whose ringing
 * would add a genuine inter-sample overshoot that the test signal does not intend.
 */
export function fadeEdges(x: Float32Array, sampleRate: number): void {
  const fade = Math.round(sampleRate * 0.02);
  for (let i = 0; i < fade; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
    x[i] *= g;
    x[x.length - 1 - i] *= g;
  }
}

/** Deterministic PRNG (mulberry32) so generated programme is the same on every run: the simulator's. */
export { prng };

/**
 * Programme-like stereo material: band-limited noise and tones whose level follows a slow
 * envelope with phrases, pauses and a loud chorus, so gating and LRA have something to do.
 */
export function syntheticProgramme(sampleRate: number, seconds: number, seed: number): Signal {
  const random = prng(seed);
  const length = Math.round(seconds * sampleRate);
  const left = new Float32Array(length);
  const right = new Float32Array(length);
  let lowL = 0;
  let lowR = 0;
  const phraseLength = Math.round(sampleRate * 2.5);
  let phraseGain = 0.1;
  for (let i = 0; i < length; i++) {
    if (i % phraseLength === 0) {
      const r = random();
      phraseGain = r < 0.1 ? 0.0005 : r < 0.4 ? 0.05 + 0.05 * random() : 0.15 + 0.25 * random();
    }
    lowL += 0.05 * (random() * 2 - 1 - lowL);
    lowR += 0.05 * (random() * 2 - 1 - lowR);
    const t = i / sampleRate;
    const tone = 0.3 * Math.sin(2 * Math.PI * 220 * t) + 0.2 * Math.sin(2 * Math.PI * 330 * t);
    left[i] = phraseGain * (3 * lowL + tone + 0.1 * (random() * 2 - 1));
    right[i] = phraseGain * (3 * lowR + 0.9 * tone + 0.1 * (random() * 2 - 1));
  }
  return { sampleRate, channels: [left, right] };
}
