import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * One node.script: the device bundle in its own process (as Max runs each node.script), with
 * the max-api module of max-api-preload.cjs talking to this side over IPC. Its embedded dicts
 * live here, in a DictStore the rig keeps per device, so they outlast the process: restarting
 * it is what reopening a saved set does.
 */

const PRELOAD = fileURLToPath(new URL('./max-api-preload.cjs', import.meta.url));
const STOP_GRACE_MS = 2000;

export type MaxAtom = string | number;

const atomSchema = z.union([z.string(), z.number()]);
const fromScript = z.discriminatedUnion('type', [
  z.object({ type: z.literal('outlet'), args: z.array(z.union([atomSchema, z.boolean(), z.null()])) }),
  z.object({ type: z.literal('post'), level: z.enum(['info', 'warn', 'error']), text: z.string() }),
  z.object({ type: z.literal('getDict'), id: z.string(), request: z.number() }),
  z.object({ type: z.literal('setDict'), id: z.string(), value: z.record(z.string(), z.unknown()), request: z.number() }),
  z.object({ type: z.literal('updateDict'), id: z.string(), path: z.string(), value: z.unknown(), request: z.number() }),
  z.object({ type: z.literal('synced'), request: z.number() }),
]);

/** The dicts of one device in the Live set: saved with the set, so they survive node restarts. */
export class DictStore {
  private readonly dicts = new Map<string, Record<string, unknown>>();

  get(id: string): Record<string, unknown> {
    return structuredClone(this.dicts.get(id) ?? {});
  }

  set(id: string, value: Record<string, unknown>): Record<string, unknown> {
    this.dicts.set(id, structuredClone(value));
    return this.get(id);
  }

  /** max-api's updateDict: a dotted path into the dict. */
  update(id: string, path: string, value: unknown): Record<string, unknown> {
    const root = this.get(id);
    const keys = path.split('.');
    let at: Record<string, unknown> = root;
    for (const key of keys.slice(0, -1)) {
      const next = at[key];
      at = (at[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
    }
    at[keys[keys.length - 1]] = value;
    return this.set(id, root);
  }
}

export interface NodeScriptOptions {
  script: string;
  dicts: DictStore;
  env?: NodeJS.ProcessEnv;
  onOutlet: (atoms: MaxAtom[]) => void;
  onPost?: (level: string, text: string) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export class NodeScriptHost {
  private readonly child: ChildProcess;
  private readonly syncs = new Map<number, () => void>();
  private nextSync = 1;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(private readonly options: NodeScriptOptions) {
    this.child = fork(options.script, [], {
      execArgv: ['--require', PRELOAD],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: options.env ?? process.env,
      serialization: 'json',
    });
    this.child.on('message', (raw) => this.receive(raw));
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        for (const done of this.syncs.values()) done();
        this.syncs.clear();
        options.onExit?.(code, signal);
        resolve();
      });
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  /** A Max message into node.script's inlet. */
  send(selector: string, ...args: MaxAtom[]): void {
    if (this.exited || !this.child.connected) return;
    this.deliver({ type: 'message', selector, args });
  }

  /** Resolves when everything sent so far has been handled (or the process is gone). */
  sync(): Promise<void> {
    if (this.exited || !this.child.connected) return Promise.resolve();
    const request = this.nextSync++;
    return new Promise((resolve) => {
      this.syncs.set(request, resolve);
      this.deliver({ type: 'sync', request });
    });
  }

  /** Ends the process as Max does when the device goes away: SIGTERM, then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exit;
    clearTimeout(timer);
  }

  private receive(raw: unknown): void {
    const parsed = fromScript.safeParse(raw);
    if (!parsed.success) {
      this.options.onPost?.('error', `max-api host: malformed message from node.script: ${parsed.error.issues[0].message}`);
      return;
    }
    const message = parsed.data;
    const { dicts } = this.options;
    switch (message.type) {
      case 'outlet':
        this.options.onOutlet(message.args.map((a) => (typeof a === 'boolean' ? Number(a) : a === null ? 0 : a)));
        break;
      case 'post':
        this.options.onPost?.(message.level, message.text);
        break;
      case 'getDict':
        this.reply(message.request, dicts.get(message.id));
        break;
      case 'setDict':
        this.reply(message.request, dicts.set(message.id, message.value));
        break;
      case 'updateDict':
        this.reply(message.request, dicts.update(message.id, message.path, message.value));
        break;
      case 'synced':
        this.syncs.get(message.request)?.();
        this.syncs.delete(message.request);
        break;
    }
  }

  private reply(request: number, value: Record<string, unknown>): void {
    if (!this.exited && this.child.connected) this.deliver({ type: 'dict', request, value });
  }

  /** A process that is ending closes its channel mid-send (EPIPE); its exit is reported, the write error is not. */
  private deliver(message: object): void {
    this.child.send(message, (error) => {
      if (error && !this.exited) this.options.onPost?.('error', `max-api host: could not reach node.script: ${error.message}`);
    });
  }
}
