import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { AnalysisFileError, AnalysisFileResult, AnalysisState } from '../../shared/api';
import { DEFAULT_CEILING_DBTP, DEFAULT_TARGET_LUFS } from '../../shared/osc-protocol';
import { buildReport } from '../../cli/analyze-report';
import { collectAudioFiles } from '../../cli/collect-files';
import { analyzeInPool } from '../analysis/pool';
import type { AnalysisOutcome } from '../analysis/types';

export interface AnalyzeOptions {
  /** Files measured in parallel; default: all cores but one, so the core stays responsive. */
  workers?: number;
  /** Loudness target in LUFS for the proposed trims (default: the devices' default target). */
  target?: number;
  /** True-peak ceiling in dBTP the trims are checked against (default: the devices' default ceiling). */
  ceiling?: number;
}

export interface FileProgress {
  /** Index of the file in `job.files` (set order). */
  index: number;
  path: string;
  /** This file, 0…1. */
  fraction: number;
  /** The whole job, 0…1. */
  overall: number;
}

export interface AnalysisJobEvents {
  progress: [progress: FileProgress];
  /** One file finished, measured or failed. */
  file: [index: number, outcome: AnalysisOutcome];
  /** The panel's view of the job after any change. */
  state: [state: AnalysisState];
}

export type AnalysisJobResult =
  | { status: 'done'; outcomes: AnalysisOutcome[]; trims: TrimProposal[] }
  | { status: 'cancelled' }
  | { status: 'failed'; message: string };

export interface TrimProposal {
  path: string;
  /** dB that brings the song to the target; null for a file that failed or is silent. */
  trimDb: number | null;
  /** The same warnings as `liveblend analyze` (true peak over the ceiling, jumps, silence). */
  warnings: string[];
}

/**
 * The trims `liveblend analyze` would propose for these outcomes (in set order: jump warnings
 * compare each song with the one before), to seed a show's per-song trims.
 */
export function trimsFromAnalysis(outcomes: AnalysisOutcome[], target: number, ceiling = DEFAULT_CEILING_DBTP): TrimProposal[] {
  return buildReport(outcomes, target, ceiling).files.map((file) => ({
    path: file.path,
    trimDb: 'trimDb' in file ? file.trimDb : null,
    warnings: file.warnings,
  }));
}

/** One run of the analyzer over files and folders: events while it runs, `result` at the end. */
export class AnalysisJob {
  readonly id = randomUUID();
  readonly result: Promise<AnalysisJobResult>;
  /** The files found, in set order; empty until the folders have been searched. */
  files: string[] = [];
  private readonly emitter = new EventEmitter<AnalysisJobEvents>();
  private readonly abort = new AbortController();
  private readonly fractions: number[] = [];
  private readonly outcomes: (AnalysisOutcome | undefined)[] = [];
  private status: AnalysisState['status'] = 'running';
  private failure: AnalysisFileError | null = null;

  constructor(paths: string[], options: AnalyzeOptions) {
    this.result = this.run(paths, options);
  }

  /** Stops the workers at once; `result` then resolves as cancelled and no event follows. */
  cancel(): void {
    if (this.status !== 'running') return;
    this.status = 'cancelled';
    this.abort.abort();
    this.emitter.removeAllListeners();
  }

  on<E extends keyof AnalysisJobEvents>(event: E, listener: (...args: AnalysisJobEvents[E]) => void): () => void {
    const handler = listener as (...args: unknown[]) => void;
    (this.emitter as EventEmitter).on(event, handler);
    return () => (this.emitter as EventEmitter).off(event, handler);
  }

