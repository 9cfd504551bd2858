import { parentPort } from 'node:worker_threads';
import { analyzeFile } from './analyze-file';
import type { AnalysisTask } from './types';

/** Messages: in { id, task }; out { id, progress } and { id, outcome }. */
parentPort?.on('message', (message: { id: number; task: AnalysisTask }) => {
  const { id, task } = message;
  void analyzeFile(task, (fraction) => parentPort?.postMessage({ id, progress: fraction })).then((outcome) =>
    parentPort?.postMessage({ id, outcome }),
  );
});
