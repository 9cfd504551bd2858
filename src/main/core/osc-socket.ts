import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { decode, encode } from 'node-osc';
import { MAX_OSC_PACKET_BYTES, type OscArg, type OscTag } from '../../shared/osc-protocol';

/**
 * A UDP socket speaking OSC messages. Decoding keeps the type tags (node-osc's decoder drops them,
 * and the protocol checks them). Nothing here throws at the caller: a packet that does not decode
 * and a socket error each become an event and a count.
 */

export interface OscIncoming {
  address: string;
  typeTags: string;
  values: unknown[];
  from: { address: string; port: number };
}

export interface OscSocketEvents {
  message: [OscIncoming];
  /** A packet that could not be decoded; the sender is named so a log can say who sends garbage. */
  malformed: [{ from: string; reason: string }];
  failure: [Error];
}

export interface OscSocketStats {
  received: number;
  sent: number;
  malformed: number;
  errors: number;
}

export class OscSocket extends EventEmitter<OscSocketEvents> {
  readonly stats: OscSocketStats = { received: 0, sent: 0, malformed: 0, errors: 0 };
  private readonly socket: Socket;

  constructor() {
    super();
    this.socket = createSocket('udp4');
    this.socket.on('message', (packet, rinfo) => this.receive(packet, rinfo));
    this.socket.on('error', (error) => this.fail(error));
  }

  bind(port: number, host: string): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(new Error(`cannot listen for LiveBlend devices on ${host}:${port}: ${error.message}${'code' in error && error.code === 'EADDRINUSE' ? ' (another panel or `liveblend serve` is running: close it or pick another --discovery-port)' : ''}`));
      this.socket.once('error', onError);
      this.socket.bind(port, host, () => {
        this.socket.off('error', onError);
        resolve(this.socket.address());
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Encodes with the protocol's own tags, so a float that happens to be whole still travels as 'f'. */
  send(to: { address: string; port: number }, address: string, spec: readonly OscArg[], values: readonly unknown[]): void {
    const args = spec.map((arg, i) => ({ type: arg.tag satisfies OscTag, value: values[i] }));
    let packet: Buffer;
    try {
      packet = encode({ oscType: 'message', address, args });
    } catch (error) {
      this.fail(new Error(`cannot encode ${address}: ${(error as Error).message}`));
      return;
    }
    if (packet.length > MAX_OSC_PACKET_BYTES) {
      this.fail(new Error(`${address} is ${packet.length} bytes, more than one UDP packet (${MAX_OSC_PACKET_BYTES}); not sent`));
      return;
    }
    this.socket.send(packet, to.port, to.address, (error) => {
      if (error) this.fail(error);
      else this.stats.sent++;
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private receive(packet: Buffer, rinfo: RemoteInfo): void {
    const from = { address: rinfo.address, port: rinfo.port };
    let decoded: { oscType: string; address: string; args: { value: unknown }[] };
    let typeTags: string;
    try {
      decoded = decode(packet);
      if (decoded.oscType !== 'message') throw new Error('bundles are not part of the LiveBlend protocol');
      typeTags = readTypeTags(packet);
    } catch (error) {
      this.stats.malformed++;
      this.emit('malformed', { from: `${from.address}:${from.port}`, reason: (error as Error).message });
      return;
    }
    this.stats.received++;
    this.emit('message', { address: decoded.address, typeTags, values: decoded.args.map((a) => a.value), from });
  }

  private fail(error: Error): void {
    this.stats.errors++;
    this.emit('failure', error);
  }
}

/** The type tag string after the address, without its comma; the decoder has already checked both strings end in bounds. */
function readTypeTags(packet: Buffer): string {
  const addressEnd = packet.indexOf(0);
  const tagsStart = (addressEnd + 4) & ~3;
  const tagsEnd = packet.indexOf(0, tagsStart);
  return packet.toString('utf8', tagsStart + 1, tagsEnd);
}
