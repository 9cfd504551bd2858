import * as genParams from '../../../m4l-device/gen/params';
import { DeviceCore, type CoreClock, type MaxAtom } from '../../../m4l-device/src/device-core';
import { applyMaxMessage } from '../../../m4l-device/src/max-handlers';
import { parseMaxMessage } from '../../../m4l-device/src/max-protocol';
import { loadShowState, showStateToDict } from '../../../m4l-device/src/show-state-store';
import { lufsToEnergy } from '../../../src/dsp/units';
import type { ShowState } from '../../../src/shared/osc-protocol';

/** Time that moves only when a test says so; timers run in order as it passes them. */
export class FakeClock implements CoreClock {
  private time = 0;
  private timers: Array<{ at: number; run: () => void }> = [];

  now(): number {
    return this.time;
  }

  after(ms: number, run: () => void): () => void {
    const timer = { at: this.time + ms, run };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.run();
    }
    this.time = end;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}

/** A device core with a recording host: what went to the outlet, and the dict it would write. */
export class CoreHarness {
  readonly outlets: MaxAtom[][] = [];
  dict: Record<string, unknown> = {};
  readonly core: DeviceCore;
  readonly clock = new FakeClock();
  /** What the Max handlers reported to the user instead of throwing. */
  readonly reports: string[] = [];
  private counter = 0;

  constructor(dict: Record<string, unknown> = {}) {
    this.dict = dict;
    const { state } = loadShowState(dict);
    this.core = new DeviceCore({
      params: genParams,
      state,
      clock: this.clock,
      host: {
        outlet: (selector, ...args) => this.outlets.push([selector, ...args]),
        persist: (next: ShowState) => {
          this.dict = structuredClone(showStateToDict(next));
        },
      },
    });
  }

  /** Values sent as `gen <name> <value>` since `from`. */
  gen(name: string, from = 0): number[] {
    return this.outlets.slice(from).filter((m) => m[0] === 'gen' && m[1] === name).map((m) => m[2] as number);
  }

  ui(control: string, from = 0): MaxAtom[] {
    return this.outlets.slice(from).filter((m) => m[0] === 'ui' && m[1] === control).map((m) => m[2]);
  }

  get mark(): number {
    return this.outlets.length;
  }

  /** Feeds `seconds` of 100 ms blocks of steady stereo audio at `lufs`, each block polled twice. */
  play(seconds: number, lufs: number, truePeak = 0.5): void {
    const half = lufsToEnergy(lufs) / 2;
    for (let i = 0; i < Math.round(seconds * 10); i++) {
      this.counter++;
      const block = { counter: this.counter, energyL: half, energyR: half, samplePeak: truePeak, truePeak, compressorGrDb: 0, limiterGrDb: 0 };
      this.core.meter(block);
      this.core.meter(block);
    }
  }

  /** Skips meter blocks, as when the patch's polling stalls. */
  skipBlocks(count: number): void {
    this.counter += count;
  }

  /** A set with scenes as a playback engineer names them, transport running. */
  sceneSet(names: readonly string[] = ['01 Intro Jam', '02 Hold On [v2]', '—', '04 Runaway', '[lb:hold on] Hold On (acoustic)']): this {
    this.core.setSampleRate(48000);
    this.core.setScenes(names);
    this.core.setPlaying(true);
    return this;
  }

  /** One Max message as the patch or the adapter sends it: parsed, then handed to the core. */
  max(selector: string, ...atoms: MaxAtom[]): void {
    const parsed = parseMaxMessage(selector, atoms);
    if (!parsed.ok) throw new Error(parsed.reason);
    applyMaxMessage(this.core, parsed.message, { setDiscoveryPort: () => undefined, report: (text) => this.reports.push(text) });
  }

  launch(scene: number): void {
    this.core.sceneTriggered(scene);
    this.core.playingSlot(0, scene);
  }
}
