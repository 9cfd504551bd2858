// Child-process entry for the Link host: load TypeScript through tsx, then run the host.
import { register } from 'tsx/esm/api';

register();
await import('./link-host.ts');
