// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { barBeat } from '../../src/renderer/src/logic/bar-beat';
import { preShowChecklist } from '../../src/renderer/src/logic/checklist';
import { deviationLevel } from '../../src/renderer/src/logic/deviation';
import { EQ_PLOT, bandAfterKey, bandAtPoint, freqToX, gainToY } from '../../src/renderer/src/logic/eq-geometry';
import { formatSigned } from '../../src/renderer/src/logic/format';
import { jumpMarkers } from '../../src/renderer/src/logic/jumps';
import { learnRows, rowId, selectedItems } from '../../src/renderer/src/logic/learn-review';
import { presetSlots, slotLabel } from '../../src/renderer/src/logic/slots';
import { UndoHistory } from '../../src/renderer/src/logic/undo-history';
import { defaultPreset } from '../../src/shared/preset';
import { matchFilesToSongs } from '../../src/shared/song-match';
import type { LinkState } from '../../src/shared/api';
import { makeDevice, makeShow } from './fake-api';

describe('deviation colour', () => {
  it('is ok within the tolerance, warn up to twice it, bad beyond, on either side of the target', () => {
    expect(deviationLevel(-16, -16, 1)).toBe('ok');
    expect(deviationLevel(-15, -16, 1)).toBe('ok');
    expect(deviationLevel(-17.5, -16, 1)).toBe('warn');
    expect(deviationLevel(-14, -16, 1)).toBe('warn');
    expect(deviationLevel(-13.9, -16, 1)).toBe('bad');
    expect(deviationLevel(-20, -16, 1)).toBe('bad');
  });

  it('says unmeasured rather than guessing when nothing was measured', () => {
    expect(deviationLevel(null, -16, 1)).toBe('unmeasured');
  });
});

describe('jump markers', () => {
  it('marks the later song of each consecutive pair that differs by more than the tolerance', () => {
    expect(jumpMarkers([-16, -16.5, -13, -13.2, -18], 1)).toEqual([
      { index: 2, deltaLu: 3.5 },
      { index: 4, deltaLu: expect.closeTo(-4.8, 9) },
    ]);
  });

  it('does not mark a difference equal to the tolerance, nor across an unmeasured song', () => {
    expect(jumpMarkers([-16, -15, -15], 1)).toEqual([]);
    expect(jumpMarkers([-16, null, -10], 1)).toEqual([]);
  });
});

describe('learn review', () => {
  const songs = makeShow().songs;
  const proposal = (songKey: string, before: number, after: number, integrated: number | null) => ({
    songKey,
    slot: 'bus:Tracks',
    beforeTrimDb: before,
    afterTrimDb: after,
    measured: { integrated, lra: 5, maxTruePeak: -2, measuredSeconds: 200 },
  });

  it('lists proposals in set order with the change and where each song will land', () => {
    const rows = learnRows([proposal('song-3', 0, -2.5, -13.5), proposal('song-1', 1, 3, -18)], songs);
    expect(rows.map((row) => row.songName)).toEqual(['Opener', 'Slow One']);
    expect(rows[0]).toMatchObject({ changeDb: 2, measuredLufs: -18, expectedLufs: -16, negligible: false });
    expect(rows[1]).toMatchObject({ changeDb: -2.5, expectedLufs: -16 });
  });

  it('leaves out songs the show no longer has and flags changes too small to hear', () => {
    const rows = learnRows([proposal('gone', 0, 3, -19), proposal('song-2', 1, 1.05, -16)], songs);
    expect(rows).toHaveLength(1);
    expect(rows[0].negligible).toBe(true);
  });

  it('turns the ticked rows into learn:apply items', () => {
    const rows = learnRows([proposal('song-1', 0, 1, -17), proposal('song-2', 0, 2, -18), proposal('song-4', 0, -1, -15)], songs);
    expect(selectedItems(rows, new Set([rowId(rows[2]), rowId(rows[0])]))).toEqual([
      { songKey: 'song-1', slot: 'bus:Tracks' },
      { songKey: 'song-4', slot: 'bus:Tracks' },
    ]);
  });
});

describe('preset slots', () => {
  it('lists the show’s slots and the rig’s, bus first, leaving out click devices and devices with no track yet', () => {
    const show = makeShow({ slots: [{ track: 'Tracks', role: 'bus' }, { track: 'Drums IEM', role: 'iem' }] });
    const devices = [makeDevice({ track: 'Keys Stems' }), makeDevice({ id: 'c', role: 'click', track: 'Click' }), makeDevice({ id: 'new', track: '' })];
    expect(presetSlots(show, devices)).toEqual(['bus:Keys Stems', 'bus:Tracks', 'iem:Drums IEM']);
    expect(slotLabel('bus:Keys: Stems')).toBe('Keys: Stems (bus)');
  });
});

