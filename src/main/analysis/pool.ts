import { Worker } from 'node:worker_threads';
import type { AnalysisOutcome, AnalysisTask } from './types';

export interface PoolEvents {
  onProgress?: (index: number, fraction: number) => void;
  onDone?: (index: number, outcome: AnalysisOutcome) => void;
  /**
   * Cancels the run: workers are terminated at once, no event follows the abort, and the
   * returned promise rejects with the signal's reason once every worker has ended.
   */
  signal?: AbortSignal;
}

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

/**
 * Runs tasks on up to `workers` worker threads, one file per worker at a time; outcomes come back
 * in task order. A worker that dies reports its file as failed and is replaced.
 */
export async function analyzeInPool(tasks: AnalysisTask[], workers: number, events: PoolEvents = {}): Promise<AnalysisOutcome[]> {
  const { signal } = events;
  signal?.throwIfAborted();
  const outcomes: AnalysisOutcome[] = new Array(tasks.length);
  let next = 0;
  const runWorker = async (): Promise<void> => {
    while (next < tasks.length && !signal?.aborted) {
      const worker = new Worker(WORKER_ENTRY);
      try {
        while (next < tasks.length && !signal?.aborted) {
          const index = next++;
          const outcome = await runOne(worker, index, tasks[index], events);
          if (!outcome) return;
          outcomes[index] = outcome;
          events.onDone?.(index, outcome);
          if (!outcome.ok && outcome.failure.error.code === 'worker-crashed') break;
        }
      } finally {
        await worker.terminate();
      }
    }
  };
  const count = Math.max(1, Math.min(workers, tasks.length));
  const runs = await Promise.allSettled(Array.from({ length: count }, runWorker));
  signal?.throwIfAborted();
  const failed = runs.find((run) => run.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomes;
}

/** One file on one worker; null when the run was aborted first. */
function runOne(worker: Worker, index: number, task: AnalysisTask, events: PoolEvents): Promise<AnalysisOutcome | null> {
  const { signal } = events;
  return new Promise((resolve) => {
    const onMessage = (message: { id: number; progress?: number; outcome?: AnalysisOutcome }) => {
      if (message.id !== index) return;
      if (message.progress !== undefined) events.onProgress?.(index, message.progress);
      if (message.outcome) {
        cleanup();
        resolve(message.outcome);
      }
    };
    const onError = (error: Error) => {
      cleanup();
      resolve({
        ok: false,
        failure: { path: task.path, error: { code: 'worker-crashed', message: `${task.path}: the analysis worker failed (${error.message}); run again with --workers 1 and report the file` } },
      });
    };
    const onAbort = () => {
      cleanup();
      resolve(null);
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage({ id: index, task });
  });
}
