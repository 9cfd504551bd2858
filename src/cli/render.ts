import { randomBytes } from 'node:crypto';
import { readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ProcessingChain } from '../dsp/chain';
import { LoudnessMeter, type LoudnessMeasurement } from '../dsp/loudness';
import { WavWriter, openAudio, type AudioReader } from '../main/audio';
import { TARGET_LIMITS } from '../shared/osc-protocol';
import { PRESET_LIMITS, defaultPreset, parsePreset, type Preset } from '../shared/preset';
import { fmtDb } from './analyze-report';
import { UsageError, joinNegativeValues, parseNumberOption, withUsageErrors, type CliIo } from './io';
import { createProgress } from './progress';

export const RENDER_HELP = `Usage: liveblend render <in> <out.wav> [options]

Runs a song through a LiveBlend preset — trim, 5-band EQ, compressor, true-peak limiter — as
the device does, and writes a WAV file with the input's sample rate, channels and length.

Options:
  --preset <file.json>      preset to apply (default: flat EQ, compressor off, limiter at −1 dBTP)
  --target <LUFS>           set the trim so the result measures this integrated loudness,
                            from ${fmtDb(TARGET_LIMITS.min, 0)} to ${fmtDb(TARGET_LIMITS.max, 0)} as the device accepts (replaces the preset's trim)
  --ceiling <dBTP>          limiter ceiling, from ${fmtDb(PRESET_LIMITS.ceilingDbtp.min, 0)} to ${fmtDb(PRESET_LIMITS.ceilingDbtp.max, 0)} (replaces the preset's; turns it on)
  --format <pcm24|float32>  sample format of <out.wav> (default pcm24)
  -h, --help                show this help

The input is never overwritten: <out.wav> must be another file. It is written under a
temporary name and renamed when complete, so a failure leaves no half-written file.
`;

const FORMATS = ['pcm24', 'float32'] as const;
type Format = (typeof FORMATS)[number];
const CHUNK_FRAMES = 65536;
/** A render that lands further than this from --target is run again with the trim corrected. */
const TARGET_TOLERANCE_LU = 0.1;
/** Passes at most with --target (most songs need one or two); the closest one is kept (see nextTrim). */
const MAX_RENDER_PASSES = 6;
const MIN_TRIM_SLOPE = 0.1;
const MAX_TRIM_STEP_DB = 6;

interface RenderJob {
  input: string;
  output: string;
  preset: Preset;
  target: number | null;
  format: Format;
}

interface PassResult {
  before: LoudnessMeasurement;
  after: LoudnessMeasurement;
  limiterDb: number;
  compressorDb: number;
}

export function runRender(argv: string[], io: CliIo): Promise<number> {
  return withUsageErrors('render', io, async () => {
    const job = await parseJob(argv, io);
    if (!job) return 0;
    await render(job, io);
    return 0;
  });
}

/** Everything that can be checked before touching audio; null when only help was asked for. */
async function parseJob(argv: string[], io: CliIo): Promise<RenderJob | null> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, ['--target', '--ceiling']),
    allowPositionals: true,
    options: {
      preset: { type: 'string' },
      target: { type: 'string' },
      ceiling: { type: 'string' },
      format: { type: 'string', default: 'pcm24' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(RENDER_HELP);
    return null;
  }
  if (positionals.length !== 2) {
    throw new UsageError(`expected an input and an output file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}: try \`liveblend render song.wav song-live.wav --target -18\``);
  }
  const [input, output] = positionals.map((path) => resolve(path));
  if (!['.wav', '.wave'].includes(extname(output).toLowerCase())) {
    throw new UsageError(`${basename(output)}: LiveBlend renders WAV files; give the output a .wav name`);
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${values.format}: expected ${FORMATS.join(' or ')}`);
  const target = values.target === undefined ? null : parseNumberOption('target', values.target, TARGET_LIMITS.min, TARGET_LIMITS.max, 'LUFS');
  const preset = values.preset === undefined ? defaultPreset() : await loadPreset(values.preset);
  if (values.ceiling !== undefined) {
    const { min, max } = PRESET_LIMITS.ceilingDbtp;
    preset.limiter = { ...preset.limiter, enabled: true, ceilingDbtp: parseNumberOption('ceiling', values.ceiling, min, max, 'dBTP') };
  }
  await refuseSameFile(input, output);
  if (!(await stat(dirname(output)).catch(() => null))?.isDirectory()) {
    throw new UsageError(`folder ${dirname(output)} does not exist: create it or choose another place for ${basename(output)}`);
  }
  return { input, output, preset, target, format };
}

async function loadPreset(path: string): Promise<Preset> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--preset ${path}: ${code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? String(error)})`}; check the path`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--preset ${path} is not valid JSON (${(error as Error).message}); fix it or export the preset from LiveBlend again`);
  }
  try {
    return parsePreset(json);
  } catch (error) {
    throw new UsageError(`--preset ${path}: ${(error as Error).message}`);
  }
}

