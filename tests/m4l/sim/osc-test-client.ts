import { createSocket, type Socket } from 'node:dgram';
import { decode, encode } from 'node-osc';

/** A small OSC peer for tests: one UDP socket on 127.0.0.1 (port 0), node-osc's codec, typed sends and waits. */

export type OscValue = { type: 'i' | 'f' | 's'; value: number | string };

export interface Received {
  address: string;
  args: unknown[];
  from: number;
  atWallMs: number;
}

export class OscTestClient {
  readonly received: Received[] = [];
  private readonly socket: Socket;
  private readonly waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (packet, rinfo) => {
      const message = decode(packet) as { address: string; args: Array<{ value: unknown }> };
      this.received.push({ address: message.address, args: message.args.map((a) => a.value), from: rinfo.port, atWallMs: performance.now() });
      for (const wake of [...this.waiters]) wake();
    });
  }

  static async open(): Promise<OscTestClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new OscTestClient(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(port: number, address: string, ...args: OscValue[]): void {
    this.socket.send(encode({ oscType: 'message', address, args }), port, '127.0.0.1');
  }

  /** The first message received (from now on, or already) that matches; rejects after `timeoutMs`. */
  async waitFor(match: (m: Received) => boolean, timeoutMs: number, what: string, since = 0): Promise<Received> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(since).find(match);
      if (found) return found;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`OSC client: no ${what} within ${timeoutMs} ms (got ${[...new Set(this.received.map((m) => m.address))].join(', ') || 'nothing'})`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export const s = (value: string): OscValue => ({ type: 's', value });
export const f = (value: number): OscValue => ({ type: 'f', value });
