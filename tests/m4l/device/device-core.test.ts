import { describe, expect, it } from 'vitest';
import { songKeyFromName } from '../../../m4l-device/src/song-key';
import { dbToGain } from '../../../src/dsp/units';
import { defaultPreset } from '../../../src/shared/preset';
import { CoreHarness } from './harness';

function presetJson(fields: Record<string, unknown>): string {
  return JSON.stringify({ version: 1, ...fields });
}

describe('song keys from scene names', () => {
  it.each([
    ['03 Hold On [v2]', 'hold on'],
    ['3. Hold On', 'hold on'],
    ['12 - Runaway (radio edit)', 'runaway'],
    ['  HOLD   ON ', 'hold on'],
    ['Intro [lb:Opener] [v3]', 'opener'],
    ['07', '07'],
    ['', null],
    ['—', null],
    ['---', null],
    ['[talk]', null],
  ])('%j → %j', (name, key) => {
    expect(songKeyFromName(name)).toBe(key);
  });
});

describe('scene mode', () => {
  it('recalls a song when its scene actually starts, not when it is triggered', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('hold on', presetJson({ trimDb: -6 }));
    const before = h.mark;
    h.core.sceneTriggered(1);
    expect(h.core.currentSong.key).toBeNull();
    expect(h.gen('trim', before)).toEqual([]);
    h.core.playingSlot(3, 1);
    expect(h.core.currentSong).toEqual({ key: 'hold on', name: '02 Hold On [v2]', source: 'scene' });
    expect(h.gen('trim', before)).toEqual([dbToGain(-6)]);
    expect(h.gen('recall_count', before)).toHaveLength(1);
    expect(h.ui('song', before)).toEqual(['02 Hold On [v2]']);
  });

  it('a launch replaced by another before the bar recalls only the second', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('runaway', presetJson({ trimDb: 3 }));
    const before = h.mark;
    h.core.sceneTriggered(1);
    h.core.sceneTriggered(3);
    h.core.playingSlot(0, 3);
    expect(h.core.currentSong.key).toBe('runaway');
    expect(h.gen('trim', before)).toEqual([dbToGain(3)]);
  });

  it('relaunching the playing scene neither recalls nor restarts the measurement', () => {
    const h = new CoreHarness().sceneSet();
    h.launch(1);
    h.play(10, -20);
    const before = h.mark;
    h.core.sceneTriggered(1);
    h.play(10, -20);
    expect(h.gen('recall_count', before)).toEqual([]);
    expect(h.core.measurements()['hold on'].seconds).toBe(20);
  });

  it('another scene of the same song ([lb:key]) keeps the song and its measurement', () => {
    const h = new CoreHarness().sceneSet();
    h.launch(1);
    h.play(5, -20);
    const before = h.mark;
    h.launch(4);
    h.play(5, -20);
    expect(h.core.currentSong.key).toBe('hold on');
    expect(h.gen('recall_count', before)).toEqual([]);
    expect(h.core.measurements()['hold on'].seconds).toBe(10);
  });

  it('a non-song scene keeps the preset in force and pauses measuring', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('hold on', presetJson({ trimDb: -6 }));
    h.launch(1);
    h.play(5, -20);
    const before = h.mark;
    h.launch(2);
    h.play(20, -5);
    expect(h.core.currentSong.key).toBe('hold on');
    expect(h.gen('trim', before)).toEqual([]);
    const m = h.core.measurements()['hold on'];
    expect(m.seconds).toBe(5);
    expect(m.integratedLufs).toBeCloseTo(-20, 1);
  });

  it('an empty separator scene (no clips) counts as started when tracks stop', () => {
    const h = new CoreHarness().sceneSet();
    h.launch(1);
    h.core.sceneTriggered(2);
    h.core.playingSlot(0, -2);
    h.play(5, -10);
    expect(h.core.measurements()['hold on'].seconds).toBe(0);
  });

  it('stopping the transport keeps the song current and pauses its measurement', () => {
    const h = new CoreHarness().sceneSet();
    h.launch(3);
    h.play(4, -18);
    h.core.setPlaying(false);
    h.play(4, -40);
    expect(h.core.currentSong.key).toBe('runaway');
    expect(h.core.measurements().runaway.seconds).toBe(4);
    expect(h.core.showState.measurements.runaway.seconds).toBe(4);
    h.core.setPlaying(true);
    h.play(4, -18);
    expect(h.core.measurements().runaway.seconds).toBe(8);
  });

  it('leaving a wet song turns its ambience send down', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('hold on', presetJson({ ambience: { Verb: -12 } }));
    const before = h.mark;
    h.launch(1);
    h.launch(3);
    const sends = h.outlets.slice(before).filter((m) => m[0] === 'js');
    expect(sends).toEqual([
      ['js', 'send_level', 'Verb', -12],
      ['js', 'send_level', 'Verb', '-inf'],
    ]);
  });
});

