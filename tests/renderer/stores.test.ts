// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { defineComponent, effectScope, h } from 'vue';
import { mount } from '@vue/test-utils';
import { PANEL_API } from '../../src/renderer/src/api/inject';
import { usePanelSync } from '../../src/renderer/src/composables/usePanelSync';
import { useConnectionStore } from '../../src/renderer/src/stores/connection';
import { useDevicesStore } from '../../src/renderer/src/stores/devices';
import { useLearnStore } from '../../src/renderer/src/stores/learn';
import { useMetersStore } from '../../src/renderer/src/stores/meters';
import { useShowStore } from '../../src/renderer/src/stores/show';
import type { LinkState, MeterReading } from '../../src/shared/api';
import { DEFAULT_TARGET_LUFS } from '../../src/shared/osc-protocol';
import { createTestingPinia } from '@pinia/testing';
import { vi } from 'vitest';
import { createFakeApi, makeDevice, makeShow, piniaWithApi } from './fake-api';

const link: LinkState = { enabled: true, tempo: 124, beat: 8, phase: 0, quantum: 4, peers: 2, playing: true };
const idleAnalysis = { jobId: null, status: 'idle', done: 0, total: 0, progress: 0, currentFile: null, results: [], errors: [] } as const;

function loadingApi() {
  return createFakeApi({
    'show:get': () => makeShow(),
    'loudness:get': () => [],
    'devices:list': () => [makeDevice()],
    'nowPlaying:get': () => ({}),
    'link:get': () => link,
    'learn:get': () => [],
    'analysis:get': () => ({ ...idleAnalysis, results: [], errors: [] }),
    'log:show': () => [],
    'settings:get': () => ({ network: 'loopback', pairing: null, discoveryPort: 9330, theme: 'dark' }),
  });
}

/** Manual animation frames, so a test decides when a frame happens. */
function manualFrames() {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  return {
    request: (callback: () => void) => {
      callbacks.set(next, callback);
      return next++;
    },
    cancel: (handle: number) => callbacks.delete(handle),
    run() {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const callback of due) callback();
    },
    pending: () => callbacks.size,
  };
}

function mountSync(fake: ReturnType<typeof createFakeApi>, frames = manualFrames()) {
  const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn });
  const Harness = defineComponent({
    setup() {
      usePanelSync(frames);
      return () => h('div');
    },
  });
  const wrapper = mount(Harness, { global: { plugins: [pinia], provide: { [PANEL_API as symbol]: fake.api } } });
  return { wrapper, frames };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('panel sync', () => {
  it('loads everything when connected and keeps stores current from events', async () => {
    const fake = loadingApi();
    mountSync(fake);
    await flush();
    const show = useShowStore();
    const devices = useDevicesStore();
    expect(show.show?.songs).toHaveLength(5);
    expect(devices.devices.map((device) => device.id)).toEqual(['dev-1']);

    fake.emit('nowPlaying:changed', { 'dev-1': 'song-3' });
    expect(devices.playingSongKey).toBe('song-3');
    fake.emit('devices:changed', [makeDevice({ state: 'lost' })]);
    expect(devices.lostDevices).toHaveLength(1);
    fake.emit('show:changed', makeShow({ revision: 9, name: 'Renamed' }));
    expect(show.show?.name).toBe('Renamed');
    fake.emit('show:changed', makeShow({ revision: 8, name: 'Older' }));
    expect(show.show?.name).toBe('Renamed');
  });

  it('batches meter frames into one store update per animation frame', async () => {
    const fake = loadingApi();
    const { frames } = mountSync(fake);
    const meters = useMetersStore();
    const reading = (deviceId: string, shortTerm: number, at: number): MeterReading => ({ deviceId, momentary: shortTerm + 1, shortTerm, integrated: -16, truePeak: -3, compressorGr: 0, limiterGr: 0.5, songKey: 'song-1', at });
    fake.emit('meters:frame', [reading('a', -17, 1000), reading('b', -20, 1000)]);
    fake.emit('meters:frame', [reading('a', -15, 1100)]);
    expect(meters.readings).toEqual({});
    expect(frames.pending()).toBe(1);
    frames.run();
    expect(meters.readings.a.shortTerm).toBe(-15);
    expect(meters.readings.b.shortTerm).toBe(-20);
    expect(meters.history.a.points).toEqual([
      { t: 0, shortTerm: -17 },
      { t: 0.1, shortTerm: -15 },
    ]);
    fake.emit('meters:frame', [{ ...reading('a', -30, 5000), songKey: 'song-2' }]);
    frames.run();
    expect(meters.history.a.points).toEqual([{ t: 0, shortTerm: -30 }]);
  });

  it('reloads after the core comes back, and unsubscribes everything when its scope ends', async () => {
    const fake = loadingApi();
    const { wrapper } = mountSync(fake);
    await flush();
    const connection = useConnectionStore();
    fake.setConnection('closed');
    expect(connection.core).toBe('closed');
    const loadsBefore = fake.calls('show:get').length;
    fake.setConnection('open');
    await flush();
    expect(connection.core).toBe('open');
    expect(fake.calls('show:get').length).toBe(loadsBefore + 1);
    wrapper.unmount();
    expect(fake.listenerCount()).toBe(0);
  });
});

