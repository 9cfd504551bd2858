import { createSocket, type Socket } from 'node:dgram';
import { Buffer } from 'node:buffer';
import { decode, encode } from 'node-osc';

export interface Received {
  address: string;
  args: unknown[];
  from: number;
}

/** A test-side OSC peer on 127.0.0.1: records what it receives and waits for it with a deadline. */
export class OscTestClient {
  readonly received: Received[] = [];
  private readonly socket: Socket = createSocket('udp4');
  private waiters = new Set<() => void>();

  async open(): Promise<this> {
    this.socket.on('message', (packet, rinfo) => {
      const message = decode(packet) as { address: string; args: Array<{ value: unknown }> };
      this.received.push({ address: message.address, args: message.args.map((a) => a.value), from: rinfo.port });
      for (const wake of this.waiters) wake();
    });
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Typed args: {type:'s'|'i'|'f', value}, or plain numbers and strings. */
  send(port: number, address: string, ...args: unknown[]): void {
    this.sendRaw(port, encode({ oscType: 'message', address, args }));
  }

  sendRaw(port: number, packet: Buffer): void {
    this.socket.send(packet, port, '127.0.0.1');
  }

  count(address: string): number {
    return this.received.filter((m) => m.address === address).length;
  }

  /** Resolves with the first message since `from` that matches, or rejects after `ms`. */
  next(address: string, { from = this.received.length, ms = 3000 }: { from?: number; ms?: number } = {}): Promise<Received> {
    return this.until(() => this.received.slice(from).find((m) => m.address === address), `${address} within ${ms} ms`, ms);
  }

  until<T>(probe: () => T | undefined | false, what: string, ms = 3000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined || value === false) return false;
        finish();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = () => void check();
      if (check()) return;
      this.waiters.add(wake);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
