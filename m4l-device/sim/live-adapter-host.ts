import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { liveApiFor } from './fake-live-api';
import type { LiveSet } from './live-model';

/**
 * Runs the device's real [js] adapter (m4l-device/live/liveblend-live.js) as Max's [js] object
 * would: one global scope with LiveAPI, outlet, post and messnamed, its top-level functions
 * called by message name. The clock is the rig's, so the adapter's 50 ms song_time throttle
 * counts simulated time at any speed.
 */

export const LIVE_ADAPTER_PATH = fileURLToPath(new URL('../live/liveblend-live.js', import.meta.url));

export type MaxAtom = string | number;

export interface LiveAdapterOptions {
  set: LiveSet;
  /** LOM path of the device (what this_device resolves to). */
  devicePath: string;
  /** Everything the adapter sends out of outlet 0: [selector, ...atoms]. */
  onMessage: (message: MaxAtom[]) => void;
  /** Milliseconds, for the adapter's Date.now(). */
  now: () => number;
  onPost?: (text: string) => void;
}

export interface LiveAdapter {
  /** live.thisdevice's bang. */
  bang(): void;
  /** A message from node.script ("js send_level Reverb -12" arrives here as send_level Reverb -12). */
  message(selector: string, ...atoms: MaxAtom[]): void;
  /** The device is being deleted. */
  notifydeleted(): void;
}

let source: vm.Script | null = null;

function adapterScript(): vm.Script {
  source ??= new vm.Script(readFileSync(LIVE_ADAPTER_PATH, 'utf8'), { filename: LIVE_ADAPTER_PATH });
  return source;
}

export function loadLiveAdapter(options: LiveAdapterOptions): LiveAdapter {
  const context = vm.createContext({
    LiveAPI: liveApiFor(options.set, options.devicePath),
    outlet: (_outlet: number, ...atoms: MaxAtom[]) => options.onMessage(atoms),
    post: (...parts: unknown[]) => options.onPost?.(parts.join(' ')),
    messnamed: () => undefined,
  });
  vm.runInContext('Date.now = function () { return __now(); };', Object.assign(context, { __now: options.now }));
  adapterScript().runInContext(context);
  const call = (name: string, ...atoms: MaxAtom[]) => {
    const fn = (context as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new Error(`liveblend-live.js has no handler for '${name}'`);
    fn(...atoms);
  };
  return {
    bang: () => call('bang'),
    message: (selector, ...atoms) => call(selector, ...atoms),
    notifydeleted: () => call('notifydeleted'),
  };
}
