/** Device sources for tests: the stand-in fixtures copied into a fresh temporary folder. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceSources } from '../../../m4l-device/patch/build-device';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

export interface FixtureSources {
  sources: DeviceSources;
  remove: () => void;
}

export function fixtureSources(): FixtureSources {
  const root = mkdtempSync(join(tmpdir(), 'liveblend-device-'));
  cpSync(join(here, 'fixtures'), root, { recursive: true });
  const sources: DeviceSources = {
    root,
    nodeEntry: join(root, 'src/index.ts'),
    liveScript: join(root, 'live/liveblend-live.js'),
    stripKernel: join(root, 'gen/strip.genexpr'),
    meterKernel: join(root, 'gen/meter.genexpr'),
    clickKernel: join(root, 'gen/click.genexpr'),
    paramsModule: join(root, 'gen/params.ts'),
    guide: join(root, 'guide.md'),
    releasedLongNames: join(repoRoot, 'm4l-device/released-long-names.json'),
    outDir: join(root, 'dist'),
  };
  return { sources, remove: () => rmSync(root, { recursive: true, force: true }) };
}
