import { wsServerMessageSchema, type ConnectionState, type EventChannel, type EventPayload, type PanelApi, type RequestChannel, type RequestParams, type RequestResult } from '../../../shared/api';
import { createEmitter } from './emitter';

/** The browser's WebSocket, narrowed to what the client uses so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export interface WsApiOptions {
  createSocket?: (url: string) => SocketLike;
  /** A request with no reply after this long fails instead of hanging the panel. */
  requestTimeoutMs?: number;
  /** Reconnect delays double from the first up to the last, and reset once connected. */
  backoffMs?: { first: number; max: number };
  timers?: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (handle: unknown) => void };
}

const OPEN = 1;

interface Pending {
  channel: RequestChannel;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: unknown;
}

/**
 * The PanelApi over a WebSocket to the core (`liveblend serve`): request ids matched to replies,
 * per-request timeouts, events fanned out to listeners, and reconnection with exponential backoff
 * so a restarted core is picked up without reloading the page.
 */
export function createWsApi(url: string, options: WsApiOptions = {}): PanelApi {
  const createSocket = options.createSocket ?? ((target: string) => new WebSocket(target) as unknown as SocketLike);
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const backoff = options.backoffMs ?? { first: 250, max: 5_000 };
  const timers = options.timers ?? { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>) };

  const events = createEmitter();
  const connection = createEmitter();
  const pending = new Map<number, Pending>();
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | null = null;
  let nextId = 1;
  let delay = backoff.first;
  let reconnectTimer: unknown = null;
  let closed = false;

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    connection.emit('state', next);
  }

  function failPending(message: string): void {
    for (const [id, request] of pending) {
      timers.clearTimeout(request.timer);
      request.reject(new Error(`${request.channel}: ${message}`));
      pending.delete(id);
    }
  }

  function connect(): void {
    reconnectTimer = null;
    setState('connecting');
    const current = createSocket(url);
    socket = current;
    current.onopen = () => {
      delay = backoff.first;
      setState('open');
    };
    current.onmessage = (event) => receive(event.data);
    current.onerror = () => {
      // A failed connection is followed by close; the close handler reconnects.
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failPending('the connection to the LiveBlend core was lost; retry when it is back');
      setState('closed');
      if (!closed) {
        reconnectTimer = timers.setTimeout(connect, delay);
        delay = Math.min(delay * 2, backoff.max);
      }
    };
  }

  function receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      console.warn('LiveBlend: ignored a message from the core that is not JSON');
      return;
    }
    const parsed = wsServerMessageSchema.safeParse(json);
    if (!parsed.success) {
      console.warn('LiveBlend: ignored a malformed message from the core', parsed.error.message);
      return;
    }
    const message = parsed.data;
    if ('event' in message) {
      events.emit(message.event, message.payload);
      return;
    }
    if (message.id === null) {
      // The core could not read an id from something this client sent: nothing to settle, but worth knowing.
      if (!message.ok) console.warn(`LiveBlend: the core refused a message: ${message.error.message}`);
      return;
    }
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    timers.clearTimeout(request.timer);
    if (message.ok) request.resolve(message.result);
    else request.reject(new Error(`${request.channel}: ${message.error.message}`));
  }

  connect();

  return {
    request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>> {
      if (!socket || socket.readyState !== OPEN) {
        return Promise.reject(new Error(`${channel}: the LiveBlend core is not reachable; the panel reconnects by itself`));
      }
      const id = nextId++;
      const open = socket;
      return new Promise<RequestResult<C>>((resolve, reject) => {
        const timer = timers.setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${channel}: no reply from the core after ${requestTimeoutMs} ms`));
        }, requestTimeoutMs);
        pending.set(id, { channel, resolve: resolve as (result: unknown) => void, reject, timer });
        open.send(JSON.stringify({ id, channel, params }));
      });
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return events.on(event, listener as (payload: unknown) => void);
    },
    connectionState: () => state,
    onConnectionChange(listener: (state: ConnectionState) => void): () => void {
      return connection.on('state', listener as (payload: unknown) => void);
    },
    close(): void {
      closed = true;
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      failPending('the panel closed the connection');
      const current = socket;
      socket = null;
      current?.close();
      setState('closed');
    },
  };
}
