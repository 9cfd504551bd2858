import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGET_LUFS, TARGET_LIMITS } from '../../../src/shared/osc-protocol';
import { PRESET_LIMITS, defaultPreset } from '../../../src/shared/preset';
import {
  SHOW_SCHEMA_VERSION,
  ShowFileError,
  applyEdit,
  changedPresets,
  effectivePreset,
  migrateShow,
  newShow,
  parseShow,
  type Show,
  type ShowMigration,
  type Slot,
} from '../../../src/shared/show';

const FOH: Slot = { track: 'Tracks', role: 'bus' };
const IEM: Slot = { track: 'Drummer IEM', role: 'iem' };
const CLICK: Slot = { track: 'Click', role: 'click' };

function showWith(edits: unknown[]): Show {
  return edits.reduce<Show>((show, edit) => applyEdit(show, edit), newShow({ name: 'Tour' }));
}

const base = () =>
  showWith([
    { kind: 'addSlot', slot: FOH },
    { kind: 'addSlot', slot: IEM },
    { kind: 'addSlot', slot: CLICK },
    { kind: 'addSong', key: 'hold on', name: 'Hold On' },
  ]);

function fileProblems(json: unknown): ShowFileError {
  try {
    parseShow(json);
  } catch (error) {
    if (error instanceof ShowFileError) return error;
    throw error;
  }
  throw new Error('expected the show to be refused');
}

