/**
 * `npm run bench`: throughput of the analyzer against ffmpeg's ebur128 filter on the same
 * 60-minute stereo 48 kHz file, side by side in one run; then the processing chain; then the
 * panel's benchmarks (meter fan-in, cold start and bundle size), each in its own process so one
 * that fails is reported and the others still run. The single-worker analyzer and ffmpeg
 * take turns for LIVEBLEND_BENCH_ROUNDS rounds (default 3), so a busy machine slows both alike;
 * each round's ratio is printed, and the ratio of the best times. docs/benchmarks.md keeps the
 * numbers. Benchmarks are never asserted by tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { LoudnessBlockMeter } from '../src/dsp/loudness-blocks';
import { analyzeFile } from '../src/main/analysis/analyze-file';
import { analyzeInPool } from '../src/main/analysis/pool';
import type { FileAnalysis } from '../src/main/analysis/types';
import { WavWriter } from '../src/main/audio';
import { benchChain } from './chain';
import { compareCase13 } from './tech3341-case13';

const RATE = 48000;
const MINUTES = Number(process.env.LIVEBLEND_BENCH_MINUTES ?? 60);
const ROUNDS = Math.max(1, Number(process.env.LIVEBLEND_BENCH_ROUNDS ?? 3));
const CACHE = join(process.cwd(), '.cache', 'bench');
const FILE = join(CACHE, `programme-${MINUTES}min-48k-stereo-pcm24.wav`);

/** Band-limited noise and chords with phrase dynamics, written in chunks (never all in memory). */
async function generate(): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const temp = `${FILE}.partial`;
  const writer = await WavWriter.create(temp, { sampleRate: RATE, channels: 2, encoding: 'pcm24' });
  const chunk = 48000;
  const left = new Float32Array(chunk);
  const right = new Float32Array(chunk);
  let seed = 12345;
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
  let lowL = 0, lowR = 0, phase1 = 0, phase2 = 0, gain = 0.2;
  const total = MINUTES * 60 * RATE;
  for (let done = 0; done < total; done += chunk) {
    if (done % (RATE * 4) === 0) gain = 0.05 + 0.3 * Math.abs(random());
    for (let i = 0; i < chunk; i++) {
      lowL += 0.04 * (random() - lowL);
      lowR += 0.04 * (random() - lowR);
      phase1 += (2 * Math.PI * 110) / RATE;
      phase2 += (2 * Math.PI * 164.8) / RATE;
      const pad = 0.3 * Math.sin(phase1) + 0.2 * Math.sin(phase2);
      const hat = (i % 12000 < 400 ? 0.5 : 0.02) * random();
      left[i] = gain * (2.5 * lowL + pad + hat);
      right[i] = gain * (2.5 * lowR + 0.9 * pad + hat);
    }
    await writer.write([left, right], chunk);
  }
  await writer.close();
  execFileSync('mv', [temp, FILE]);
}

function ensureFfmpeg(): boolean {
  if (spawnSync('ffmpeg', ['-version']).status === 0) return true;
  if (process.getuid?.() !== 0) return false;
  console.log('bench: installing Debian ffmpeg for the side-by-side peer…');
  const r = spawnSync('bash', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null)'], { stdio: 'inherit' });
  return r.status === 0 && spawnSync('ffmpeg', ['-version']).status === 0;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e9];
}

const audioSeconds = MINUTES * 60;
const fmt = (x: number) => `${x.toFixed(0)}× real time`;