/** Refuses an output that is the input under another name (symlink, hard link, ../ path, case). */
async function refuseSameFile(input: string, output: string): Promise<void> {
  const [inputStat, outputStat] = await Promise.all([stat(input).catch(() => null), stat(output).catch(() => null)]);
  const sameInode = inputStat && outputStat && inputStat.dev === outputStat.dev && inputStat.ino === outputStat.ino;
  const samePath = inputStat && (await realpath(input)) === join(await realpath(dirname(output)).catch(() => dirname(output)), basename(output));
  if (sameInode || samePath) {
    throw new UsageError(`${basename(output)} is the input file: LiveBlend never overwrites its input; choose another output name`);
  }
}

interface Attempt {
  trimDb: number;
  /** Integrated loudness of the pass's output; null when silent. */
  reached: number | null;
  temp: string;
  result: PassResult;
}

async function render(job: RenderJob, io: CliIo): Promise<void> {
  const reader = await openAudio(job.input);
  const temps: string[] = [];
  try {
    let before: LoudnessMeasurement | null = null;
    let trimDb = job.preset.trimDb;
    if (job.target !== null) {
      before = await measure(reader, io);
      trimDb = trimFor(job.target, before, job.input);
    }
    const attempts: Attempt[] = [];
    for (let pass = 1; pass <= (job.target === null ? 1 : MAX_RENDER_PASSES); pass++) {
      const temp = join(dirname(job.output), `.${basename(job.output)}.${randomBytes(4).toString('hex')}.partial`);
      temps.push(temp);
      const result = await renderPass(reader, temp, { ...job.preset, trimDb }, job.format, io, pass);
      attempts.push({ trimDb, reached: result.after.integrated, temp, result });
      if (job.target === null) break;
      // Only the closest pass so far is worth keeping on disk.
      const best = closest(attempts, job.target);
      await Promise.all(attempts.filter((a) => a !== best).map((a) => unlink(a.temp).catch(() => undefined)));
      if (missLu(best, job.target) <= TARGET_TOLERANCE_LU) break;
      const next = nextTrim(attempts, job.target);
      if (next === null) break;
      trimDb = next;
    }
    const kept = job.target === null ? attempts[0] : closest(attempts, job.target);
    await rename(kept.temp, job.output);
    report(io, job, reader.info.sampleRate, before ?? kept.result.before, kept, attempts);
  } finally {
    // Every pass but the one renamed into place (whose temporary name is gone), and all of them on failure.
    await Promise.all(temps.map((temp) => unlink(temp).catch(() => undefined)));
    await reader.close();
  }
}

function missLu(attempt: Attempt, target: number): number {
  return attempt.reached === null ? Infinity : Math.abs(attempt.reached - target);
}

function closest(attempts: Attempt[], target: number): Attempt {
  return attempts.reduce((best, a) => (missLu(a, target) < missLu(best, target) ? a : best));
}

/**
 * The trim for the next pass, or null when nothing new is worth trying. Below the limiter
 * loudness follows trim dB for dB; into it each dB gains less, and the integrated gate (which
 * moves with the loud passages) can even make a little more trim read a little quieter. So:
 * once passes land on both sides of the target, interpolate between the nearest two, kept
 * inside the bracket; until then, step from the nearest pass with the slope its neighbour
 * suggests (1 at first), bounded so a flat or bumpy stretch cannot fling the trim away.
 */
