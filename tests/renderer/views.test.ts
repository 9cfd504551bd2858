// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import { createTestingPinia } from '@pinia/testing';
import { PANEL_API } from '../../src/renderer/src/api/inject';
import ConnectionBanner from '../../src/renderer/src/components/common/ConnectionBanner.vue';
import { EDIT_DEBOUNCE_MS } from '../../src/renderer/src/composables/usePresetDraft';
import { EQ_PLOT, freqToX, gainToY } from '../../src/renderer/src/logic/eq-geometry';
import LearnView from '../../src/renderer/src/views/LearnView.vue';
import PresetEditorView from '../../src/renderer/src/views/PresetEditorView.vue';
import RigView from '../../src/renderer/src/views/RigView.vue';
import AnalysisView from '../../src/renderer/src/views/AnalysisView.vue';
import SetlistView from '../../src/renderer/src/views/SetlistView.vue';
import SettingsView from '../../src/renderer/src/views/SettingsView.vue';
import { TARGET_LIMITS } from '../../src/shared/osc-protocol';
import type { SongLoudness } from '../../src/shared/api';
import { createFakeApi, makeDevice, makeShow } from './fake-api';

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function loudness(integrated: (number | null)[]): SongLoudness[] {
  return integrated.map((value, index) => ({ songKey: `song-${index + 1}`, slot: 'bus:Tracks', integrated: value, lra: 6, maxTruePeak: -1.5, maxShortTerm: -11, measuredSeconds: 200 }));
}

function mountView(component: Parameters<typeof mount>[0], initialState: Record<string, unknown>, fake = createFakeApi()) {
  const pinia = createTestingPinia({ stubActions: false, createSpy: vi.fn, initialState });
  wrapper = mount(component, { global: { plugins: [pinia], provide: { [PANEL_API as symbol]: fake.api } } }) as VueWrapper;
  return { wrapper, fake };
}

describe('setlist view', () => {
  it('shows one row per song with deviation colours, jump markers and the playing song highlighted', () => {
    const { wrapper } = mountView(SetlistView, {
      show: { show: makeShow(), loudness: loudness([-16.2, -17.5, -13.2, null, -19]) },
      devices: { devices: [makeDevice()], nowPlaying: { 'dev-1': 'song-3' } },
    });
    const rows = wrapper.findAll('[data-testid="song-row"]');
    expect(rows.map((row) => row.text())).toHaveLength(5);
    expect(wrapper.findAll('[data-testid="song-deviation"]').map((cell) => cell.attributes('data-level'))).toEqual(['ok', 'warn', 'bad', 'unmeasured', 'bad']);
    expect(rows[2].attributes('data-playing')).toBe('true');
    expect(rows[2].classes()).toContain('playing');
    expect(rows.filter((row) => row.attributes('data-playing') === 'true')).toHaveLength(1);
    const jumps = rows.map((row) => row.find('[data-testid="jump-marker"]'));
    expect(jumps.map((jump) => jump.exists())).toEqual([false, true, true, false, false]);
    expect(jumps[2].text()).toContain('+4.3 LU');
    expect(rows[1].text()).toContain('+1.0 dB');
  });
});

