/**
 * Throughput of the per-song processing chain (src/dsp/chain.ts) on one core: stereo 48 kHz in
 * 512-frame blocks, as a playback host would call it. The programme is the synthetic backing
 * track the tests use, trimmed 4 dB hot into a −1 dBTP ceiling so the limiter works on every
 * drum hit; one more case drives the limiter 16 dB into its ceiling, its worst working load.
 * Another recalls a preset every 100 ms, far more often than any show does, so most of the time
 * two paths run and every recall pays its 50 ms warm-up. Each case runs a few times and keeps
 * the fastest, so a busy machine's hiccups do not count against the code.
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
/** Passes over the programme per run: long enough that building the chain and collecting its garbage do not count. */
const PASSES = 4;

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

/**
 * Fastest of RUNS timings of PASSES passes over the programme through one processor, as a
 * multiple of real time: a device runs one chain for hours, so building it is not timed and the
 * first run warms the JIT like any other.
 */
function measure(programme: Float32Array[], create: () => BlockProcessor): number {
  const frames = programme[0].length;
  const input = programme.map(() => new Float32Array(BLOCK));
  const output = programme.map(() => new Float32Array(BLOCK));
  const processor = create();
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let pass = 0; pass < PASSES; pass++) {
      for (let offset = 0; offset + BLOCK <= frames; offset += BLOCK) {
        for (let c = 0; c < programme.length; c++) input[c].set(programme[c].subarray(offset, offset + BLOCK));
        processor.process(input, output, BLOCK);
      }
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return (PASSES * SECONDS) / best;
}

const RECALL_EVERY = 4800;

/** A chain that moves between two presets every RECALL_EVERY frames (20 ms fades). */
function recallingChain(options: { sampleRate: number; channels: number; maxBlockFrames: number }, presets: Preset[]): BlockProcessor {
  const chain = new ProcessingChain({ ...options, preset: presets[0] });
  let played = 0;
  let next = 1;
  return {
    process(input, output, frames) {
      if (played % RECALL_EVERY < frames) chain.setPreset(presets[next++ % presets.length], 20);
      chain.process(input, output, frames);
      played += frames;
    },
  };
}

export function benchChain(): { name: string; xRealtime: number }[] {
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
    ['chain, all stages on, a recall every 100 ms', programme, () => recallingChain(options, [preset, { ...preset, trimDb: preset.trimDb - 3, compressor: { ...preset.compressor, thresholdDb: -18 } }])],
    ['EQ, 6 sections', hot, () => new Equalizer(preset.eq, SAMPLE_RATE, 2)],
    ['compressor', hot, () => new Compressor(preset.compressor, SAMPLE_RATE, 2)],
    ['true-peak limiter', hot, () => new TruePeakLimiter(preset.limiter, SAMPLE_RATE, 2, BLOCK)],
    ['true-peak limiter, 16 dB into the ceiling', scaled(16), () => new TruePeakLimiter(preset.limiter, SAMPLE_RATE, 2, BLOCK)],
  ];
  return cases.map(([name, audio, create]) => ({ name, xRealtime: measure(audio, create) }));
}