describe('show store edits', () => {
  it('applies a preset edit at once, sends it with the base revision and takes the new revision', async () => {
    const fake = createFakeApi({ 'preset:set': () => ({ ok: true, revision: 8 }) });
    piniaWithApi(fake.api);
    const show = useShowStore();
    show.applyShow(makeShow());
    const preset = { ...show.show!.songs[1].presets['bus:Tracks'], trimDb: -4 };
    const pending = show.setPreset('song-2', 'bus:Tracks', preset, { alignToBar: true });
    expect(show.show!.songs[1].presets['bus:Tracks'].trimDb).toBe(-4);
    expect(await pending).toBe(true);
    expect(fake.calls('preset:set')[0]).toMatchObject({ baseRevision: 7, songKey: 'song-2', slot: 'bus:Tracks', alignToBar: true });
    expect(show.show!.revision).toBe(8);
  });

  it('rolls a stale edit back, shows why, and fetches the latest show', async () => {
    const latest = makeShow({ revision: 12, name: 'Changed elsewhere' });
    const fake = createFakeApi({
      'preset:set': () => ({ ok: false, error: 'stale', message: 'revision 7 is older than 12' }),
      'show:get': () => latest,
      'loudness:get': () => [],
    });
    piniaWithApi(fake.api);
    const show = useShowStore();
    show.applyShow(makeShow());
    const ok = await show.setPreset('song-1', 'bus:Tracks', { ...show.show!.songs[0].presets['bus:Tracks'], trimDb: 9 });
    expect(ok).toBe(false);
    expect(show.editError).toContain('changed elsewhere');
    expect(show.editError).toContain('revision 7 is older than 12');
    expect(show.show!.revision).toBe(12);
    expect(show.show!.songs[0].presets['bus:Tracks'].trimDb).toBe(0);
  });

  it('rolls back an invalid edit without refetching', async () => {
    const fake = createFakeApi({ 'show:update': () => ({ ok: false, error: 'invalid', message: 'setTarget refused: toleranceLu: 0 is outside 0.1–10 LU' }) });
    piniaWithApi(fake.api);
    const show = useShowStore();
    show.applyShow(makeShow());
    expect(await show.updateShow({ targetLufs: -14 })).toBe(false);
    expect(show.show!.targetLufs).toBe(-16);
    expect(show.editError).toBe('Show settings not applied: setTarget refused: toleranceLu: 0 is outside 0.1–10 LU');
    expect(fake.calls('show:get')).toHaveLength(0);
  });

  it('shows part of a ceilings or venue change at once, keeping the fields it does not name', async () => {
    let answer: (result: { ok: true; revision: number }) => void = () => undefined;
    const fake = createFakeApi({ 'show:update': () => new Promise((resolve) => (answer = resolve)) });
    piniaWithApi(fake.api);
    const show = useShowStore();
    show.applyShow(makeShow({ venue: { name: 'Club', trimDb: -1, eqGainDb: [0, 1, 0, 0, 0] } }));
    const pending = show.updateShow({ ceilings: { iemDbtp: -6 }, venue: { trimDb: 2 } });
    expect(show.show!.ceilings).toEqual({ fohDbtp: -1, iemDbtp: -6 });
    expect(show.show!.venue).toEqual({ name: 'Club', trimDb: 2, eqGainDb: [0, 1, 0, 0, 0] });
    await vi.waitFor(() => expect(fake.calls('show:update')).toHaveLength(1));
    answer({ ok: true, revision: 8 });
    expect(await pending).toBe(true);
    expect(show.show!.revision).toBe(8);
  });

  it('falls back to the devices’ default target before the show has loaded', () => {
    piniaWithApi(createFakeApi().api);
    expect(useShowStore().targetLufs).toBe(DEFAULT_TARGET_LUFS);
  });

  it('sends queued edits one after another, each on the revision the previous one produced', async () => {
    let revision = 7;
    const fake = createFakeApi({ 'preset:set': ({ baseRevision }) => (baseRevision === revision ? { ok: true, revision: ++revision } : { ok: false, error: 'stale', message: 'stale' }) });
    piniaWithApi(fake.api);
    const show = useShowStore();
    show.applyShow(makeShow());
    const preset = show.show!.songs[0].presets['bus:Tracks'];
    const results = await Promise.all([1, 2, 3].map((trimDb) => show.setPreset('song-1', 'bus:Tracks', { ...preset, trimDb })));
    expect(results).toEqual([true, true, true]);
    expect(fake.calls('preset:set').map((call) => call.baseRevision)).toEqual([7, 8, 9]);
    expect(show.show!.songs[0].presets['bus:Tracks'].trimDb).toBe(3);
  });

  it('learn applies all proposals or only the ticked ones', async () => {
    const fake = createFakeApi({ 'learn:apply': () => ({ ok: true, revision: 8 }) });
    piniaWithApi(fake.api);
    useShowStore().applyShow(makeShow());
    const learn = useLearnStore();
    learn.setProposals([
      { songKey: 'song-1', slot: 'bus:Tracks', beforeTrimDb: 0, afterTrimDb: 2, measured: { integrated: -18, lra: 4, maxTruePeak: -3, measuredSeconds: 200 } },
      { songKey: 'song-2', slot: 'bus:Tracks', beforeTrimDb: 1, afterTrimDb: -1, measured: { integrated: -14, lra: 4, maxTruePeak: -1, measuredSeconds: 200 } },
    ]);
    await learn.apply();
    learn.toggle(`song-2\u0000bus:Tracks`);
    await learn.applySelected();
    expect(fake.calls('learn:apply')).toEqual([{ baseRevision: 7 }, { baseRevision: 8, items: [{ songKey: 'song-2', slot: 'bus:Tracks' }] }]);
    expect(learn.selected.size).toBe(0);
  });
});

describe('without a PanelApi', () => {
  it('says what is missing instead of failing somewhere deeper', () => {
    const scope = effectScope();
    createTestingPinia({ stubActions: false, createSpy: vi.fn, fakeApp: true });
    expect(() => scope.run(() => useShowStore())).toThrow(/no PanelApi provided/);
    scope.stop();
  });
});