describe('pre-show checklist', () => {
  const link: LinkState = { enabled: true, tempo: 120, beat: 0, phase: 0, quantum: 4, peers: 1, playing: true };
  const allWithin = makeShow().songs.map((song) => ({ songKey: song.key, slot: 'bus:Tracks', integrated: -16.4, lra: 5, maxTruePeak: -2, maxShortTerm: -12, measuredSeconds: 180 }));
  const byId = (items: ReturnType<typeof preShowChecklist>) => Object.fromEntries(items.map((item) => [item.id, item]));

  it('passes every rule for a complete, healthy rig (in-ear and click devices need no song presets)', () => {
    const devices = [makeDevice(), makeDevice({ id: 'click', role: 'click', track: 'Click', routing: 'Ext. Out 3/4' }), makeDevice({ id: 'iem', role: 'iem', track: 'IEM Mix', routing: 'Ext. Out 5/6' })];
    const items = preShowChecklist({ show: makeShow(), devices, link, loudness: allWithin });
    expect(items.filter((item) => !item.ok)).toEqual([]);
  });

  it('names the song missing a preset and the expected device that is not connected', () => {
    const show = makeShow();
    show.songs[2].presets = {};
    const items = byId(preShowChecklist({ show, devices: [makeDevice(), makeDevice({ id: 'keys', track: 'Keys', state: 'lost' })], link, loudness: allWithin }));
    expect(items.presets.ok).toBe(false);
    expect(items.presets.detail).toContain('Slow One (bus:Tracks)');
    expect(items.presets.detail).toContain('bus:Keys');
    expect(items.devices).toMatchObject({ ok: true });

    const missing = byId(preShowChecklist({ show: makeShow(), devices: [makeDevice({ state: 'lost' })], link, loudness: allWithin }));
    expect(missing.devices.ok).toBe(false);
    expect(missing.devices.detail).toContain('bus:Tracks');
  });

  it('fails on a routing alarm, mixed sample rates, no Link peer and a song outside the tolerance', () => {
    const loudness = allWithin.map((entry) => (entry.songKey === 'song-4' ? { ...entry, integrated: -12 } : entry));
    const items = byId(
      preShowChecklist({
        show: makeShow(),
        devices: [makeDevice(), makeDevice({ id: 'click', role: 'click', track: 'Click', sampleRate: 44100, alarm: 'click routed to FOH outputs' })],
        link: { ...link, peers: 0 },
        loudness,
      }),
    );
    expect(items.routing).toMatchObject({ ok: false, detail: 'Click: click routed to FOH outputs' });
    expect(items['sample-rate']).toMatchObject({ ok: false, detail: 'devices run at 44.1 kHz and 48 kHz' });
    expect(items.link.ok).toBe(false);
    expect(items.tolerance).toMatchObject({ ok: false, detail: 'outside ±1 LU: Anthem' });
  });

  it('does not fail the tolerance rule for songs not measured yet, but says so', () => {
    const items = byId(preShowChecklist({ show: makeShow(), devices: [makeDevice()], link, loudness: allWithin.slice(0, 3) }));
    expect(items.tolerance).toMatchObject({ ok: true, detail: '2 songs not measured yet' });
  });
});

describe('EQ handle geometry', () => {
  const peak = defaultPreset().eq[2];

  it('arrow keys move a band by 1/12 octave and 0.5 dB, with Shift by a third and 3 dB', () => {
    expect(bandAfterKey(peak, 'ArrowUp', false)).toMatchObject({ gainDb: 0.5, freqHz: 400 });
    expect(bandAfterKey(peak, 'ArrowDown', true)).toMatchObject({ gainDb: -3 });
    expect(bandAfterKey(peak, 'ArrowRight', false)!.freqHz).toBe(Math.round(400 * 2 ** (1 / 12)));
    expect(bandAfterKey(peak, 'ArrowLeft', true)!.freqHz).toBe(Math.round(400 / 2 ** (1 / 3)));
    expect(bandAfterKey(peak, 'Enter', false)).toBeNull();
  });

  it('never leaves the preset ranges and gives pass filters no gain', () => {
    expect(bandAfterKey({ ...peak, gainDb: 17.8 }, 'ArrowUp', true)!.gainDb).toBe(18);
    expect(bandAfterKey({ ...peak, freqHz: 19990 }, 'ArrowRight', true)!.freqHz).toBe(20000);
    expect(bandAfterKey(defaultPreset().eq[0], 'ArrowUp', false)).toBeNull();
    expect(bandAtPoint(defaultPreset().eq[0], freqToX(80), gainToY(6))).toMatchObject({ freqHz: 80, gainDb: 0 });
  });

  it('maps a plot point back to the frequency and gain drawn there', () => {
    expect(bandAtPoint(peak, freqToX(1000), gainToY(-4.5))).toMatchObject({ freqHz: 1000, gainDb: -4.5 });
    expect(bandAtPoint(peak, EQ_PLOT.width * 2, -100)).toMatchObject({ freqHz: 20000, gainDb: 18 });
  });
});

describe('small helpers', () => {
  it('undo/redo walks the edits and a new edit drops the redo branch', () => {
    const history = new UndoHistory('a');
    history.push('b');
    history.push('c');
    expect(history.undo()).toBe('b');
    expect(history.undo()).toBe('a');
    expect(history.canUndo).toBe(false);
    expect(history.redo()).toBe('b');
    history.push('d');
    expect(history.canRedo).toBe(false);
    expect(history.undo()).toBe('b');
  });

  it('bar and beat count from 1 in a bar of `quantum` beats', () => {
    expect(barBeat(0, 4)).toEqual({ bar: 1, beat: 1 });
    expect(barBeat(6.5, 4)).toEqual({ bar: 2, beat: 3 });
    expect(barBeat(9, 3)).toEqual({ bar: 4, beat: 1 });
  });

  it('prints signs and dashes the way FOH reads them', () => {
    expect(formatSigned(2.04, 'dB')).toBe('+2.0 dB');
    expect(formatSigned(-0.5, 'LU')).toBe('−0.5 LU');
    expect(formatSigned(-0.01)).toBe('0.0');
    expect(formatSigned(null)).toBe('—');
  });

  it('matches analysed files to songs by name, ignoring numbering and notes', () => {
    const matches = matchFilesToSongs(['/stems/01 - Opener.wav', '/stems/03_Slow One (master v2).flac', '/stems/Unknown.wav'], makeShow().songs);
    expect(matches).toEqual([
      { path: '/stems/01 - Opener.wav', songKey: 'song-1' },
      { path: '/stems/03_Slow One (master v2).flac', songKey: 'song-3' },
    ]);
  });
});
