import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CEILING_DBTP, DEFAULT_TARGET_LUFS } from '../../../src/shared/osc-protocol';
import { startRig, type Rig } from '../../../m4l-device/sim/rig';
import { demoSongs } from '../../../m4l-device/sim/songs';

// The learn loop at full speed: five songs spanning −26 to −8 LUFS, played once, learned with
// the device's own button, played again — every song must then reach the target at the output.

const SONG_SECONDS = 40;
const ALL = [0, 1, 2, 3, 4];

let rig: Rig | null = null;

afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe('the learn loop in the rig', () => {
  it('brings every song to the target within ±0.5 LU with no true peak over the ceiling', async () => {
    const posts: string[] = [];
    rig = startRig({
      devices: [{ id: 'foh', role: 'bus', track: 'Tracks' }],
      songs: demoSongs(SONG_SECONDS),
      speed: Infinity,
      onPost: (_device, level, text) => level !== 'info' && posts.push(text),
    });
    const device = rig.device('foh');
    await rig.waitFor(() => device.ready, 15_000, 'the device to be ready');

    await rig.playSongs(ALL);
    const first = rig.outputMeasurements();
    expect(first.map((p) => p.song)).toEqual(rig.songs.map((s) => s.scene));
    const raw = first.map((p) => p.measurement.integrated ?? -Infinity);
    // Raw loudness spans the set's spread (the loud songs are already held back by the limiter).
    expect(raw[0]).toBeCloseTo(-26, 0);
    expect(Math.max(...raw) - Math.min(...raw)).toBeGreaterThan(15);

    device.control('learn_apply');
    await rig.runFor(0.2);
    await rig.playSongs(ALL);
    const second = rig.outputMeasurements().slice(first.length);
    expect(second.map((p) => p.song)).toEqual(rig.songs.map((s) => s.scene));
    for (const play of second) {
      expect(play.measurement.integrated, play.song).not.toBeNull();
      expect(Math.abs(play.measurement.integrated! - DEFAULT_TARGET_LUFS), `${play.song}: ${play.measurement.integrated} LUFS`).toBeLessThanOrEqual(0.5);
      expect(play.measurement.truePeak, `${play.song} true peak`).toBeLessThanOrEqual(DEFAULT_CEILING_DBTP);
    }
    expect(posts).toEqual([]);
  });
});
