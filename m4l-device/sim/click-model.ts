import { CLICK_PARAM_NAMES } from '../gen/params';
import { BeatClock } from '../../src/dsp/beat-clock';
import { Click, DEFAULT_CLICK, type ClickSettings } from '../../src/dsp/click';
import { gainToDb } from '../../src/dsp/units';

/**
 * The click kernel (m4l-device/gen/click.genexpr) played by src/dsp: a Click on a BeatClock that
 * follows the rig's transport, set by the same `gen click_* <value>` Params node sends the patch.
 * As in the kernel, it is silent until `click_on` is 1, and silent while Live is stopped.
 */

const KNOWN = new Set(CLICK_PARAM_NAMES);

/** Where Live's transport is at the first sample of a block. */
export interface TransportAt {
  beat: number;
  tempo: number;
  playing: boolean;
}

export class ClickModel {
  private readonly received = new Map<string, number>();
  private click: Click | null = null;
  private clock: BeatClock | null = null;
  private readonly buffer: Float32Array;

  constructor(
    private readonly sampleRate: number,
    maxBlockFrames: number,
  ) {
    this.buffer = new Float32Array(maxBlockFrames);
  }

  get on(): boolean {
    return this.received.get('click_on') === 1;
  }

  /** A Param from node; unknown names are refused as gen~ would refuse them. */
  param(name: string, value: number): void {
    if (!KNOWN.has(name)) throw new Error(`gen~ click: no Param named '${name}'`);
    if (!Number.isFinite(value)) throw new Error(`gen~ click: Param ${name} got ${value}`);
    this.received.set(name, value);
    if (name !== 'click_on' && name !== 'click_tempo') this.click = null;
  }

  /** Adds `frames` of click, from Live's beat at the block's first sample, into every output channel. */
  process(transport: TransportAt, output: readonly Float32Array[], frames: number): void {
    if (!transport.playing) {
      this.clock = null;
      return;
    }
    const clock = this.follow(transport);
    if (this.on) {
      this.click ??= new Click(this.settings(), this.sampleRate);
      const block = this.buffer.subarray(0, frames);
      this.click.process(clock, [block], frames);
      for (const channel of output) for (let i = 0; i < frames; i++) channel[i] += block[i];
    }
    clock.advance(frames);
  }

  /** The clock carries on from the last block unless Live jumped or changed tempo. */
  private follow({ beat, tempo }: TransportAt): BeatClock {
    const clock = this.clock;
    if (clock === null) return (this.clock = new BeatClock(this.sampleRate, tempo, beat));
    if (clock.tempoBpm !== tempo) clock.setTempo(tempo);
    if (Math.abs(clock.position - beat) > 1e-9) clock.locate(beat);
    return clock;
  }

  /** The ClickSettings that params.ts designs these Params from. */
  private settings(): ClickSettings {
    const value = (name: string, otherwise: number) => this.received.get(name) ?? otherwise;
    return {
      levelDbfs: Math.min(0, gainToDb(value('click_gain', 0))),
      subdivision: value('click_step', 1) === 0.5 ? 'eighth' : 'quarter',
      beatsPerBar: value('click_beats_per_bar', DEFAULT_CLICK.beatsPerBar),
      countInBars: 0,
    };
  }
}
