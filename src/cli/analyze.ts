import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { analyzeInPool } from '../main/analysis/pool';
import { DEFAULT_CEILING_DBTP, DEFAULT_TARGET_LUFS, TARGET_LIMITS } from '../shared/osc-protocol';
import { PRESET_LIMITS } from '../shared/preset';
import { buildReport, fmtDb, formatTable } from './analyze-report';
import { collectAudioFiles } from './collect-files';
import { createProgress } from './progress';
import { UsageError, joinNegativeValues, parseNumberOption, type CliIo } from './io';

export const ANALYZE_HELP = `Usage: liveblend analyze <files or folders...> [options]

Measures each song (EBU R128 / BS.1770) and proposes the trim that brings it to the target.
Files given one by one are taken in set order; folders are searched recursively.

Options:
  --target <LUFS>    loudness target, ${fmtDb(TARGET_LIMITS.min, 0)} to ${fmtDb(TARGET_LIMITS.max, 0)} as the device accepts (default ${fmtDb(DEFAULT_TARGET_LUFS, 0)})
  --ceiling <dBTP>   true-peak ceiling, ${fmtDb(PRESET_LIMITS.ceilingDbtp.min, 0)} to ${fmtDb(PRESET_LIMITS.ceilingDbtp.max, 0)} (default ${fmtDb(DEFAULT_CEILING_DBTP, 0)})
  --workers <N>      files measured in parallel (default: number of cores)
  --json             print one JSON document instead of the table
  --series           with --json: add momentary and short-term series ([tEnd s, LUFS])
  -h, --help         show this help
`;

function parseNumber(name: string, value: string | undefined, fallback: number, min: number, max: number, unit?: string): number {
  return value === undefined ? fallback : parseNumberOption(name, value, min, max, unit);
}

export async function runAnalyze(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, ['--target', '--ceiling']),
    allowPositionals: true,
    allowNegative: false,
    options: {
      target: { type: 'string' },
      ceiling: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean', default: false },
      series: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(ANALYZE_HELP);
    return 0;
  }
  const target = parseNumber('target', values.target, DEFAULT_TARGET_LUFS, TARGET_LIMITS.min, TARGET_LIMITS.max, 'LUFS');
  const ceiling = parseNumber('ceiling', values.ceiling, DEFAULT_CEILING_DBTP, PRESET_LIMITS.ceilingDbtp.min, PRESET_LIMITS.ceilingDbtp.max, 'dBTP');
  const workers = parseNumber('workers', values.workers, availableParallelism(), 1, 256);
  if (!Number.isInteger(workers)) throw new UsageError(`--workers ${values.workers}: expected a whole number`);
  if (values.series && !values.json) throw new UsageError('--series needs --json (series are too long for the table)');
  if (positionals.length === 0) throw new UsageError('no files or folders given: try `liveblend analyze ./my-set`');

  const files = await collectAudioFiles(positionals);
  if (files.length === 0) {
    io.stderr.write(`liveblend analyze: no audio files (.wav .aif .aiff .flac .mp3) found in ${positionals.join(', ')}\n`);
    return 1;
  }
  const progress = createProgress(io.stderr, 'analyze');
  const fractions = new Array<number>(files.length).fill(0);
  const show = () => progress.update(fractions.reduce((s, f) => s + f, 0) / files.length, `${fractions.filter((f) => f >= 1).length}/${files.length} files`);
  const outcomes = await analyzeInPool(
    files.map((path) => ({ path, series: values.series })),
    workers,
    {
      onProgress: (i, f) => {
        fractions[i] = f;
        show();
      },
      onDone: (i) => {
        fractions[i] = 1;
        show();
      },
    },
  );
  progress.done();
  const report = buildReport(outcomes, target, ceiling);
  if (values.json) {
    const { failed: _failed, ...document } = report;
    io.stdout.write(JSON.stringify(document, null, 2) + '\n');
  } else {
    io.stdout.write(formatTable(report));
  }
  return report.failed > 0 ? 1 : 0;
}