function nextTrim(attempts: Attempt[], target: number): number | null {
  const measured = attempts.filter((a): a is Attempt & { reached: number } => a.reached !== null);
  if (measured.length === 0) return null;
  const nearest = (side: typeof measured) => side.reduce((best, a) => (Math.abs(a.reached - target) < Math.abs(best.reached - target) ? a : best));
  const below = measured.filter((a) => a.reached < target);
  const above = measured.filter((a) => a.reached > target);
  let trim: number;
  if (below.length > 0 && above.length > 0) {
    const [a, b] = [nearest(below), nearest(above)];
    const [low, high] = [Math.min(a.trimDb, b.trimDb), Math.max(a.trimDb, b.trimDb)];
    const secant = a.trimDb + ((target - a.reached) * (b.trimDb - a.trimDb)) / (b.reached - a.reached);
    trim = Math.min(high - 0.1 * (high - low), Math.max(low + 0.1 * (high - low), secant));
  } else {
    const best = nearest(measured);
    const others = measured.filter((a) => a !== best && a.trimDb !== best.trimDb);
    const neighbour = others.length > 0 ? nearest(others) : null;
    const slope = neighbour ? Math.max(MIN_TRIM_SLOPE, (best.reached - neighbour.reached) / (best.trimDb - neighbour.trimDb)) : 1;
    const step = Math.max(-MAX_TRIM_STEP_DB, Math.min(MAX_TRIM_STEP_DB, (target - best.reached) / slope));
    trim = best.trimDb + step;
  }
  const { min, max } = PRESET_LIMITS.trimDb;
  trim = Math.min(max, Math.max(min, trim));
  return attempts.some((a) => Math.abs(a.trimDb - trim) < 0.01) ? null : trim;
}

async function measure(reader: AudioReader, io: CliIo): Promise<LoudnessMeasurement> {
  const { sampleRate, channels, frames } = reader.info;
  const meter = new LoudnessMeter({ sampleRate, channels });
  const progress = createProgress(io.stderr, 'measuring');
  let done = 0;
  for await (const chunk of reader.read({ chunkFrames: CHUNK_FRAMES })) {
    meter.process(chunk, chunk[0].length);
    done += chunk[0].length;
    progress.update(fractionDone(done, frames));
  }
  progress.done();
  return meter.finish();
}

/** MP3 lengths are estimates (NaN when unknown): the bar then stays at 0 rather than lie. */
function fractionDone(done: number, frames: number): number {
  return Number.isFinite(frames) && frames > 0 ? Math.min(1, done / frames) : 0;
}

function trimFor(target: number, measured: LoudnessMeasurement, path: string): number {
  if (measured.integrated === null) {
    throw new Error(`${basename(path)} is silent or shorter than 0.4 s, so it has no integrated loudness to trim to: render it without --target`);
  }
  const trim = target - measured.integrated;
  const { min, max } = PRESET_LIMITS.trimDb;
  if (trim < min || trim > max) {
    throw new Error(
      `${basename(path)} measures ${fmtDb(measured.integrated)} LUFS: reaching ${fmtDb(target)} LUFS needs ${fmtDb(trim)} dB of trim, beyond LiveBlend's ${fmtDb(min, 0)} to ${fmtDb(max, 0)} dB; check the file or choose a target nearer its loudness`,
    );
  }
  return trim;
}

/**
 * One pass: input → chain → temp file, metering both sides. The chain's latency is taken back
 * (its first `latency` output frames dropped, the same number of silent frames flushed in at
 * the end), so the output lines up with the input and has its length.
 */
