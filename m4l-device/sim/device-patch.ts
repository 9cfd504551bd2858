import type { DeviceRole } from '../../src/shared/osc-protocol';
import { ClickModel, type TransportAt } from './click-model';
import { loadLiveAdapter, type LiveAdapter } from './live-adapter-host';
import type { LiveObject, LiveSet } from './live-model';
import { MeterModel } from './meter-model';
import { DictStore, NodeScriptHost, type MaxAtom } from './node-script-host';
import { StripModel } from './strip-model';

/**
 * One LiveBlend.amxd in the simulated set, wired as the patch wires it (m4l-device/MESSAGES.md):
 * the [js] adapter and the patch's own sources (dspstate~, the role menu, snapshot~ polling the
 * meter every 20 ms) feed node.script through the ready gate, which holds everything until node
 * says `ready`; node's outlet is routed by selector to gen~ (meter by the `meter_` prefix, click
 * by `click_`, the strip otherwise), the presentation (`ui`), the [js] adapter (`js`) and the state dict (`state`).
 */

export const SNAPSHOT_INTERVAL_MS = 20;

export interface DevicePatchOptions {
  id: string;
  role: DeviceRole;
  set: LiveSet;
  track: LiveObject;
  sampleRate: number;
  maxBlockFrames: number;
  script: string;
  env: NodeJS.ProcessEnv;
  /** The rig's clock, in ms (simulated time). */
  now: () => number;
  onPost?: (device: string, level: string, text: string) => void;
}

export class DevicePatch {
  readonly id: string;
  readonly strip: StripModel;
  readonly meter: MeterModel;
  readonly click: ClickModel;
  /** The embedded dicts: part of the Live set, so they outlast node's process. */
  readonly dicts = new DictStore();
  /** The presentation's controls, as node last set them ("song", "trim", "alarm", ...). */
  readonly ui = new Map<string, MaxAtom[]>();
  /** Every gen Param node sent, with the rig time and the wall time (performance.now) it arrived. */
  readonly genLog: { atMs: number; atWallMs: number; name: string; value: number }[] = [];
  stateBangs = 0;
  private node: NodeScriptHost | null = null;
  private adapter: LiveAdapter | null = null;
  private open = false;
  private held: [string, MaxAtom[]][] = [];
  private sampleRate: number;
  private readonly deviceObject: LiveObject;

  constructor(private readonly options: DevicePatchOptions) {
    this.id = options.id;
    this.sampleRate = options.sampleRate;
    this.strip = new StripModel(options.sampleRate, options.maxBlockFrames);
    this.meter = new MeterModel(options.sampleRate);
    this.click = new ClickModel(options.sampleRate, options.maxBlockFrames);
    this.deviceObject = options.set.addDevice(options.track);
  }

  get role(): DeviceRole {
    return this.options.role;
  }

  get track(): LiveObject {
    return this.options.track;
  }

  get running(): boolean {
    return this.node?.running ?? false;
  }

  get ready(): boolean {
    return this.open;
  }

  /** Loads the device: node starts, the patch announces rate and role, live.thisdevice bangs. */
  start(): void {
    if (this.node?.running) return;
    this.open = false;
    this.held = [];
    this.node = new NodeScriptHost({
      script: this.options.script,
      dicts: this.dicts,
      env: this.options.env,
      onOutlet: (atoms) => this.fromNode(atoms),
      onPost: (level, text) => this.options.onPost?.(this.id, level, text),
      onExit: () => this.nodeGone(),
    });
    this.toNode('samplerate', this.sampleRate);
    this.toNode('role', this.options.role);
    this.adapter ??= loadLiveAdapter({
      set: this.options.set,
      devicePath: this.deviceObject.path,
      now: this.options.now,
      onMessage: ([selector, ...atoms]) => this.toNode(String(selector), ...atoms),
      onPost: (text) => this.options.onPost?.(this.id, 'info', text),
    });
    this.adapter.bang();
  }

  /** node.script's process ends (Max stopping it, or a crash); the device keeps playing. */
  async stopNode(): Promise<void> {
    await this.node?.stop();
  }

  /** The device is deleted from the set. */
  async remove(): Promise<void> {
    this.adapter?.notifydeleted();
    this.adapter = null;
    await this.stopNode();
  }

  /** Everything sent to node so far has been handled. */
  async sync(): Promise<void> {
    await this.node?.sync();
  }

  /** A message from the patch's own controls (role menu, learn button). */
  control(selector: 'role' | 'learn_apply', ...atoms: MaxAtom[]): void {
    this.toNode(selector, ...atoms);
  }

  /**
   * Runs `frames` of audio through the strip, into `output`, and on into the meter; then adds the
   * click (which goes straight to plugout~, so the meter never hears it), from Live's beat.
   */
  process(input: readonly Float32Array[], output: readonly Float32Array[], frames: number, transport: TransportAt): void {
    this.strip.process(input, output, frames);
    this.meter.process(output, frames);
    this.click.process(transport, output, frames);
  }

  /** snapshot~'s poll: the latest meter block and the strip's gain reduction, to node. */
  poll(): void {
    const block = this.meter.snapshot;
    if (block.counter === 0) return;
    this.toNode('meter', block.counter, block.energyLeft, block.energyRight, block.samplePeak, block.truePeak, this.strip.compressorReductionDb, this.strip.limiterReductionDb);
  }

  private toNode(selector: string, ...atoms: MaxAtom[]): void {
    if (!this.open) {
      this.held.push([selector, atoms]);
      return;
    }
    this.node?.send(selector, ...atoms);
  }

  private fromNode(atoms: MaxAtom[]): void {
    const [selector, ...rest] = atoms;
    switch (selector) {
      case 'ready':
        if (Number(rest[0]) === 1) this.openGate();
        return;
      case 'gen': {
        const [name, value] = rest;
        this.genLog.push({ atMs: this.options.now(), atWallMs: performance.now(), name: String(name), value: Number(value) });
        try {
          if (String(name).startsWith('meter_')) this.meterParam(String(name), Number(value));
          else if (String(name).startsWith('click_')) this.click.param(String(name), Number(value));
          else this.strip.param(String(name), Number(value));
        } catch (error) {
          this.options.onPost?.(this.id, 'error', (error as Error).message);
        }
        return;
      }
      case 'ui':
        this.ui.set(String(rest[0]), rest.slice(1));
        return;
      case 'js':
        this.adapter?.message(String(rest[0]), ...rest.slice(1));
        return;
      case 'state':
        this.stateBangs++;
        return;
      default:
        this.options.onPost?.(this.id, 'error', `patch: no route for node's '${String(selector)}' message`);
    }
  }

  /** The meter kernel's Params are designed by src/dsp for the rate; the model meters at that rate already. */
  private meterParam(name: string, value: number): void {
    if (name === 'meter_block_length' && value !== Math.round(this.sampleRate / 10)) {
      throw new Error(`gen~ meter: block length ${value} does not match ${this.sampleRate} Hz`);
    }
  }

  private openGate(): void {
    if (this.open) return;
    this.open = true;
    const held = this.held;
    this.held = [];
    for (const [selector, atoms] of held) this.node?.send(selector, ...atoms);
  }

  /** The patch closes the gate when node's process ends and sets the strip back to its safe default. */
  private nodeGone(): void {
    this.open = false;
    this.held = [];
    this.strip.param('ready', 0);
  }
}
