import { createRequire } from 'node:module';

/**
 * The part of the `abletonlink` addon (node-abletonlink 0.1.x) LiveBlend uses. Its own index.d.ts
 * omits the properties, so they are typed here from the addon's source (napi-abletonlink.hpp).
 * `bpm`, `beat` and `phase` are the values captured by the last `update()`; `numPeers`,
 * `isPlaying` and `isPlayStateSync` are read live.
 */
export interface LinkAddon {
  readonly bpm: number;
  readonly beat: number;
  /** 0 ≤ phase < quantum, at the last `update()`. */
  readonly phase: number;
  quantum: number;
  readonly numPeers: number;
  readonly isPlaying: boolean;
  isPlayStateSync: boolean;
  getLinkEnable(): boolean;
  enable(): void;
  disable(): void;
  /** Captures tempo, beat and phase from the session state for the current quantum. */
  update(): void;
}

type LinkAddonConstructor = new (bpm: number, quantum: number, enable: boolean) => LinkAddon;

/**
 * Creates a Link instance with Link switched OFF: joining must happen through `enable()`, which
 * starts a brand-new session so Link's "older session wins" rule makes us adopt an existing
 * session's tempo instead of pushing ours into it.
 *
 * The addon starts a static C++ thread that is never joined, so any process that loaded it aborts
 * in its static destructors at exit ("terminate called without an active exception"). Load it only
 * in a process that ends itself with SIGKILL (see link-host.ts).
 */
export function createDisabledLink(quantum: number): LinkAddon {
  const AbletonLink = createRequire(import.meta.url)('abletonlink') as LinkAddonConstructor;
  return new AbletonLink(120, quantum, false);
}