async function renderPass(reader: AudioReader, temp: string, preset: Preset, format: Format, io: CliIo, pass: number): Promise<PassResult> {
  const { sampleRate, channels, frames } = reader.info;
  const chain = new ProcessingChain({ sampleRate, channels, preset });
  const before = new LoudnessMeter({ sampleRate, channels });
  const after = new LoudnessMeter({ sampleRate, channels });
  const writer = await WavWriter.create(temp, { sampleRate, channels, encoding: format });
  const progress = createProgress(io.stderr, pass === 1 ? 'rendering' : `rendering (pass ${pass})`);
  const output = Array.from({ length: channels }, () => new Float32Array(CHUNK_FRAMES));
  let toDrop = chain.latencySamples;
  let done = 0;
  const emit = async (n: number) => {
    const skip = Math.min(toDrop, n);
    toDrop -= skip;
    if (skip === n) return;
    const aligned = output.map((channel) => channel.subarray(skip, n));
    after.process(aligned, n - skip);
    await writer.write(aligned, n - skip);
  };
  try {
    for await (const chunk of reader.read({ chunkFrames: CHUNK_FRAMES })) {
      const n = chunk[0].length;
      before.process(chunk, n);
      chain.process(chunk, output, n);
      await emit(n);
      done += n;
      progress.update(fractionDone(done, frames));
    }
    const silence = Array.from({ length: channels }, () => new Float32Array(CHUNK_FRAMES));
    for (let left = chain.latencySamples; left > 0; left -= CHUNK_FRAMES) {
      const n = Math.min(left, CHUNK_FRAMES);
      chain.process(silence, output, n);
      await emit(n);
    }
  } finally {
    progress.done();
    await writer.close();
  }
  return {
    before: before.finish(),
    after: after.finish(),
    limiterDb: chain.limiterReduction.takeMaxDb(),
    compressorDb: chain.compressorReduction.takeMaxDb(),
  };
}

function summarise(m: LoudnessMeasurement): string {
  const integrated = m.integrated === null ? 'no integrated loudness (silent)' : `${fmtDb(m.integrated)} LUFS integrated`;
  const peak = Number.isFinite(m.truePeak) ? `${fmtDb(m.truePeak)} dBTP` : '−∞ dBTP';
  return `${integrated}, LRA ${m.lra.toFixed(1)} LU, true peak ${peak}`;
}

function report(io: CliIo, job: RenderJob, sampleRate: number, before: LoudnessMeasurement, kept: Attempt, attempts: Attempt[]): void {
  const { limiter, compressor } = job.preset;
  const { result } = kept;
  const work = [`trim ${fmtDb(kept.trimDb)} dB`];
  if (compressor.enabled) work.push(`compressor up to ${result.compressorDb.toFixed(1)} dB`);
  if (limiter.enabled) work.push(`limiter at ${fmtDb(limiter.ceilingDbtp)} dBTP took up to ${result.limiterDb.toFixed(1)} dB`);
  io.stdout.write(
    `${basename(job.input)} → ${basename(job.output)} (${(sampleRate / 1000).toFixed(1)} kHz, ${job.format})\n` +
      `  before: ${summarise(before)}\n` +
      `  after:  ${summarise(result.after)}\n` +
      `  ${work.join('; ')}\n`,
  );
  const target = job.target;
  if (target === null || kept.reached === null || Math.abs(kept.reached - target) <= TARGET_TOLERANCE_LU) return;
  const { min, max } = PRESET_LIMITS.trimDb;
  const overshot = attempts.some((a) => a.reached !== null && a.reached > target);
  const why =
    kept.trimDb === min || kept.trimDb === max
      ? `the trim stops at LiveBlend's ${fmtDb(min, 0)} to ${fmtDb(max, 0)} dB`
      : limiter.enabled && !overshot
        ? `the limiter holds the peaks at ${fmtDb(limiter.ceilingDbtp)} dBTP, so more trim barely adds loudness; raise --ceiling`
        : `this song's loudness does not follow the trim evenly (its quiet passages move in and out of the loudness gate)`;
  io.stderr.write(`liveblend render: closest of ${attempts.length} passes is ${fmtDb(kept.reached, 2)} LUFS, not ${fmtDb(target)}: ${why}; or choose a target nearer ${fmtDb(kept.reached)}\n`);
}
