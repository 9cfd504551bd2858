import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLICK_SETUP, OSC } from '../../../src/shared/osc-protocol';
import { gainToDb } from '../../../src/dsp/units';
import { startRig, type Rig } from '../../../m4l-device/sim/rig';
import { demoSongs } from '../../../m4l-device/sim/songs';
import { OscTestClient } from './osc-test-client';

// The click device in the rig: the built bundle switches the click kernel (modelled by src/dsp's
// Click on the rig's beat) on for a click track routed to the in-ears, and off, with an alarm
// over OSC, the moment the track is routed to FOH.

const RATE = 48000;
const TEMPO = 120;

let rig: Rig | null = null;
const clients: OscTestClient[] = [];

afterEach(async () => {
  await rig?.close();
  rig = null;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** The click device's left output, sample by sample, with Live's beat at each sample. */
class Recording {
  samples: number[] = [];
  beats: number[] = [];

  add(output: readonly Float32Array[], frames: number, beat: number, playing: boolean): void {
    for (let i = 0; i < frames; i++) {
      this.samples.push(output[0][i]);
      this.beats.push(playing ? beat + (i * TEMPO) / 60 / RATE : beat);
    }
  }

  /** Where clicks start: a non-zero sample after at least 5 ms of silence. */
  onsets(from = 0): number[] {
    const gap = 0.005 * RATE;
    const found: number[] = [];
    let silent = gap;
    for (let i = from; i < this.samples.length; i++) {
      if (this.samples[i] === 0) silent++;
      else {
        if (silent >= gap) found.push(i);
        silent = 0;
      }
    }
    return found;
  }

  peakDb(at: number): number {
    return gainToDb(Math.max(...this.samples.slice(at, at + 0.031 * RATE).map(Math.abs)));
  }

  /** Zero crossings over 10 ms from `at`, as a frequency. */
  pitch(at: number): number {
    const length = 0.01 * RATE;
    let crossings = 0;
    for (let i = at + 1; i < at + length; i++) if (Math.sign(this.samples[i]) !== Math.sign(this.samples[i - 1])) crossings++;
    return (crossings / 2) * (RATE / length);
  }
}

describe('the click device in the rig', () => {
  it('clicks on every beat at its level, accents the bar line, and falls silent with an alarm when routed to FOH', async () => {
    const discovery = await OscTestClient.open();
    const panel = await OscTestClient.open();
    clients.push(discovery, panel);
    const recording = new Recording();
    rig = startRig({
      devices: [{ id: 'click', role: 'click', track: 'Click' }],
      songs: demoSongs(20),
      discoveryPort: discovery.port,
      speed: Infinity,
      sampleRate: RATE,
      tempo: TEMPO,
      onOutput: (device, output, frames, transport) => device === 'click' && recording.add(output, frames, transport.beat, transport.playing),
    });
    const hello = await discovery.waitFor((m) => m.address === OSC.hello.address && m.args[1] === 'click', 15_000, 'hello from the click device');
    const port = Number(hello.args[5]);
    panel.send(port, OSC.alarmStartListenState.address);
    panel.send(port, OSC.ping.address);
    await panel.waitFor((m) => m.address === '/liveblend/pong', 2000, 'pong');

    const started = recording.samples.length;
    rig.launchScene(0);
    await rig.runFor(3);
    const onsets = recording.onsets(started);
    expect(onsets.length).toBe(6);
    const samplesPerBeat = (60 * RATE) / TEMPO;
    for (const at of onsets) {
      const beat = recording.beats[at];
      // On the first sample at or after the beat.
      expect((beat - Math.round(beat)) * samplesPerBeat, `click at beat ${beat}`).toBeGreaterThanOrEqual(-1e-6);
      expect((beat - Math.round(beat)) * samplesPerBeat, `click at beat ${beat}`).toBeLessThan(1);
      expect(Math.abs(recording.peakDb(at) - DEFAULT_CLICK_SETUP.levelDbfs), 'peak level, dB from the setting').toBeLessThan(0.1);
      expect(recording.pitch(at)).toBeCloseTo(Math.round(beat) % 4 === 0 ? 1500 : 1000, -2);
    }
    expect(onsets.map((at) => Math.round(recording.beats[at]) - Math.round(recording.beats[onsets[0]]))).toEqual([0, 1, 2, 3, 4, 5]);

    const alarmsBefore = panel.received.length;
    rig.set.trackNamed('Click')!.set('output_routing_type', JSON.stringify({ output_routing_type: { display_name: 'Master', identifier: 'Master' } }));
    await rig.runFor(0.04);
    const rerouted = recording.samples.length;
    const alarm = await panel.waitFor((m) => m.address === OSC.alarm.address, 5000, 'the alarm', alarmsBefore);
    expect(alarm.args).toEqual([hello.args[0], 'click_to_foh', expect.stringContaining('Click routed to FOH ("Master")')]);
    await rig.runFor(2);
    expect(recording.samples.length - rerouted).toBeGreaterThan(1.9 * RATE);
    expect(Math.max(...recording.samples.slice(rerouted).map(Math.abs))).toBe(0);
    expect(rig.device('click').ui.get('alarm')?.[0]).toMatch(/^Click routed to FOH/);
  });
});