describe('preset editor', () => {
  function mountEditor(fake = createFakeApi({ 'preset:set': () => ({ ok: true, revision: 8 }) })) {
    vi.useFakeTimers();
    return mountView(PresetEditorView, { show: { show: makeShow(), selectedSongKey: 'song-2' }, devices: { devices: [makeDevice()] } }, fake);
  }

  it('arrow keys on an EQ handle send one debounced preset edit with the new band gain and frequency', async () => {
    const { wrapper, fake } = mountEditor();
    const handle = wrapper.get('[data-testid="eq-handle-3"]');
    await handle.trigger('keydown', { key: 'ArrowUp' });
    await handle.trigger('keydown', { key: 'ArrowUp', shiftKey: true });
    await handle.trigger('keydown', { key: 'ArrowRight' });
    expect(fake.calls('preset:set')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(EDIT_DEBOUNCE_MS);
    const calls = fake.calls('preset:set');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ baseRevision: 7, songKey: 'song-2', slot: 'bus:Tracks' });
    expect(calls[0].preset.eq[3]).toMatchObject({ gainDb: 3.5, freqHz: Math.round(2500 * 2 ** (1 / 12)) });
    expect(calls[0].preset.trimDb).toBe(1);
    expect((wrapper.get('[data-testid="eq-gain-3"]').element as HTMLInputElement).value).toBe('3.5');
  });

  it('dragging a handle moves the band to the frequency and gain under the pointer', async () => {
    const { wrapper, fake } = mountEditor();
    const svg = wrapper.get('[data-testid="eq-curve"]').element;
    // Drawn at twice the viewBox size, offset on the page: the pointer maths must undo both.
    vi.spyOn(svg, 'getBoundingClientRect').mockReturnValue({ left: 100, top: 50, width: EQ_PLOT.width * 2, height: EQ_PLOT.height * 2, right: 0, bottom: 0, x: 100, y: 50, toJSON: () => ({}) } as DOMRect);
    const handle = wrapper.get('[data-testid="eq-handle-2"]');
    await handle.trigger('pointerdown', { pointerId: 1, clientX: 0, clientY: 0 });
    await handle.trigger('pointermove', { pointerId: 1, clientX: 100 + freqToX(800) * 2, clientY: 50 + gainToY(-6) * 2 });
    await handle.trigger('pointerup', { pointerId: 1 });
    await handle.trigger('pointermove', { pointerId: 1, clientX: 100, clientY: 50 });
    await vi.advanceTimersByTimeAsync(EDIT_DEBOUNCE_MS);
    const calls = fake.calls('preset:set');
    expect(calls).toHaveLength(1);
    expect(calls[0].preset.eq[2]).toMatchObject({ freqHz: 800, gainDb: -6 });
  });

  it('undo sends the previous preset back and "align to next bar" travels with the edit', async () => {
    const { wrapper, fake } = mountEditor();
    await wrapper.get('[data-testid="align-to-bar"]').setValue(true);
    await wrapper.get('[data-testid="eq-handle-1"]').trigger('keydown', { key: 'ArrowDown' });
    await vi.advanceTimersByTimeAsync(EDIT_DEBOUNCE_MS);
    await wrapper.get('[data-testid="undo"]').trigger('click');
    await vi.advanceTimersByTimeAsync(EDIT_DEBOUNCE_MS);
    const calls = fake.calls('preset:set');
    expect(calls.map((call) => call.preset.eq[1].gainDb)).toEqual([-0.5, 0]);
    expect(calls.every((call) => call.alignToBar === true)).toBe(true);
  });
});

describe('rig view', () => {
  it('lists every device with its state and shows the checklist failing on a routing alarm', () => {
    const { wrapper } = mountView(RigView, {
      show: { show: makeShow(), loudness: loudness([-16, -16, -16, -16, -16]) },
      devices: { devices: [makeDevice(), makeDevice({ id: 'click', role: 'click', track: 'Click', alarm: 'click routed to FOH outputs' }), makeDevice({ id: 'iem', role: 'iem', track: 'IEM', state: 'lost' })] },
      link: { link: { enabled: true, tempo: 120, beat: 0, phase: 0, quantum: 4, peers: 1, playing: false } },
    });
    const rows = wrapper.findAll('[data-testid="device-row"]');
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => row.attributes('data-state')).sort()).toEqual(['connected', 'connected', 'lost']);
    expect(wrapper.get('[data-testid="check-routing"]').attributes('data-ok')).toBe('false');
    expect(wrapper.get('[data-testid="check-link"]').attributes('data-ok')).toBe('true');
    expect(wrapper.get('[data-testid="checklist-ready"]').text()).toBe('not ready');
  });
});

describe('learn view', () => {
  it('applies every proposal with "Apply all" and one song with its own button', async () => {
    const fake = createFakeApi({ 'learn:apply': () => ({ ok: true, revision: 8 }) });
    const proposal = (songKey: string, after: number) => ({ songKey, slot: 'bus:Tracks', beforeTrimDb: 0, afterTrimDb: after, measured: { integrated: -16 - after, lra: 5, maxTruePeak: -2, measuredSeconds: 180 } });
    const { wrapper } = mountView(LearnView, { show: { show: makeShow() }, learn: { proposals: [proposal('song-1', 2), proposal('song-4', -3)] } }, fake);
    const rows = wrapper.findAll('[data-testid="learn-row"]');
    expect(rows.map((row) => row.get('[data-testid="learn-change"]').text())).toEqual(['+2.0 dB', '−3.0 dB']);
    await wrapper.get('[data-testid="learn-apply-all"]').trigger('click');
    await rows[1].get('[data-testid="learn-apply"]').trigger('click');
    await vi.waitFor(() => expect(fake.calls('learn:apply')).toHaveLength(2));
    expect(fake.calls('learn:apply')[0]).toEqual({ baseRevision: 7 });
    expect(fake.calls('learn:apply')[1].items).toEqual([{ songKey: 'song-4', slot: 'bus:Tracks' }]);
  });
});