describe('show file validation', () => {
  it('lists every problem with its path in the file', () => {
    const show = { ...base(), revision: 1.5, toleranceLu: 0, songs: [{ key: 'hold on', name: 'Hold On', presets: { 'bus:Tracks': { version: 1, eq: [{}, {}, { gainDb: 30 }, {}, {}] }, 'bus:Keys': { version: 1 } } }] };
    const error = fileProblems(JSON.parse(JSON.stringify(show)));
    expect(error.problem).toBe('invalid');
    expect(error.problems).toEqual(['revision: 1.5 is not an int', 'toleranceLu: 0 is outside 0.1–10 LU', 'songs[0].presets.bus:Tracks.eq[2].gainDb: 30 is outside -18 to 18 dB']);
    expect(error.message.split('\n')[0]).toBe('invalid show (3 problems):');
  });

  it('refuses presets for slots the show does not declare, duplicate song keys and unknown fields', () => {
    const show = { ...base(), songs: [{ key: 'run', name: 'Run', presets: { 'bus:Keys Stems': { version: 1 } } }, { key: 'run', name: 'Run again' }], colour: 'red' };
    expect(fileProblems(show).problems).toEqual([
      'colour: unknown field (check the spelling)',
      'songs[0].presets["bus:Keys Stems"]: is not a device slot of this show (slots: bus:Tracks, iem:Drummer IEM, click:Click)',
      'songs[1].key: "run" is used by an earlier song (song keys must be unique)',
    ]);
  });

  it('holds the target to the range the devices accept, so a valid show can always be pushed to the rig', () => {
    expect(fileProblems({ ...base(), targetLufs: -40 }).problems).toEqual([`targetLufs: -40 is outside ${TARGET_LIMITS.min} to ${TARGET_LIMITS.max} LUFS`]);
    expect(() => applyEdit(base(), { kind: 'setTarget', targetLufs: -5, toleranceLu: 1 })).toThrow(`setTarget refused: targetLufs: -5 is outside ${TARGET_LIMITS.min} to ${TARGET_LIMITS.max} LUFS`);
    expect(newShow({ name: 'Fresh' }).targetLufs).toBe(DEFAULT_TARGET_LUFS);
  });

  it('says when a file is not a show at all, or has no usable schema version', () => {
    expect(fileProblems([1, 2]).message).toBe('not a LiveBlend show file (it has no "format": "liveblend-show")');
    expect(fileProblems({ format: 'liveblend-show', schemaVersion: 'one' }).problem).toBe('unknown-version');
  });

  it('reports a preset saved by a newer LiveBlend at its place in the show', () => {
    const show = { ...base(), songs: [{ key: 'hold on', name: 'Hold On', presets: { 'bus:Tracks': { version: 7 } } }] };
    expect(fileProblems(show).problems).toEqual(['songs[0].presets.bus:Tracks: is from a newer LiveBlend (version 7 > 1): update LiveBlend']);
  });

  it('accepts the example in docs/showfile.md', () => {
    const doc = readFileSync(new URL('../../../docs/showfile.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)![1];
    const show = parseShow(JSON.parse(example));
    expect(show.songs.map((s) => s.key)).toEqual(['hold on', 'run']);
    expect(effectivePreset(show, 'hold on', FOH).trimDb).toBe(-6);
  });

  it('round-trips a show through JSON unchanged', () => {
    const show = applyEdit(base(), { kind: 'setPreset', songKey: 'hold on', slot: FOH, preset: { ...defaultPreset(), trimDb: -3.5 } });
    expect(parseShow(JSON.parse(JSON.stringify(show)))).toEqual(show);
  });
});

describe('schema migrations', () => {
  // The shipped table is empty (schema 1 is the first); these synthetic steps prove the chain a future bump will use.
  const migrations: Record<number, ShowMigration> = {
    1: (show) => ({ ...show, ceilings: { fohDbtp: show.ceilingDbtp, iemDbtp: show.ceilingDbtp }, ceilingDbtp: undefined }),
    2: (show) => ({ ...show, notes: `${String(show.notes)} (upgraded)` }),
  };

  it('upgrades one step at a time up to the current version', () => {
    const upgraded = migrateShow({ format: 'liveblend-show', schemaVersion: 1, ceilingDbtp: -2, notes: 'old' }, migrations, 3);
    expect(upgraded).toMatchObject({ schemaVersion: 3, ceilings: { fohDbtp: -2, iemDbtp: -2 }, notes: 'old (upgraded)' });
  });

  it('refuses a version it has no migration for, and a newer one', () => {
    expect(() => migrateShow({ format: 'liveblend-show', schemaVersion: 1 }, { 2: migrations[2] }, 3)).toThrow('show schema 1 cannot be upgraded (no migration to 2): open a backup');
    expect(() => migrateShow({ format: 'liveblend-show', schemaVersion: SHOW_SCHEMA_VERSION + 1 })).toThrow(
      `show file is newer than this version of LiveBlend (schema ${SHOW_SCHEMA_VERSION + 1} > ${SHOW_SCHEMA_VERSION}): update LiveBlend or open a backup`,
    );
  });
});

describe('effectivePreset', () => {
  it('adds the venue trim and band gains to FOH bus slots, clamped to the preset limits', () => {
    const show = showWith([
      { kind: 'addSlot', slot: FOH },
      { kind: 'addSong', key: 'hold on', name: 'Hold On' },
      { kind: 'setPreset', songKey: 'hold on', slot: FOH, preset: { version: 1, trimDb: 20, eq: [{ enabled: true }, { gainDb: 2 }, { gainDb: 16 }, {}, {}] } },
      { kind: 'setVenueOffset', venue: { name: 'Barrowland', trimDb: 6, eqGainDb: [5, -3, 4, 0, 1] } },
    ]);
    const preset = effectivePreset(show, 'hold on', FOH);
    expect(preset.trimDb).toBe(PRESET_LIMITS.trimDb.max);
    expect(preset.eq.map((b) => b.gainDb)).toEqual([0, -1, PRESET_LIMITS.gainDb.max, 0, 1]);
    expect(show.songs[0].presets['bus:Tracks'].trimDb).toBe(20);
  });

  it('leaves the in-ear and click slots out of the venue offset but holds them to the IEM ceiling', () => {
    const show = applyEdit(applyEdit(base(), { kind: 'setVenueOffset', venue: { trimDb: -4 } }), { kind: 'setCeilings', fohDbtp: -0.5, iemDbtp: -6 });
    expect(effectivePreset(show, 'hold on', IEM)).toMatchObject({ trimDb: 0, limiter: { ceilingDbtp: -6 } });
    expect(effectivePreset(show, 'hold on', CLICK)).toMatchObject({ trimDb: 0, limiter: { ceilingDbtp: -6 } });
    // The song's own −1 dBTP is stricter than the FOH −0.5: the stricter one wins.
    expect(effectivePreset(show, 'hold on', FOH)).toMatchObject({ trimDb: -4, limiter: { ceilingDbtp: -1 } });
  });

  it('names the song it cannot find', () => {
    expect(() => effectivePreset(base(), 'encore', FOH)).toThrow('no song "encore" in show "Tour"');
  });
});

describe('applyEdit and changedPresets', () => {
  it('never touches the show it was given', () => {
    const show = base();
    const copy = JSON.parse(JSON.stringify(show)) as Show;
    applyEdit(show, { kind: 'setTrim', songKey: 'hold on', slot: FOH, trimDb: -2 });
    applyEdit(show, { kind: 'removeSlot', slot: FOH });
    expect(show).toEqual(copy);
  });

  it('drops a removed slot’s presets from every song', () => {
    const show = applyEdit(applyEdit(base(), { kind: 'setTrim', songKey: 'hold on', slot: FOH, trimDb: -2 }), { kind: 'removeSlot', slot: FOH });
    expect(show.songs[0].presets).toEqual({});
  });

  it('refuses an unknown edit, naming the kinds there are', () => {
    expect(() => applyEdit(base(), { kind: 'mergeShows' })).toThrow(/^invalid edit: edit\.kind: "mergeShows" is not a known edit \(kinds: setPreset, setTrim/);
  });

  it('lists only the song × slot pairs whose effective preset moved', () => {
    const before = base();
    const after = applyEdit(before, { kind: 'setCeilings', fohDbtp: -1, iemDbtp: -8 });
    expect(changedPresets(before, after).map((c) => `${c.songKey} ${c.slot.role}`)).toEqual(['hold on iem', 'hold on click']);
    expect(changedPresets(null, before)).toHaveLength(3);
  });
});