describe('locator mode', () => {
  const cues = [
    { name: 'Runaway', time: 64 },
    { name: '01 Intro Jam', time: 0 },
    { name: '—', time: 200 },
    { name: 'Hold On [v2]', time: 260 },
  ];

  it('the song is the last cue point at or before the play position', () => {
    const h = new CoreHarness();
    h.core.setSampleRate(44100);
    h.core.setCuePoints(cues);
    h.core.setPlaying(true);
    const seen: Array<string | null> = [];
    for (const beats of [0, 10, 64, 100, 210, 260, 300, 5]) {
      h.core.setSongTime(beats);
      seen.push(h.core.currentSong.key);
    }
    // 210 is in the "—" gap: Runaway's preset stays; a jump back to 5 goes to the intro.
    expect(seen).toEqual(['intro jam', 'intro jam', 'runaway', 'runaway', 'runaway', 'hold on', 'hold on', 'intro jam']);
    expect(h.core.currentSong.source).toBe('locator');
  });

  it('before the first cue point nothing is current; a playing session clip takes over from the arrangement', () => {
    const h = new CoreHarness().sceneSet(['Song A', 'Song B']);
    h.core.setCuePoints([{ name: 'Runaway', time: 16 }]);
    h.core.setSongTime(4);
    expect(h.core.currentSong.key).toBeNull();
    h.launch(1);
    h.core.setSongTime(40);
    expect(h.core.currentSong).toMatchObject({ key: 'song b', source: 'scene' });
  });
});

describe('per-song loudness', () => {
  it('takes each meter block once and counts the gaps', () => {
    const h = new CoreHarness().sceneSet();
    h.launch(1);
    h.play(1, -20);
    h.skipBlocks(3);
    h.play(1, -20);
    const m = h.core.measurements()['hold on'];
    expect(m.seconds).toBe(2);
    expect(m.blocksMissed).toBe(3);
    expect(m.truePeakMaxDbtp).toBeCloseTo(20 * Math.log10(0.5), 6);
  });

  it('keeps each song for the whole show; a song launched again later starts a new run', () => {
    const h = new CoreHarness().sceneSet();
    h.launch(1);
    h.play(6, -20);
    h.launch(3);
    h.play(3, -14);
    expect(h.core.measurements()['hold on'].seconds).toBe(6);
    expect(h.core.measurements().runaway.integratedLufs).toBeCloseTo(-14, 1);
    h.launch(1);
    h.play(2, -20);
    expect(h.core.measurements()['hold on'].seconds).toBe(2);
  });
});

describe('learn', () => {
  it('proposes the trim that puts each song measured ≥ 30 s on target, and applies only on request', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setTarget(-16);
    h.core.setPreset('hold on', presetJson({ trimDb: -2 }));
    h.launch(1);
    h.play(31, -20);
    h.launch(3);
    h.play(29, -10);
    h.launch(0);
    const proposals = h.core.learnProposals();
    expect(proposals.map((p) => [p.song, p.proposedTrimDb])).toEqual([['hold on', 2]]);
    expect(h.core.preset('hold on').preset.trimDb).toBe(-2);

    expect(h.core.applyLearned('')).toEqual([{ song: 'hold on', trimDb: 2 }]);
    expect(h.core.preset('hold on').preset.trimDb).toBe(2);
    expect(() => h.core.applyLearned('runaway')).toThrow(/at least 30 s/);
  });

  it('clamps a proposal to the preset trim limits and says so', () => {
    const h = new CoreHarness().sceneSet();
    h.launch(1);
    h.play(30, -60);
    const [p] = h.core.learnProposals();
    expect(p).toMatchObject({ proposedTrimDb: 24, clamped: true });
  });

  it('applying to the playing song ramps its new trim in and restarts its measurement', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setTarget(-14);
    h.launch(1);
    h.play(30, -20);
    const before = h.mark;
    h.core.applyLearned('hold on');
    expect(h.gen('trim', before)).toEqual([dbToGain(6)]);
    expect(h.core.measurements()['hold on'].seconds).toBe(0);
    expect(h.core.measurements()['hold on'].trimDb).toBe(6);
  });
});