  state(): AnalysisState {
    const results: AnalysisFileResult[] = [];
    const errors: AnalysisFileError[] = this.failure ? [this.failure] : [];
    for (const outcome of this.outcomes) {
      if (!outcome) continue;
      if (outcome.ok) {
        const { path, durationSec, integrated, lra, truePeak, shortTermMax } = outcome.analysis;
        results.push({ path, durationSec, integrated, lra, truePeak, shortTermMax });
      } else {
        errors.push({ path: outcome.failure.path, message: outcome.failure.error.message });
      }
    }
    const running = this.files.findIndex((_, i) => !this.outcomes[i] && this.fractions[i] > 0);
    return {
      jobId: this.id,
      status: this.status,
      done: this.outcomes.filter(Boolean).length,
      total: this.files.length,
      progress: this.overall(),
      currentFile: this.status === 'running' && running >= 0 ? this.files[running] : null,
      results,
      errors,
    };
  }

  private async run(paths: string[], options: AnalyzeOptions): Promise<AnalysisJobResult> {
    const target = options.target ?? DEFAULT_TARGET_LUFS;
    const ceiling = options.ceiling ?? DEFAULT_CEILING_DBTP;
    const workers = options.workers ?? Math.max(1, availableParallelism() - 1);
    try {
      const files = await collectAudioFiles(paths);
      if (this.status === 'cancelled') return { status: 'cancelled' };
      if (files.length === 0) {
        return this.fail(paths.join(', '), `no audio files (.wav .aif .aiff .flac .mp3) found in ${paths.join(', ')}`);
      }
      this.files = files;
      this.fractions.push(...files.map(() => 0));
      this.emitState();
      const outcomes = await analyzeInPool(
        files.map((path) => ({ path, series: false })),
        workers,
        {
          signal: this.abort.signal,
          onProgress: (index, fraction) => this.progress(index, fraction),
          onDone: (index, outcome) => {
            this.outcomes[index] = outcome;
            this.progress(index, 1);
            this.emitter.emit('file', index, outcome);
          },
        },
      );
      this.status = 'done';
      this.emitState();
      this.emitter.removeAllListeners();
      return { status: 'done', outcomes, trims: trimsFromAnalysis(outcomes, target, ceiling) };
    } catch (error) {
      if (this.status === 'cancelled') return { status: 'cancelled' };
      return this.fail(paths.join(', '), `the analysis stopped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private progress(index: number, fraction: number): void {
    this.fractions[index] = fraction;
    this.emitter.emit('progress', { index, path: this.files[index], fraction, overall: this.overall() });
    this.emitState();
  }

  private overall(): number {
    return this.files.length === 0 ? 0 : this.fractions.reduce((sum, f) => sum + f, 0) / this.files.length;
  }

  private fail(path: string, message: string): AnalysisJobResult {
    this.status = 'failed';
    this.failure = { path, message };
    this.emitState();
    this.emitter.removeAllListeners();
    return { status: 'failed', message };
  }

  private emitState(): void {
    this.emitter.emit('state', this.state());
  }
}

/** Runs one analysis job at a time for the panel and remembers the last one. */
export class AnalysisService {
  private current: AnalysisJob | null = null;

  /** Starts measuring files (folders are searched recursively, in natural order). */
  analyze(paths: string[], options: AnalyzeOptions = {}): AnalysisJob {
    if (paths.length === 0) throw new Error('no files or folders given to analyze');
    if (this.current?.state().status === 'running') {
      throw new Error(`an analysis is already running (job ${this.current.id}): wait for it or cancel it first`);
    }
    this.current = new AnalysisJob(paths, options);
    return this.current;
  }

  /** The last job, or null before the first. */
  get job(): AnalysisJob | null {
    return this.current;
  }

  /** Cancels the running job with this id; false when there is none. */
  cancel(jobId: string): boolean {
    if (this.current?.id !== jobId || this.current.state().status !== 'running') return false;
    this.current.cancel();
    return true;
  }

  state(): AnalysisState {
    return this.current?.state() ?? { jobId: null, status: 'idle', done: 0, total: 0, progress: 0, currentFile: null, results: [], errors: [] };
  }
}
