// worker_threads entry: load TypeScript through tsx, then run the analysis worker.
import { register } from 'tsx/esm/api';

register();
await import('./analysis-worker.ts');