describe('recall', () => {
  it('sends the meter and strip params for the sample rate, and a reset when the rate changes', () => {
    const h = new CoreHarness();
    h.core.setSampleRate(44100);
    expect(h.gen('meter_block_length')).toEqual([4410]);
    expect(h.gen('ready')).toEqual([1]);
    const before = h.mark;
    h.core.setSampleRate(96000);
    expect(h.gen('meter_block_length', before)).toEqual([9600]);
    expect(h.gen('reset_count', before)).toHaveLength(1);
    expect(h.gen('ramp_samples', before)).toEqual([Math.round((defaultPreset().rampMs * 96000) / 1000)]);
  });

  it('the show ceiling caps a preset limiter; an iem device runs only the limiter at that ceiling', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('hold on', presetJson({ trimDb: 5, limiter: { ceilingDbtp: -0.5 } }));
    h.core.setCeiling(-2);
    h.launch(1);
    const limit = dbToGain(-2 - 0.001);
    expect(h.gen('lim_ceiling').at(-1)).toBeCloseTo(limit, 12);
    const before = h.mark;
    h.core.setRole('iem');
    expect(h.gen('trim', before)).toEqual([1]);
    expect(h.gen('comp_on', before)).toEqual([0]);
    expect(h.gen('lim_ceiling', before)[0]).toBeCloseTo(limit, 12);
  });

  it('a bad preset is refused whole and changes nothing', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('hold on', presetJson({ trimDb: -3 }));
    const state = JSON.stringify(h.core.showState);
    const before = h.mark;
    expect(() => h.core.setPreset('hold on', presetJson({ trimDb: -3, eq: [{}, {}, { freqHz: 25000 }, {}, {}] }))).toThrow(/eq\[2\]\.freqHz: 25000 is outside 20–20000 Hz/);
    expect(() => h.core.setPreset('hold on', '{"version":1,')).toThrow(/not valid JSON/);
    expect(JSON.stringify(h.core.showState)).toBe(state);
    expect(h.outlets.slice(before)).toEqual([]);
  });
});

describe('click guard', () => {
  it('refuses to sound a click routed to a FOH output and raises an alarm until it is rerouted', () => {
    const h = new CoreHarness();
    h.core.setRole('click');
    expect(h.core.clickStatus()).toMatchObject({ sounding: false, blocked: expect.stringMatching(/not known/) });
    h.core.setRouting('Master');
    expect(h.core.clickStatus().sounding).toBe(false);
    expect(h.core.alarm.code).toBe('click_to_foh');
    expect(h.ui('alarm').at(-1)).toMatch(/Click routed to FOH \("Master"\)/);
    h.core.setRouting('3/4');
    expect(h.core.clickStatus()).toEqual({ enabled: true, sounding: true, blocked: '' });
    expect(h.ui('alarm').at(-1)).toBe('');
    h.core.setFohOutputs('["3/4"]');
    expect(h.core.alarm.code).toBe('click_to_foh');
    expect(() => h.core.setFohOutputs('"3/4"')).toThrow(/JSON array of output names/);
  });
});

describe('show state in the Live set', () => {
  it('reads back identically after a restart from the same dict', () => {
    const h = new CoreHarness().sceneSet();
    h.core.setPreset('hold on', presetJson({ trimDb: -4.5, ambience: { Verb: null, Delay: -20 }, compressor: { enabled: true } }));
    expect(h.core.showState.targetLufs).toBe(-18);
    h.core.setTarget(-20);
    h.core.setCeiling(-1.5);
    h.core.setAlignRecallToBar(true);
    h.core.setRole('iem');
    h.core.setFohOutputs('["Master","1/2"]');
    h.launch(1);
    h.play(12, -22);
    h.launch(3);
    const written = h.core.showState;
    expect(written.measurements['hold on'].seconds).toBe(12);

    const restarted = new CoreHarness(JSON.parse(JSON.stringify(h.dict)) as Record<string, unknown>);
    expect(restarted.core.showState).toEqual(written);
    restarted.core.start();
    expect(restarted.ui('role')).toEqual(['iem']);
  });

  it('an unreadable dict starts from defaults and names the problem', async () => {
    const { loadShowState } = await import('../../../m4l-device/src/show-state-store');
    const newer = loadShowState({ liveblend_show_state: JSON.stringify({ version: 9 }) });
    expect(newer.problem).toMatch(/newer LiveBlend \(version 9 > 1\)/);
    const garbage = loadShowState({ liveblend_show_state: '{' });
    expect(garbage.problem).toMatch(/not JSON/);
    expect(garbage.state.presets).toEqual({});
  });
});
