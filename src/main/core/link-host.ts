import { createDisabledLink, type LinkAddon } from './link-addon';
import { hostCommandSchema, hostConfigSchema, monotonicMs, type HostMessage, type HostSnapshot } from './link-protocol';

/**
 * The process that owns the Link addon for LinkService. It exists because the addon makes any
 * process that loaded it abort at exit (see link-addon.ts): this one switches Link off, gives
 * Link's network thread a moment to say goodbye to the peers, then ends itself with SIGKILL, which
 * skips the static destructors. The core process never loads the addon and exits cleanly.
 */

const POLL_MS = 20;
/** A snapshot at least this often even when nothing changed, so the core knows the host lives. */
const HEARTBEAT_MS = 1000;
/** Beats the session may drift from the last snapshot's extrapolation before a new one is sent. */
const BEAT_DRIFT = 0.002;
const GOODBYE_DEADLINE_MS = 250;

/**
 * A joined session's tempo is read through Link's measured clock mapping, so 133 BPM arrives as
 * 132.99995: round to a thousandth so a steady session reads steady and a tempo event is a change.
 */
const roundTempo = (bpm: number) => Math.round(bpm * 1000) / 1000;

function send(message: HostMessage): void {
  if (process.connected) process.send?.(message);
}

function snapshot(link: LinkAddon, at: number): HostSnapshot {
  link.update();
  return {
    type: 'state',
    at,
    enabled: link.getLinkEnable(),
    tempo: roundTempo(link.bpm),
    beat: link.beat,
    phase: link.phase,
    quantum: link.quantum,
    peers: link.numPeers,
    playing: link.isPlaying,
    startStopSync: link.isPlayStateSync,
  };
}

function worthSending(last: HostSnapshot | null, next: HostSnapshot): boolean {
  if (!last) return true;
  const predictedBeat = last.beat + ((next.at - last.at) * last.tempo) / 60_000;
  return (
    next.at - last.at >= HEARTBEAT_MS ||
    Math.abs(next.beat - predictedBeat) > BEAT_DRIFT ||
    next.tempo !== last.tempo ||
    next.peers !== last.peers ||
    next.playing !== last.playing ||
    next.enabled !== last.enabled ||
    next.quantum !== last.quantum ||
    next.startStopSync !== last.startStopSync
  );
}

function run(): void {
  const config = hostConfigSchema.safeParse(JSON.parse(process.argv[2] ?? 'null'));
  if (!process.send || !config.success) {
    process.stderr.write('link-host is started by LinkService (it needs an IPC channel and a config argument)\n');
    process.exit(2);
  }
  let link: LinkAddon;
  try {
    link = createDisabledLink(config.data.quantum);
  } catch (error) {
    send({ type: 'failed', message: `the Ableton Link addon could not be loaded: ${error instanceof Error ? error.message : String(error)}` });
    process.disconnect();
    return;
  }
  link.isPlayStateSync = config.data.startStopSync;
  if (config.data.enabled) link.enable();

  let last: HostSnapshot | null = null;
  const poll = () => {
    const next = snapshot(link, monotonicMs());
    if (worthSending(last, next)) {
      last = next;
      send(next);
    }
  };
  const timer = setInterval(poll, POLL_MS);
  poll();

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    link.disable();
    // Disabling hands Link's goodbye to its network thread; the peer count drops to 0 once the
    // thread has processed it, and only then is it safe to vanish without leaving a ghost peer.
    const deadline = monotonicMs() + GOODBYE_DEADLINE_MS;
    const waitForGoodbye = setInterval(() => {
      if (link.numPeers === 0 || monotonicMs() > deadline) {
        clearInterval(waitForGoodbye);
        process.kill(process.pid, 'SIGKILL');
      }
    }, 5);
  };

  process.on('message', (raw) => {
    const command = hostCommandSchema.safeParse(raw);
    if (!command.success) return;
    switch (command.data.type) {
      case 'enable':
        if (command.data.enabled) link.enable();
        else link.disable();
        break;
      case 'quantum':
        link.quantum = command.data.quantum;
        break;
      case 'startStopSync':
        link.isPlayStateSync = command.data.enabled;
        break;
      case 'stop':
        shutdown();
        return;
    }
    poll();
  });
  // The core went away (closed, crashed or killed): leave the session rather than linger in it.
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
  // Ctrl-C in a terminal reaches the whole process group; the core decides when the host ends.
  process.on('SIGINT', () => undefined);
}

run();
