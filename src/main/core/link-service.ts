import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { LinkState } from '../../shared/api';
import { hostMessageSchema, MAX_QUANTUM, MIN_QUANTUM, monotonicMs, type HostCommand, type HostConfig, type HostSnapshot } from './link-protocol';
import { advance, barPosition, msUntilNextBar, type BarPosition } from './link-timing';

export interface LinkServiceOptions {
  /** Beats per bar (Link's quantum), default 4. */
  quantum?: number;
  /** Share start/stop with the session; off by default so Live's transport is never touched. */
  startStopSync?: boolean;
  /** Join the session as soon as the service starts (default true). */
  enabled?: boolean;
  /** How long the Link host process may take to start, default 15 s. */
  startTimeoutMs?: number;
}

export interface LinkServiceEvents {
  tempo: [tempo: number];
  peers: [peers: number];
  playing: [playing: boolean];
  /** Every reading from the host: at least once a second, and at once on any change. */
  state: [state: LinkState];
  /** The host process died; Link is off until the service is started again. */
  failed: [message: string];
}

const HOST_ENTRY = fileURLToPath(new URL('./link-host-entry.js', import.meta.url));
const STOP_DEADLINE_MS = 3000;

/** The state Link shows before LiveBlend joins a session, or when Link is not running at all. */
export function linkOff(quantum = 4): LinkState {
  return { enabled: false, tempo: 120, beat: 0, phase: 0, quantum, peers: 0, playing: false };
}

/**
 * Ableton Link for the panel: tempo, beat, phase, peers and play state, with events on change.
 *
 * Joining never changes the session's tempo: Link starts switched off and `enable` opens a new
 * session, which Link's rule (the older session wins) folds into any session already running.
 * The addon runs in a child process (link-host.ts) because it aborts the process that loaded it
 * at exit; the child leaves the session and ends itself when stopped or when the core goes away.
 */
export class LinkService {
  private readonly emitter = new EventEmitter<LinkServiceEvents>();
  private readonly config: HostConfig;
  private readonly startTimeoutMs: number;
  private host: ChildProcess | null = null;
  private reading: HostSnapshot | null = null;
  private stopping: Promise<void> | null = null;
  /** Pending waitForState calls, failed at once when the host ends. */
  private readonly waiters = new Set<(error: Error) => void>();

  constructor(options: LinkServiceOptions = {}) {
    const quantum = options.quantum ?? 4;
    checkQuantum(quantum);
    this.config = { quantum, startStopSync: options.startStopSync ?? false, enabled: options.enabled ?? true };
    this.startTimeoutMs = options.startTimeoutMs ?? 15_000;
  }

