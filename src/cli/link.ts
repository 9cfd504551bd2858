import { parseArgs } from 'node:util';
import type { LinkState } from '../shared/api';
import { LinkService } from '../main/core/link-service';
import { MAX_QUANTUM, MIN_QUANTUM } from '../main/core/link-protocol';
import { barPosition } from '../main/core/link-timing';
import { UsageError, type CliIo } from './io';

export const LINK_HELP = `Usage: liveblend link [options]

Joins the Ableton Link session on this network — without changing its tempo — and shows what it
sees once a second: tempo, peers, bar and beat, play state. Run it first when a laptop "cannot see"
the rig. Ctrl-C leaves the session.

Options:
  --json              wait until the session settles, print one JSON object and exit
                      (exit code 1 when no peer was found)
  --quantum <N>       beats per bar (default 4)
  --timeout <S>       with --json: longest wait in seconds (default 10)
  --start-stop-sync   also share start/stop with the session (off by default)
  -h, --help          show this help
`;

/** With --json, the session has settled once tempo, peers and play state held this long. */
const SETTLE_MS = 2000;
/** Without --json, say why the session may be empty after this long alone. */
const LONELY_HINT_MS = 5000;

const NO_PEERS_HINT = `no other Link peer found. Check that:
  - this computer and the rig are on the same network (and the same subnet);
  - no firewall blocks UDP port 20808 (Link's discovery, multicast 224.76.78.75);
  - Link is switched on in Live (Preferences → Link, Tempo & MIDI → Show Link Toggle, then the LINK button).
`;

function parseNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} ${value}: expected a number from ${min} to ${max}`);
  return n;
}

export async function runLink(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: false,
    options: {
      json: { type: 'boolean', default: false },
      quantum: { type: 'string' },
      timeout: { type: 'string' },
      'start-stop-sync': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(LINK_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}': link takes options only`);
  const quantum = parseNumber('quantum', values.quantum, 4, MIN_QUANTUM, MAX_QUANTUM);
  const timeoutSec = parseNumber('timeout', values.timeout, 10, 1, 3600);
  if (values.timeout !== undefined && !values.json) throw new UsageError('--timeout needs --json (without it, link runs until Ctrl-C)');

  const service = new LinkService({ quantum, startStopSync: values['start-stop-sync'] });
  const interrupted = onceInterrupted();
  try {
    const started = service.start();
    // Ctrl-C while the host is starting stops it, and start() then fails: nobody is waiting.
    started.catch(() => undefined);
    await Promise.race([started, interrupted.promise]);
    if (!service.running) return 0;
    return values.json ? await reportWhenSettled(service, timeoutSec * 1000, interrupted.promise, io) : await watch(service, interrupted.promise, io);
  } finally {
    interrupted.dispose();
    await service.stop();
  }
}

/** Resolves on Ctrl-C or SIGTERM, so the session is left cleanly either way. */
function onceInterrupted(): { promise: Promise<'interrupted'>; dispose: () => void } {
  let handler: () => void = () => undefined;
  const promise = new Promise<'interrupted'>((resolve) => {
    handler = () => resolve('interrupted');
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
  });
  return {
    promise,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

async function reportWhenSettled(service: LinkService, timeoutMs: number, interrupted: Promise<'interrupted'>, io: CliIo): Promise<number> {
  const settled = new Promise<void>((resolve) => {
    let settle = setTimeout(finish, SETTLE_MS);
    const deadline = setTimeout(finish, timeoutMs);
    const restart = () => {
      clearTimeout(settle);
      settle = setTimeout(finish, SETTLE_MS);
    };
    const offs = [service.on('tempo', restart), service.on('peers', restart), service.on('playing', restart)];
    function finish() {
      clearTimeout(settle);
      clearTimeout(deadline);
      for (const off of offs) off();
      resolve();
    }
    void interrupted.then(finish);
  });
  await settled;
  const s = service.state();
  const round = (v: number) => Math.round(v * 1000) / 1000;
  io.stdout.write(
    JSON.stringify({ tempo: s.tempo, peers: s.peers, beat: round(s.beat), phase: round(s.phase), quantum: s.quantum, playing: s.playing, startStopSync: service.startStopSync }) + '\n',
  );
  if (s.peers === 0) {
    io.stderr.write(`liveblend link: ${NO_PEERS_HINT}`);
    return 1;
  }
  return 0;
}

export function formatLinkLine(s: LinkState): string {
  const { bar, beatInBar } = barPosition(s.beat, s.phase, s.quantum);
  const peers = s.peers === 1 ? '1 peer ' : `${s.peers} peers`;
  return `${s.tempo.toFixed(2).padStart(7)} BPM  ${peers}  bar ${String(bar).padStart(4)} beat ${beatInBar}/${s.quantum}  ${s.playing ? 'playing' : 'stopped'}`;
}

async function watch(service: LinkService, interrupted: Promise<'interrupted'>, io: CliIo): Promise<number> {
  io.stdout.write(`Joined the Link session (quantum ${service.state().quantum}). Ctrl-C to leave.\n`);
  let aloneSince: number | null = Date.now();
  const tick = () => {
    const s = service.state();
    io.stdout.write(formatLinkLine(s) + '\n');
    if (s.peers > 0) aloneSince = null;
    else if (aloneSince === null) aloneSince = Date.now();
    else if (Date.now() - aloneSince >= LONELY_HINT_MS) {
      io.stderr.write(NO_PEERS_HINT);
      aloneSince = Number.POSITIVE_INFINITY;
    }
  };
  // The first line after a second: by then discovery has found the peers that are there.
  const timer = setInterval(tick, 1000);
  const failed = new Promise<string>((resolve) => service.on('failed', resolve));
  try {
    const outcome = await Promise.race([interrupted, failed]);
    if (outcome === 'interrupted') return 0;
    io.stderr.write(`liveblend link: ${outcome}\n`);
    return 1;
  } finally {
    clearInterval(timer);
  }
}
