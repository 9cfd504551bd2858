import { readFileSync } from 'node:fs';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { LIVE_ADAPTER_PATH, loadLiveAdapter, type MaxAtom } from '../../../m4l-device/sim/live-adapter-host';
import { LiveSet, sendDbForValue } from '../../../m4l-device/sim/live-model';

function smallSet(): LiveSet {
  return new LiveSet({
    name: 'Tour 2025',
    tempo: 120,
    scenes: ['01 Opener', '02 Hold On [v2]', '—'],
    tracks: [
      { name: 'Tracks', routing: 'Master', clipScenes: [0, 1] },
      { name: 'Click', routing: 'Ext. Out 3/4', clipScenes: [0, 1] },
    ],
    returns: [
      { name: 'Plate', routing: 'Master', clipScenes: [] },
      { name: 'Room', routing: 'Master', clipScenes: [] },
    ],
    cuePoints: [
      { name: 'Opener', time: 0 },
      { name: 'Hold On', time: 64 },
    ],
  });
}

function rig(set = smallSet(), trackIndex = 0) {
  const messages: MaxAtom[][] = [];
  const posts: string[] = [];
  let now = 1_000;
  const device = set.addDevice(set.tracks[trackIndex]);
  const adapter = loadLiveAdapter({ set, devicePath: device.path, onMessage: (m) => messages.push(m), now: () => now, onPost: (t) => posts.push(t) });
  return {
    set,
    adapter,
    messages,
    posts,
    tick(ms: number) {
      now += ms;
    },
    selectors: () => messages.map((m) => m[0]),
    take() {
      return messages.splice(0);
    },
  };
}