  /** Starts the Link host and resolves with its first reading. */
  async start(): Promise<LinkState> {
    if (this.host) throw new Error('the Link service is already running');
    this.stopping = null;
    const stderr: string[] = [];
    const host = fork(HOST_ENTRY, [JSON.stringify(this.config)], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.host = host;
    host.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    host.on('message', (raw) => this.receive(raw));
    host.once('exit', (code, signal) => {
      const expected = this.stopping !== null;
      this.host = null;
      if (this.reading) this.reading = { ...this.reading, enabled: false, peers: 0 };
      const detail = stderr.join('').trim();
      const message = expected
        ? 'the Link service was stopped'
        : `the Link host process ended unexpectedly (${signal ?? `exit code ${code}`})${detail ? `: ${detail}` : ''}; Link is off`;
      for (const fail of [...this.waiters]) fail(new Error(message));
      if (!expected) this.emitter.emit('failed', message);
    });
    try {
      return await this.waitForState(() => true, this.startTimeoutMs, 'the Link host to start');
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Leaves the session and ends the host. Safe to call more than once, or when never started. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const host = this.host;
    if (!host) return Promise.resolve();
    this.stopping = new Promise<void>((resolve) => {
      const killTimer = setTimeout(() => host.kill('SIGKILL'), STOP_DEADLINE_MS);
      host.once('exit', () => {
        clearTimeout(killTimer);
        resolve();
      });
      if (!this.command({ type: 'stop' })) host.kill('SIGTERM');
    });
    return this.stopping;
  }

  get running(): boolean {
    return this.host !== null && this.stopping === null;
  }

  /** Joins (true) or leaves (false) the session; resolves once the host reports it. */
  setEnabled(enabled: boolean): Promise<LinkState> {
    this.requireRunning();
    this.command({ type: 'enable', enabled });
    return this.waitForState((s) => s.enabled === enabled, 2000, `Link to be ${enabled ? 'enabled' : 'disabled'}`);
  }

  /** Beats per bar for beat, phase and bar position. */
  setQuantum(quantum: number): Promise<LinkState> {
    checkQuantum(quantum);
    this.requireRunning();
    this.command({ type: 'quantum', quantum });
    return this.waitForState((s) => s.quantum === quantum, 2000, `the quantum to become ${quantum}`);
  }

  setStartStopSync(enabled: boolean): Promise<LinkState> {
    this.requireRunning();
    this.command({ type: 'startStopSync', enabled });
    return this.waitForState(() => this.startStopSync === enabled, 2000, `start/stop sync to be ${enabled ? 'on' : 'off'}`);
  }

  get startStopSync(): boolean {
    return this.reading?.startStopSync ?? this.config.startStopSync;
  }

  /** The session now: beat and phase are carried forward from the host's last reading. */
  state(): LinkState {
    const r = this.reading;
    if (!r) return linkOff(this.config.quantum);
    const now = r.enabled && this.host ? advance(r, monotonicMs() - r.at) : r;
    return { enabled: r.enabled, tempo: r.tempo, beat: now.beat, phase: now.phase, quantum: r.quantum, peers: r.peers, playing: r.playing };
  }

  position(): BarPosition {
    const s = this.state();
    return barPosition(s.beat, s.phase, s.quantum);
  }

  /** Milliseconds to the session's next bar line, to apply a preset change on it. */
  msUntilNextBar(): number {
    const s = this.state();
    return msUntilNextBar(s.phase, s.quantum, s.tempo);
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends keyof LinkServiceEvents>(event: E, listener: (...args: LinkServiceEvents[E]) => void): () => void {
    const handler = listener as (...args: unknown[]) => void;
    (this.emitter as EventEmitter).on(event, handler);
    return () => (this.emitter as EventEmitter).off(event, handler);
  }

  /** Resolves with the first reading (the current one included) that passes `test`. */
  waitForState(test: (state: LinkState) => boolean, timeoutMs: number, what = 'the Link session'): Promise<LinkState> {
    if (this.reading && test(this.state())) return Promise.resolve(this.state());
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => finish(error);
      const finish = (error: Error | null, state?: LinkState) => {
        clearTimeout(timer);
        offState();
        offFailed();
        this.waiters.delete(fail);
        if (error) reject(error);
        else resolve(state as LinkState);
      };
      const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      const offState = this.on('state', (state) => {
        if (test(state)) finish(null, state);
      });
      const offFailed = this.on('failed', (message) => finish(new Error(message)));
      this.waiters.add(fail);
    });
  }

  private receive(raw: unknown): void {
    const message = hostMessageSchema.safeParse(raw);
    if (!message.success) return;
    if (message.data.type === 'failed') {
      this.emitter.emit('failed', message.data.message);
      return;
    }
    const previous = this.reading;
    this.reading = message.data;
    const next = message.data;
    if (previous?.tempo !== next.tempo) this.emitter.emit('tempo', next.tempo);
    if (previous?.peers !== next.peers) this.emitter.emit('peers', next.peers);
    if (previous?.playing !== next.playing) this.emitter.emit('playing', next.playing);
    this.emitter.emit('state', this.state());
  }

  private command(command: HostCommand): boolean {
    const host = this.host;
    if (!host?.connected) return false;
    host.send(command);
    return true;
  }

  private requireRunning(): void {
    if (!this.running) throw new Error('the Link service is not running: call start() first');
  }
}

function checkQuantum(quantum: number): void {
  if (!Number.isFinite(quantum) || quantum < MIN_QUANTUM || quantum > MAX_QUANTUM) {
    throw new RangeError(`quantum ${quantum}: expected beats per bar from ${MIN_QUANTUM} to ${MAX_QUANTUM}`);
  }
}
