import { formatSendDb, type LiveObject, type LiveSet, type LomValue } from './live-model';

/**
 * LiveAPI, the [js] object's window on Live (Max's "LiveAPI" JavaScript class), over the model
 * in live-model.ts: `new LiveAPI(callback, path)`, `id` (0 when the path leads nowhere; set to 0
 * to let go), `path`/`unquotedpath`, `property` (observe; "" stops), `get`, `set`, `getcount` and
 * `call("str_for_value", v)`. Values come back as Max atoms in an array, object lists as
 * "id N" pairs, and an observer is called at once with the current value, as Live does.
 */

export type LiveApiCallback = ((this: unknown, args: unknown[]) => void) | null;

export interface LiveApiInstance {
  readonly id: number | string;
  readonly path: string;
  readonly unquotedpath: string;
  property: string;
  get(property: string): unknown[];
  set(property: string, value: unknown): void;
  getcount(list: string): number;
  call(name: string, ...args: unknown[]): unknown;
}

export type LiveApiConstructor = new (callback: LiveApiCallback, path: string) => LiveApiInstance;

/** A LiveAPI class for one device: `this_device` paths resolve to `devicePath`. */
export function liveApiFor(set: LiveSet, devicePath: string): LiveApiConstructor {
  return class FakeLiveApi implements LiveApiInstance {
    private target: LiveObject | undefined;
    private watched = '';
    private unobserve: (() => void) | null = null;

    constructor(
      private readonly callback: LiveApiCallback,
      path: string,
    ) {
      this.target = set.resolve(path.replace(/^this_device\b/, devicePath));
    }

    get id(): number {
      return this.target?.id ?? 0;
    }

    set id(value: number | string) {
      this.stopObserving();
      this.target = Number(value) === 0 ? undefined : set.object(Number(value));
    }

    get path(): string {
      return this.target ? `"${this.target.path}"` : '""';
    }

    get unquotedpath(): string {
      return this.target?.path ?? '';
    }

    get property(): string {
      return this.watched;
    }

    set property(name: string) {
      this.stopObserving();
      this.watched = name;
      const target = this.target;
      if (!name || !target || !this.callback) return;
      const report = () => this.callback?.call(this, [name, ...atoms(target, name)]);
      this.unobserve = target.observe(name, report);
      report();
    }

    get(property: string): unknown[] {
      return this.target ? atoms(this.target, property) : [];
    }

    set(property: string, value: unknown): void {
      if (!this.target || !this.target.has(property)) throw new Error(`LiveAPI: ${this.unquotedpath} has no property ${property}`);
      this.target.set(property, value as LomValue);
    }

    getcount(list: string): number {
      return this.target?.lists.get(list)?.length ?? 0;
    }

    call(name: string, ...args: unknown[]): unknown {
      if (name === 'str_for_value' && this.target?.kind === 'DeviceParameter') return formatSendDb(Number(args[0]));
      throw new Error(`LiveAPI: ${this.unquotedpath} has no function ${name}`);
    }

    private stopObserving(): void {
      this.unobserve?.();
      this.unobserve = null;
      this.watched = '';
    }
  };
}

function atoms(target: LiveObject, property: string): unknown[] {
  const list = target.lists.get(property);
  if (list) return list.flatMap((child) => ['id', child.id]);
  const value = target.get(property);
  return value === undefined ? [] : [value];
}
