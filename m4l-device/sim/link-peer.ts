import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { LiveSet } from './live-model';

/**
 * The rig's Ableton Link peer, joined as Live joins: it adopts a running session's tempo and
 * publishes the set's own tempo changes. The addon runs in link-peer-child.cjs, a process of
 * its own, because the addon aborts any process that loaded it when that process exits.
 */

const CHILD = fileURLToPath(new URL('./link-peer-child.cjs', import.meta.url));
const fromChild = z.object({ type: z.literal('tempo'), bpm: z.number().min(20).max(999) });

export interface LinkPeer {
  leave(): Promise<void>;
}

export function joinLink(set: LiveSet): LinkPeer {
  const child = fork(CHILD, [String(set.tempo), String(set.beatsPerBar)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let following = 0;
  child.on('message', (raw) => {
    const parsed = fromChild.safeParse(raw);
    if (!parsed.success) return;
    following = parsed.data.bpm;
    set.setTempo(parsed.data.bpm);
  });
  const stopPublishing = set.song.observe('tempo', () => {
    if (set.tempo !== following && child.connected) child.send({ type: 'tempo', bpm: set.tempo });
  });
  return {
    async leave() {
      stopPublishing();
      if (child.connected) child.send({ type: 'leave' });
      await exited;
    },
  };
}