describe('connection banner', () => {
  it('is absent when all is well, names a lost device, and says when the core itself is gone', () => {
    const healthy = mountView(ConnectionBanner, { connection: { core: 'open', everConnected: true }, devices: { devices: [makeDevice()] } }).wrapper;
    expect(healthy.find('[data-testid="connection-banner"]').exists()).toBe(false);
    healthy.unmount();
    const lost = mountView(ConnectionBanner, { connection: { core: 'open', everConnected: true }, devices: { devices: [makeDevice({ state: 'lost', track: 'Keys' })] } }).wrapper;
    expect(lost.get('[data-testid="connection-banner"]').text()).toContain('Keys (bus)');
    lost.unmount();
    const core = mountView(ConnectionBanner, { connection: { core: 'closed', everConnected: true }, devices: { devices: [] } }).wrapper;
    expect(core.get('[data-testid="connection-banner"]').text()).toContain('Lost the connection to the LiveBlend core');
  });
});

describe('settings view', () => {
  it('offers only the targets devices accept, and edits the venue offset one field at a time', async () => {
    const fake = createFakeApi({ 'show:update': () => ({ ok: true, revision: 8 }) });
    const { wrapper } = mountView(SettingsView, { show: { show: makeShow({ venue: { name: 'Club', trimDb: 0, eqGainDb: [0, 0, 0, 0, 0] } }) } }, fake);
    const target = wrapper.get('[data-testid="target"]');
    expect([target.attributes('min'), target.attributes('max')]).toEqual([String(TARGET_LIMITS.min), String(TARGET_LIMITS.max)]);
    await target.setValue('-50');
    await wrapper.get('[data-testid="venue-trim"]').setValue('-1.5');
    await wrapper.get('[data-testid="venue-gain-3"]').setValue('2');
    await vi.waitFor(() => expect(fake.calls('show:update')).toHaveLength(3));
    expect(fake.calls('show:update').map((call) => call.changes)).toEqual([{ targetLufs: TARGET_LIMITS.min }, { venue: { trimDb: -1.5 } }, { venue: { eqGainDb: [0, 0, 0, 2, 0] } }]);
    expect(fake.calls('show:update').map((call) => call.baseRevision)).toEqual([7, 8, 8]);
  });
});

describe('analysis view', () => {
  it('shows which song each file matched and asks the core to seed that slot', async () => {
    const fake = createFakeApi({ 'analysis:seedTrims': () => ({ ok: true, revision: 8 }) });
    const result = (path: string, integrated: number | null) => ({ path, durationSec: 200, integrated, lra: 5, truePeak: -2, shortTermMax: -12 });
    const state = { jobId: 'job-1', status: 'done', done: 3, total: 3, progress: 1, currentFile: null, errors: [], results: [result('/stems/01 Opener.wav', -20), result('/stems/Anthem (mix 3).wav', -14), result('/stems/Silence.wav', null)] };
    const { wrapper } = mountView(AnalysisView, { show: { show: makeShow() }, devices: { devices: [makeDevice()] }, analysis: { state } }, fake);
    expect(wrapper.findAll('[data-testid="analysis-result"]').map((row) => row.findAll('td').at(-1)!.text())).toEqual(['Opener', 'Anthem', '—']);
    const seed = wrapper.get('[data-testid="analysis-seed"]');
    expect(seed.text()).toBe('Seed trims for 2 matched songs');
    await seed.trigger('click');
    await vi.waitFor(() => expect(fake.calls('analysis:seedTrims')).toEqual([{ baseRevision: 7, slot: 'bus:Tracks' }]));
  });
});
