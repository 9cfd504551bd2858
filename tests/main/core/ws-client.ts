import WebSocket from 'ws';
import type { EventChannel, EventPayload, RequestChannel, RequestResult, WsServerMessage } from '../../../src/shared/api';

/** A minimal PanelApi client over ws for tests and the benchmark: requests by id, events by name. */
export class TestWsClient {
  private nextId = 1;
  private readonly pending = new Map<number | null, (message: WsServerMessage) => void>();
  private readonly listeners = new Set<(event: EventChannel, payload: unknown) => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WsServerMessage;
      if ('event' in message) {
        for (const listener of this.listeners) listener(message.event, message.payload);
      } else {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<TestWsClient> {
    const socket = new WebSocket(url, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TestWsClient(socket)));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** Sends anything (tests send malformed messages on purpose) and resolves with the reply to `id` (null: a refusal with no id). */
  raw(message: unknown, id: number | null): Promise<WsServerMessage> {
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    });
  }

  async request<C extends RequestChannel>(channel: C, params: unknown = {}): Promise<RequestResult<C>> {
    const id = this.nextId++;
    const reply = await this.raw({ id, channel, params }, id);
    if ('ok' in reply && reply.ok) return reply.result as RequestResult<C>;
    throw new Error('error' in reply ? reply.error.message : 'unexpected reply');
  }

  /** Raw reply, for tests that expect a refusal. */
  async reply(channel: string, params: unknown = {}): Promise<WsServerMessage> {
    const id = this.nextId++;
    return this.raw({ id, channel, params }, id);
  }

  on(listener: (event: EventChannel, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first payload of `event` that satisfies `match`, or rejects after timeoutMs. */
  waitFor<E extends EventChannel>(event: E, match: (payload: EventPayload<E>) => boolean = () => true, timeoutMs = 5000): Promise<EventPayload<E>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${event} event matching within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on((name, payload) => {
        if (name === event && match(payload as EventPayload<E>)) {
          clearTimeout(timer);
          off();
          resolve(payload as EventPayload<E>);
        }
      });
    });
  }

  close(): Promise<unknown> {
    this.socket.close();
    return this.closed;
  }
}
