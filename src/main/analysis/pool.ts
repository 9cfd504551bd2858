import { Worker } from 'node:worker_threads';
import type { AnalysisOutcome, AnalysisTask } from './types';

export interface PoolEvents {
  onProgress?: (index: number, fraction: number) => void;
  onDone?: (index: number, outcome: AnalysisOutcome) => void;
}

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

/**
 * Runs tasks on up to `workers` worker threads, one file per worker at a time; outcomes come back
 * in task order. A worker that dies reports its file as failed and is replaced.
 */
export async function analyzeInPool(tasks: AnalysisTask[], workers: number, events: PoolEvents = {}): Promise<AnalysisOutcome[]> {
  const outcomes: AnalysisOutcome[] = new Array(tasks.length);
  let next = 0;
  const runWorker = async (): Promise<void> => {
    while (next < tasks.length) {
      const worker = new Worker(WORKER_ENTRY);
      try {
        while (next < tasks.length) {
          const index = next++;
          outcomes[index] = await runOne(worker, index, tasks[index], events);
          events.onDone?.(index, outcomes[index]);
          if (!outcomes[index].ok && outcomes[index].failure.error.code === 'worker-crashed') break;
        }
      } finally {
        await worker.terminate();
      }
    }
  };
  const count = Math.max(1, Math.min(workers, tasks.length));
  await Promise.all(Array.from({ length: count }, runWorker));
  return outcomes;
}

function runOne(worker: Worker, index: number, task: AnalysisTask, events: PoolEvents): Promise<AnalysisOutcome> {
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
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage({ id: index, task });
  });
}
