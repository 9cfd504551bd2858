/**
 * Throughput of the per-song processing chain (src/dsp/chain.ts) on one core: stereo 48 kHz in
 * 512-frame blocks, as a playback host would call it. The programme is the synthetic backing
 * track the tests use, trimmed 4 dB hot into a −1 dBTP ceiling so the limiter works on every
 * drum hit; one more case drives the limiter 16 dB into its ceiling, its worst working load. Each case runs a few times and keeps the fastest, so a busy machine's hiccups do
 * not count against the code.
 */
import { Compressor } from '../src/dsp/compressor';
import { Equalizer } from '../src/dsp/eq';
import { TruePeakLimiter } from '../src/dsp/limiter';
import { ProcessingChain } from '../src/dsp/chain';
import { dbToGain } from '../src/dsp/units';
import { defaultPreset, type Preset } from '../src/shared/preset';
import { syntheticSong } from '../tests/support/synthetic-song';

const SAMPLE_RATE = 48000;
const SECONDS = 4;
const CHORUS_START = 8;
const BLOCK = 512;
const RUNS = 5;

interface BlockProcessor {
  process(input: readonly Float32Array[], output: readonly Float32Array[], frames: number): void;
}

const HOT_TRIM_DB = 4;

/** Every stage on: 24 dB/oct low cut, four cut/boost bands, compressor, limiter. */
function busyPreset(): Preset {
  const preset = defaultPreset();
  preset.trimDb = HOT_TRIM_DB;
  preset.eq[0].enabled = true;
  preset.eq[1].gainDb = -2;
  preset.eq[2].gainDb = -3;
  preset.eq[3].gainDb = -2.5;
  preset.eq[4].gainDb = 1.5;
  preset.compressor.enabled = true;
  return preset;
}

/** Fastest of RUNS passes over the programme, as a multiple of real time. */
function measure(programme: Float32Array[], create: () => BlockProcessor): number {
  const frames = programme[0].length;
  const input = programme.map(() => new Float32Array(BLOCK));
  const output = programme.map(() => new Float32Array(BLOCK));
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const processor = create();
    const start = process.hrtime.bigint();
    for (let offset = 0; offset + BLOCK <= frames; offset += BLOCK) {
      for (let c = 0; c < programme.length; c++) input[c].set(programme[c].subarray(offset, offset + BLOCK));
      processor.process(input, output, BLOCK);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return SECONDS / best;
}

export async function benchChain(): Promise<{ name: string; xRealtime: number }[]> {
  // The song's loud chorus (its first 8 s are the intro and verse).
  const programme = syntheticSong({ sampleRate: SAMPLE_RATE, seconds: CHORUS_START + SECONDS, channels: 2 }).map((channel) => channel.slice(CHORUS_START * SAMPLE_RATE));
  const scaled = (db: number) => programme.map((channel) => channel.map((v) => v * dbToGain(db)));
  // The stages alone see what they see in the chain: the programme after the trim.
  const hot = scaled(HOT_TRIM_DB);
  const preset = busyPreset();
  const options = { sampleRate: SAMPLE_RATE, channels: 2, maxBlockFrames: BLOCK };
  const cases: [string, Float32Array[], () => BlockProcessor][] = [
    ['chain, all stages on (stereo 48 kHz)', programme, () => new ProcessingChain({ ...options, preset })],
    ['chain, default preset (limiter only)', programme, () => new ProcessingChain({ ...options, preset: defaultPreset() })],
    ['EQ, 6 sections', hot, () => new Equalizer(preset.eq, SAMPLE_RATE, 2)],
    ['compressor', hot, () => new Compressor(preset.compressor, SAMPLE_RATE, 2)],
    ['true-peak limiter', hot, () => new TruePeakLimiter(preset.limiter, SAMPLE_RATE, 2, BLOCK)],
    ['true-peak limiter, 16 dB into the ceiling', scaled(16), () => new TruePeakLimiter(preset.limiter, SAMPLE_RATE, 2, BLOCK)],
  ];
  return cases.map(([name, audio, create]) => ({ name, xRealtime: measure(audio, create) }));
}