/** The analyzer against ffmpeg, the chain, and Tech 3341 case 13. */
async function benchAnalyzerAndChain(): Promise<void> {
  if (!existsSync(FILE)) {
    console.log(`bench: generating ${MINUTES}-minute stereo 48 kHz test file (cached in .cache/bench)…`);
    await generate();
  }
  console.log(`file: ${FILE} (${(statSync(FILE).size / 2 ** 20).toFixed(0)} MiB, ${MINUTES} min)`);

  // Warm the page cache so every contender reads from memory.
  execFileSync('cat', [FILE], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 });

  /** One ffmpeg run over the file, with its summary. */
  async function runFfmpeg(): Promise<{ seconds: number; integrated?: string; lra?: string; peak?: string }> {
    const [result, seconds] = await timed(() =>
      spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', FILE, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 1 << 30 }),
    );
    const summary = result.stderr.split('Summary:')[1] ?? '';
    return {
      seconds,
      integrated: /I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1],
      lra: /LRA:\s+(-?[\d.]+) LU/.exec(summary)?.[1],
      peak: /Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1],
    };
  }

  const haveFfmpeg = ensureFfmpeg();
  const simd = new LoudnessBlockMeter({ sampleRate: RATE, channels: 2 }).simd;
  console.log(`stereo meter kernel: ${simd ? 'WebAssembly SIMD' : 'portable JavaScript (no WebAssembly SIMD here)'}`);
  const singleTimes: number[] = [];
  const ffmpegTimes: number[] = [];
  let analysis: FileAnalysis | undefined;
  let ffmpeg: Awaited<ReturnType<typeof runFfmpeg>> | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const [outcome, seconds] = await timed(() => analyzeFile({ path: FILE, series: false }));
    if (!outcome.ok) throw new Error(outcome.failure.error.message);
    analysis = outcome.analysis;
    singleTimes.push(seconds);
    let line = `round ${round}: liveblend 1 worker ${seconds.toFixed(2)} s = ${fmt(audioSeconds / seconds)}`;
    if (haveFfmpeg) {
      ffmpeg = await runFfmpeg();
      ffmpegTimes.push(ffmpeg.seconds);
      line += `; ffmpeg ${ffmpeg.seconds.toFixed(2)} s = ${fmt(audioSeconds / ffmpeg.seconds)}; ratio ${(ffmpeg.seconds / seconds).toFixed(2)}×`;
    }
    console.log(line);
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const singleX = audioSeconds / Math.min(...singleTimes);
  console.log(`liveblend analyzer, 1 worker (in process), best of ${ROUNDS}: ${Math.min(...singleTimes).toFixed(2)} s = ${fmt(singleX)}; integrated ${analysis?.integrated} LUFS, LRA ${analysis?.lra} LU, true peak ${analysis?.truePeak} dBTP; peak RSS ${rssMb.toFixed(0)} MB`);

  const workers = availableParallelism();
  const [, poolSeconds] = await timed(() => analyzeInPool(Array.from({ length: workers }, () => ({ path: FILE, series: false })), workers));
  const poolX = (audioSeconds * workers) / poolSeconds;
  console.log(`liveblend analyzer, ${workers} workers on ${workers} files: ${poolSeconds.toFixed(2)} s = ${fmt(poolX)} aggregate`);

  const chainResults = benchChain();
  for (const r of chainResults) console.log(`${r.name}: ${fmt(r.xRealtime)}`);

  if (ffmpeg) {
    const ffX = audioSeconds / Math.min(...ffmpegTimes);
    const ratios = singleTimes.map((t, k) => ffmpegTimes[k] / t);
    console.log(`ffmpeg ebur128=peak=true, best of ${ROUNDS}: ${Math.min(...ffmpegTimes).toFixed(2)} s = ${fmt(ffX)}; integrated ${ffmpeg.integrated} LUFS, LRA ${ffmpeg.lra} LU, true peak ${ffmpeg.peak} dBTP`);
    console.log(`ratio, liveblend 1 worker / ffmpeg: ${(singleX / ffX).toFixed(2)}× (best times); per round ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`);
    const exact = await compareCase13(join(CACHE, 'tech3341-case13'), true);
    console.log(`Tech 3341 case 13 (max M = −23.0 ± 0.1 in ${exact.variants} burst offsets): liveblend ${exact.liveblendPass}/${exact.variants}, ffmpeg ${exact.ffmpegPass}/${exact.variants}`);
  } else {
    console.log('ffmpeg: skipped (not installed and could not be installed here); no ratio printed');
  }
}

const PANEL_BENCHES = [
  { title: 'Panel: meter fan-in (32 devices × 10 Hz → 4 ws clients)', file: 'bench/meter-fanin.ts' },
  { title: 'Panel: cold start of `liveblend serve --demo` and renderer bundle size', file: 'bench/panel-startup.ts' },
  { title: 'Panel: long tasks while eight devices stream meters (Chromium)', file: 'bench/panel-streaming.ts' },
];

const failed: string[] = [];
console.log('== Analyzer and processing chain ==');
try {
  await benchAnalyzerAndChain();
} catch (error) {
  failed.push('analyzer and chain');
  console.log(`FAILED: ${(error as Error).stack ?? error}`);
}
for (const { title, file } of PANEL_BENCHES) {
  console.log(`\n== ${title} ==`);
  const run = spawnSync(process.execPath, ['bin/run-ts.js', file], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed.push(title);
    console.log(`FAILED: ${file} exited with ${run.status ?? run.signal}`);
  }
}
if (failed.length > 0) {
  console.log(`\n${failed.length} benchmark${failed.length === 1 ? '' : 's'} failed: ${failed.join('; ')}`);
  process.exitCode = 1;
}
