import { createSocket, type Socket } from 'node:dgram';
import { decode, encode } from 'node-osc';
import { OSC, defaultShowState, type LearnProposal, type OscArg, type ShowState } from '../../../src/shared/osc-protocol';

/**
 * A LiveBlend device reduced to its OSC behaviour, for hub tests that must not depend on the
 * simulator: says hello, answers welcome with heartbeats (driven by the test), ping, show state,
 * preset writes, measurement and learn requests, and records everything it received.
 */
export class FakeDevice {
  readonly received: { address: string; values: unknown[] }[] = [];
  readonly state: ShowState = defaultShowState();
  hub: { address: string; port: number } | null = null;
  song = '';
  revision = 0;
  /** What /liveblend/learn/get/proposals answers (a test sets it as the device would learn). */
  learn: LearnProposal[] = [];
  /** Stop answering anything (a frozen or unplugged device). */
  mute = false;
  private readonly socket: Socket = createSocket('udp4');

  constructor(
    readonly id: string,
    /** Renaming the track in Live: the next heartbeat carries the new name. */
    public track = 'Tracks',
    readonly role: 'bus' | 'click' | 'iem' = 'bus',
    readonly set = 'Tour 2025',
    /** The track's output as Live names it: the next heartbeat carries it. */
    public routing = 'Master',
  ) {
    this.socket.on('message', (packet, rinfo) => this.onPacket(packet, { address: rinfo.address, port: rinfo.port }));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
  }

  get port(): number {
    return this.socket.address().port;
  }

  hello(discoveryPort: number): void {
    this.sendTo({ address: '127.0.0.1', port: discoveryPort }, OSC.hello.address, OSC.hello.args, [this.id, this.role, this.track, this.set, '0.1.0', this.port, 48000]);
  }

  heartbeat(): void {
    this.send(OSC.heartbeat.address, OSC.heartbeat.args, [this.id, this.song, this.role, 1, this.revision, '', this.track, this.set, this.routing]);
  }

  meter(integrated = -18.2): void {
    this.send(OSC.meter.address, OSC.meter.args, [this.id, this.song, -17.5, -120, integrated, -3.1, 0, 1.5, 42]);
  }

  sendRaw(packet: Buffer, port: number): void {
    this.socket.send(packet, port, '127.0.0.1');
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  waitFor(address: string, timeoutMs = 3000): Promise<unknown[]> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const poll = () => {
        const hit = this.received.find((m) => m.address === address);
        if (hit) resolve(hit.values);
        else if (Date.now() > deadline) reject(new Error(`device ${this.id} never received ${address}`));
        else setTimeout(poll, 5);
      };
      poll();
    });
  }

  private send(address: string, spec: readonly OscArg[], values: unknown[]): void {
    if (this.hub) this.sendTo(this.hub, address, spec, values);
  }

  private sendTo(to: { address: string; port: number }, address: string, spec: readonly OscArg[], values: unknown[]): void {
    const packet = encode({ oscType: 'message', address, args: spec.map((a, i) => ({ type: a.tag, value: values[i] })) });
    this.socket.send(packet, to.port, to.address);
  }

  private onPacket(packet: Buffer, from: { address: string; port: number }): void {
    const message = decode(packet) as { address: string; args: { value: unknown }[] };
    const values = message.args.map((a) => a.value);
    this.received.push({ address: message.address, values });
    if (this.mute) return;
    const reply = (spec: { reply?: { address: string; args: readonly OscArg[] } }, args: unknown[]) => this.sendTo(from, spec.reply!.address, spec.reply!.args, args);
    switch (message.address) {
      case OSC.welcome.address:
        this.hub = from;
        break;
      case OSC.ping.address:
        reply(OSC.ping, [this.id]);
        break;
      case OSC.showGetState.address:
        reply(OSC.showGetState, [JSON.stringify(this.state)]);
        break;
      case OSC.presetSetSong.address: {
        const [song, json] = values as [string, string];
        this.state.presets[song] = JSON.parse(json);
        this.revision++;
        reply(OSC.presetSetSong, [song, json, 1]);
        break;
      }
      case OSC.targetSetLufs.address:
        this.state.targetLufs = values[0] as number;
        reply(OSC.targetSetLufs, values);
        break;
      case OSC.ceilingSetDbtp.address:
        this.state.ceilingDbtp = values[0] as number;
        reply(OSC.ceilingSetDbtp, values);
        break;
      case OSC.learnGetProposals.address:
        reply(OSC.learnGetProposals, [JSON.stringify(this.learn)]);
        break;
      case OSC.measurementGetSong.address: {
        const song = values[0] as string;
        reply(OSC.measurementGetSong, [song, JSON.stringify(this.state.measurements[song] ?? null)]);
        break;
      }
    }
  }
}
