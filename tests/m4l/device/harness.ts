import * as genParams from '../../../m4l-device/gen/params';
import { DeviceCore, type MaxAtom } from '../../../m4l-device/src/device-core';
import { loadShowState, showStateToDict } from '../../../m4l-device/src/show-state-store';
import { lufsToEnergy } from '../../../src/dsp/units';
import type { ShowState } from '../../../src/shared/osc-protocol';

/** A device core with a recording host: what went to the outlet, and the dict it would write. */
export class CoreHarness {
  readonly outlets: MaxAtom[][] = [];
  dict: Record<string, unknown> = {};
  readonly core: DeviceCore;
  private counter = 0;

  constructor(dict: Record<string, unknown> = {}) {
    this.dict = dict;
    const { state } = loadShowState(dict);
    this.core = new DeviceCore({
      params: genParams,
      state,
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

  launch(scene: number): void {
    this.core.sceneTriggered(scene);
    this.core.playingSlot(0, scene);
  }
}