describe('LiveAPI adapter (liveblend-live.js)', () => {
  it('reports the time signature at start and whenever either half changes, as MESSAGES.md says', () => {
    const r = rig();
    r.set.setSignature(7, 8);
    r.adapter.bang();
    expect(r.take().filter((m) => m[0] === 'signature')).toContainEqual(['signature', 7, 8]);
    r.set.setSignature(3, 8);
    expect(r.take()).toEqual([['signature', 3, 8]]);
    r.set.setSignature(3, 4);
    expect(r.take()).toEqual([['signature', 3, 4]]);
    r.adapter.notifydeleted();
    r.set.setSignature(5, 4);
    expect(r.take()).toEqual([]);
  });

  it('is ES5, as Max [js] requires', () => {
    expect(() => parse(readFileSync(LIVE_ADAPTER_PATH, 'utf8'), { ecmaVersion: 5 })).not.toThrow();
  });

  it('does nothing until live.thisdevice bangs, then reports the set, the track and the transport', () => {
    const r = rig();
    r.set.setTempo(128);
    r.set.launchScene(0);
    expect(r.messages).toEqual([]);
    expect(r.set.observerCount()).toBe(0);

    r.adapter.bang();
    const byName = new Map(r.messages.map((m) => [m[0], m.slice(1)]));
    expect(r.messages[0]).toEqual(['live_ready']);
    expect(byName.get('set_name')).toEqual(['Tour 2025']);
    expect(byName.get('track')).toEqual([0, 'Tracks']);
    expect(byName.get('routing')).toEqual(['Master']);
    expect(byName.get('tempo')).toEqual([128]);
    expect(byName.get('signature')).toEqual([4, 4]);
    expect(byName.get('playing')).toEqual([1]);
    expect(JSON.parse(String(byName.get('scenes')?.[0]))).toEqual(['01 Opener', '02 Hold On [v2]', '—']);
    expect(JSON.parse(String(byName.get('cue_points')?.[0]))).toEqual([
      { name: 'Opener', time: 0 },
      { name: 'Hold On', time: 64 },
    ]);
    // Inserted mid-song: what already plays is reported, idle tracks are not.
    expect(r.messages.filter((m) => m[0] === 'playing_slot')).toEqual([
      ['playing_slot', 0, 0],
      ['playing_slot', 1, 0],
    ]);
  });

  it('reports a scene launch as scene_triggered, then the playing slots on the bar', () => {
    const r = rig();
    r.set.launchScene(0);
    r.adapter.bang();
    r.take();
    r.set.advance(0.5); // one beat into bar 1 at 120 bpm
    r.set.launchScene(1);
    expect(r.take().filter((m) => m[0] !== 'song_time')).toEqual([['scene_triggered', 1]]);
    r.set.advance(1.0); // the launch waits for beat 4
    expect(r.selectors().filter((s) => s !== 'song_time')).toEqual([]);
    r.set.advance(1.0);
    expect(r.take().filter((m) => m[0] !== 'song_time')).toEqual([
      ['playing_slot', 0, 1],
      ['playing_slot', 1, 1],
    ]);
    r.set.launchScene(2); // "—": no clips, the tracks stop
    r.set.advance(2.0);
    expect(r.take().filter((m) => m[0] !== 'song_time')).toEqual([
      ['scene_triggered', 2],
      ['playing_slot', 0, -1],
      ['playing_slot', 1, -1],
    ]);
  });

  it('re-sends the names when a scene or a locator is renamed, and the track and routing when they change', () => {
    const r = rig();
    r.adapter.bang();
    r.take();
    r.set.scenes[1].set('name', '02 Hold On [lb:hold-on]');
    r.set.resolve('live_set cue_points 1')?.set('time', 72);
    r.set.tracks[0].set('name', 'Stems');
    r.set.tracks[0].set('output_routing_type', JSON.stringify({ output_routing_type: { display_name: 'Ext. Out 1/2', identifier: 'x' } }));
    const got = r.take();
    expect(JSON.parse(String(got.find((m) => m[0] === 'scenes')?.[1]))).toEqual(['01 Opener', '02 Hold On [lb:hold-on]', '—']);
    expect(JSON.parse(String(got.find((m) => m[0] === 'cue_points')?.[1]))).toEqual([
      { name: 'Opener', time: 0 },
      { name: 'Hold On', time: 72 },
    ]);
    expect(got).toContainEqual(['track', 0, 'Stems']);
    expect(got).toContainEqual(['routing', 'Ext. Out 1/2']);
  });

  it('sends song_time at most every 50 ms while playing, and where the transport stopped', () => {
    const r = rig();
    r.adapter.bang();
    r.set.play();
    r.take();
    // 100 audio blocks of 5 ms: the model reports every one, the adapter passes one in ten.
    for (let i = 0; i < 100; i++) {
      r.tick(5);
      r.set.advance(0.005);
    }
    const times = r.take().filter((m) => m[0] === 'song_time');
    expect(times.length).toBe(10);
    r.tick(5);
    r.set.advance(0.005);
    r.set.stop();
    const last = r.take().filter((m) => m[0] === 'song_time' || m[0] === 'playing');
    expect(last).toEqual([['playing', 0], ['song_time', r.set.songTime]]);
  });

  it('removes every observer when the device is deleted, and a second bang does not double them', () => {
    const r = rig();
    r.adapter.bang();
    const observing = r.set.observerCount();
    expect(observing).toBeGreaterThan(10);
    r.adapter.bang();
    expect(r.set.observerCount()).toBe(observing);
    r.adapter.notifydeleted();
    expect(r.set.observerCount()).toBe(0);
    r.take();
    r.set.launchScene(1);
    r.set.setTempo(90);
    expect(r.messages).toEqual([]);
  });

  it('sets this track’s send to the named return, at the value Live shows as that level', () => {
    const r = rig(smallSet(), 1);
    r.adapter.bang();
    const sends = r.set.resolve('live_set tracks 1 mixer_device')!.lists.get('sends')!;
    r.adapter.message('send_level', 'Room', -12);
    expect(sendDbForValue(Number(sends[1].get('value')))).toBeCloseTo(-12, 1);
    expect(sends[0].get('value')).toBe(0);
    r.adapter.message('send_level', 'Plate', '-40.5');
    expect(sendDbForValue(Number(sends[0].get('value')))).toBeCloseTo(-40.5, 1);
    r.adapter.message('send_level', 'Room', 0);
    expect(sends[1].get('value')).toBe(1);
    r.adapter.message('send_level', 'Room', '-inf');
    expect(sends[1].get('value')).toBe(0);
  });

  it('refuses a send to a return that does not exist or a level that is not dB, and says why', () => {
    const r = rig();
    r.adapter.bang();
    const sends = r.set.resolve('live_set tracks 0 mixer_device')!.lists.get('sends')!;
    r.adapter.message('send_level', 'Hall', -6);
    r.adapter.message('send_level', 'Room', 'loud');
    expect(sends.map((s) => s.get('value'))).toEqual([0, 0]);
    expect(r.posts.join('')).toMatch(/no return track named 'Hall'/);
    expect(r.posts.join('')).toMatch(/'loud' is not a number of dB/);
  });
});
