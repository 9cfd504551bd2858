import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { AppInfo, Settings } from '../../shared/api';
import { AnalysisService } from './analysis-service';
import { LinkService } from './link-service';
import { loudnessLogPort } from './log-port';
import { LoudnessLog } from './loudness-log';
import { OscHub } from './osc-hub';
import { PanelCore } from './panel-core';
import { SHOW_FILE_SUFFIX, ShowStore } from './show-store';

/**
 * Starts everything behind the panel for either shell: the show (opened, or created on first
 * run), the loudness log, the OSC hub on the discovery port, the analysis service and, in the
 * background, Link. Anything that fails to start is closed again before the error reaches the
 * caller.
 */

export interface StartCoreOptions {
  app: AppInfo;
  settings: Settings;
  /** 127.0.0.1, or 0.0.0.0 in LAN mode so devices on other machines can announce themselves. */
  discoveryHost: string;
  /** Where shows and the loudness log live (default ~/.liveblend, or $LIVEBLEND_HOME). */
  dataDir?: string;
  /** A show file to open (created if it does not exist). Default: <dataDir>/shows/My Show.liveblend.json. */
  showPath?: string;
  /** Join the Link session (off in tests: it reaches the network). */
  link?: boolean;
  onProblem?: (message: string) => void;
}

export interface RunningCore {
  core: PanelCore;
  hub: OscHub;
  store: ShowStore;
  close(): Promise<void>;
}

export function defaultDataDir(): string {
  return process.env.LIVEBLEND_HOME ?? join(homedir(), '.liveblend');
}

export async function openOrCreateShow(path: string): Promise<ShowStore> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) return ShowStore.open(path);
  if (!path.endsWith(SHOW_FILE_SUFFIX)) throw new Error(`${path}: a new show file's name must end in ${SHOW_FILE_SUFFIX}`);
  return ShowStore.create(dirname(path), { name: basename(path, SHOW_FILE_SUFFIX) });
}

export async function startCore(options: StartCoreOptions): Promise<RunningCore> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const report = options.onProblem ?? ((message: string) => console.warn(`liveblend: ${message}`));
  const cleanups: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const store = await openOrCreateShow(options.showPath ?? join(dataDir, 'shows', `My Show${SHOW_FILE_SUFFIX}`));
    const log = await LoudnessLog.open(join(dataDir, 'loudness-log.jsonl'), { onWarning: report });
    cleanups.push(() => log.close());
    const hub = new OscHub({ host: options.discoveryHost, port: options.settings.discoveryPort, name: `LiveBlend ${options.app.shell}` });
    cleanups.push(() => hub.close());
    await hub.start();
    const link = options.link ? new LinkService() : undefined;
    const core = new PanelCore({ hub, store, app: options.app, settings: options.settings, link, log: loudnessLogPort(log), analysis: new AnalysisService() });
    cleanups.push(() => core.close());
    core.problems.on('problem', report);
    if (link) {
      cleanups.push(() => link.stop());
      // Link's host process takes a moment; the panel serves meanwhile and shows Link when it is up.
      link.start().catch((error: Error) => report(`Ableton Link is off: ${error.message}`));
    }
    return { core, hub, store, close };
  } catch (error) {
    await close();
    throw error;
  }
}
