import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BACKUPS_KEPT,
  ShowOpenError,
  ShowStore,
  StaleRevisionError,
  backupDirOf,
  listBackups,
  listShows,
  restoreBackup,
  showFileName,
  type ShowChange,
} from '../../../src/main/core/show-store';
import { ShowEditError, type Slot } from '../../../src/shared/show';

const TRACKS: Slot = { track: 'Tracks', role: 'bus' };
const IEM: Slot = { track: 'Drummer IEM', role: 'iem' };

let dir = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-show-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A show with two slots and three songs, at revision 5. */
async function threeSongShow(): Promise<ShowStore> {
  const store = await ShowStore.create(dir, { name: 'Summer Tour' });
  await store.edit(0, { kind: 'addSlot', slot: TRACKS });
  await store.edit(1, { kind: 'addSlot', slot: IEM });
  await store.edit(2, { kind: 'addSong', key: 'hold on', name: 'Hold On' });
  await store.edit(3, { kind: 'addSong', key: 'run', name: 'Run' });
  await store.edit(4, { kind: 'addSong', key: 'last light', name: 'Last Light' });
  return store;
}

async function onDisk(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

function refusal(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the operation to be refused');
    },
    (error: Error) => error,
  );
}

describe('creating and opening', () => {
  it('creates <name>.liveblend.json at revision 0 and reopens it identically', async () => {
    const store = await ShowStore.create(dir, { name: 'Summer Tour', targetLufs: -16 });
    expect(store.path).toBe(join(dir, 'Summer Tour.liveblend.json'));
    expect(await onDisk(store.path)).toMatchObject({ format: 'liveblend-show', schemaVersion: 1, name: 'Summer Tour', revision: 0, targetLufs: -16 });
    expect((await ShowStore.open(store.path)).show).toEqual(store.show);
  });

  it('refuses to create over an existing show', async () => {
    await ShowStore.create(dir, { name: 'Summer Tour' });
    expect((await refusal(ShowStore.create(dir, { name: 'Summer Tour' }))).message).toMatch(/already exists.*open it instead/);
  });

  it('turns show names into safe file names', () => {
    expect(showFileName('AC/DC: Live?')).toBe('AC-DC- Live-.liveblend.json');
    expect(() => showFileName('...')).toThrow(/no usable file name/);
  });

  it('lists the shows in a folder, with the reason a broken one cannot be opened', async () => {
    await threeSongShow();
    await writeFile(join(dir, 'Broken.liveblend.json'), '{"format": "liveblend-show", ');
    await writeFile(join(dir, 'notes.txt'), 'not a show');
    const shows = await listShows(dir);
    expect(shows).toHaveLength(2);
    expect(shows[0]).toMatchObject({ path: join(dir, 'Broken.liveblend.json'), problem: expect.stringMatching(/not valid JSON/) });
    expect(shows[1]).toEqual({ path: join(dir, 'Summer Tour.liveblend.json'), name: 'Summer Tour', revision: 5, songs: 3 });
  });
});

describe('edits', () => {
  it('saves each edit as the next revision and tells listeners which presets devices must get', async () => {
    const store = await threeSongShow();
    const changes: ShowChange[] = [];
    store.onChange((change) => changes.push(change));
    const show = await store.edit(5, { kind: 'setTrim', songKey: 'run', slot: TRACKS, trimDb: -4.5 });
    expect(show.revision).toBe(6);
    expect(((await onDisk(store.path)).songs as { presets: Record<string, { trimDb: number }> }[])[1].presets['bus:Tracks'].trimDb).toBe(-4.5);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ cause: 'setTrim', revision: 6 });
    expect(changes[0].presets.map((p) => [p.songKey, p.slot.track, p.preset.trimDb])).toEqual([['run', 'Tracks', -4.5]]);
  });

  it('pushes every bus preset when the venue offset changes, and none of the in-ear ones', async () => {
    const store = await threeSongShow();
    const changes: ShowChange[] = [];
    store.onChange((change) => changes.push(change));
    await store.edit(5, { kind: 'setVenueOffset', venue: { name: 'Roundhouse', trimDb: -2, eqGainDb: [0, -3, 0, 0, 0] } });
    expect(changes[0].presets.map((p) => `${p.songKey} ${p.slot.role} ${p.preset.trimDb} ${p.preset.eq[1].gainDb}`)).toEqual(['hold on bus -2 -3', 'run bus -2 -3', 'last light bus -2 -3']);
  });

  it('refuses an edit based on an old revision, says what to do, and changes nothing', async () => {
    const store = await threeSongShow();
    const before = await readFile(store.path, 'utf8');
    let heard = 0;
    store.onChange(() => heard++);
    const error = await refusal(store.edit(4, { kind: 'setNotes', notes: 'stale' }));
    expect(error).toBeInstanceOf(StaleRevisionError);
    expect(error.message).toBe('show changed since you loaded it (revision 5, you edited 4): reload and redo the edit');
    expect(await readFile(store.path, 'utf8')).toBe(before);
    expect(heard).toBe(0);
  });

  it('lets only the first of two panels editing the same revision win', async () => {
    const store = await threeSongShow();
    const [first, second] = await Promise.allSettled([
      store.edit(5, { kind: 'setTrim', songKey: 'run', slot: TRACKS, trimDb: -3 }),
      store.edit(5, { kind: 'setTrim', songKey: 'run', slot: TRACKS, trimDb: 6 }),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && second.reason instanceof StaleRevisionError).toBe(true);
    expect(store.show.songs[1].presets['bus:Tracks'].trimDb).toBe(-3);
  });

  it('refuses an invalid preset with the path and range, before anything changes', async () => {
    const store = await threeSongShow();
    const before = await readFile(store.path, 'utf8');
    const preset = { version: 1, eq: [{}, {}, { gainDb: 30 }, {}, {}] };
    const error = await refusal(store.edit(5, { kind: 'setPreset', songKey: 'last light', slot: TRACKS, preset }));
    expect(error).toBeInstanceOf(ShowEditError);
    expect(error.message).toBe('setPreset refused: songs[2].presets.bus:Tracks.eq[2].gainDb: 30 is outside -18 to 18 dB');
    expect(await readFile(store.path, 'utf8')).toBe(before);
    expect(store.revision).toBe(5);
  });

  it('refuses edits naming songs or slots the show does not have, listing what it has', async () => {
    const store = await threeSongShow();
    expect((await refusal(store.edit(5, { kind: 'setTrim', songKey: 'encore', slot: TRACKS, trimDb: 1 }))).message).toBe(
      'no song "encore" in the show (songs: "hold on", "run", "last light")',
    );
    expect((await refusal(store.edit(5, { kind: 'setTrim', songKey: 'run', slot: { track: 'Keys', role: 'bus' }, trimDb: 1 }))).message).toBe(
      '"bus:Keys" is not a device slot of this show (slots: bus:Tracks, iem:Drummer IEM); add the slot first',
    );
    expect((await refusal(store.edit(5, { kind: 'reorderSongs', order: ['run', 'hold on'] }))).message).toMatch(/must list every song of the show exactly once/);
    expect(store.revision).toBe(5);
  });

  it('reorders, removes and renames as whole operations', async () => {
    const store = await threeSongShow();
    await store.edit(5, { kind: 'reorderSongs', order: ['last light', 'hold on', 'run'] });
    await store.edit(6, { kind: 'removeSong', songKey: 'hold on' });
    await store.edit(7, { kind: 'setTarget', targetLufs: -16, toleranceLu: 1.5 });
    await store.edit(8, { kind: 'setCeilings', fohDbtp: -1, iemDbtp: -6 });
    await store.edit(9, { kind: 'setNotes', songKey: 'run', notes: 'capo 2' });
    const reopened = await ShowStore.open(store.path);
    expect(reopened.show.songs.map((s) => s.key)).toEqual(['last light', 'run']);
    expect(reopened.show).toMatchObject({ revision: 10, targetLufs: -16, toleranceLu: 1.5, ceilings: { fohDbtp: -1, iemDbtp: -6 } });
    expect(reopened.show.songs[1].notes).toBe('capo 2');
  });

  it('saves a batch of edits as one revision, and refuses the whole batch when any part is invalid', async () => {
    const store = await threeSongShow();
    const changes: ShowChange[] = [];
    store.onChange((change) => changes.push(change));
    const saved = await store.edit(5, {
      kind: 'batch',
      edits: [
        { kind: 'setTarget', targetLufs: -16, toleranceLu: 1.5 },
        { kind: 'addSlot', slot: { track: 'Keys', role: 'bus' } },
        { kind: 'setTrim', songKey: 'run', slot: { track: 'Keys', role: 'bus' }, trimDb: -2 },
      ],
    });
    expect(saved.revision).toBe(6);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ cause: 'batch', previous: { revision: 5, targetLufs: -18 }, show: { targetLufs: -16 } });
    expect(saved.songs[1].presets['bus:Keys'].trimDb).toBe(-2);

    const error = await refusal(
      store.edit(6, {
        kind: 'batch',
        edits: [
          { kind: 'renameShow', name: 'Winter Tour' },
          { kind: 'setTrim', songKey: 'run', slot: TRACKS, trimDb: 99 },
        ],
      }),
    );
    expect(error.message).toBe('renameShow + setTrim refused: songs[1].presets.bus:Tracks.trimDb: 99 is outside -24 to 24 dB');
    expect(store.show).toMatchObject({ revision: 6, name: 'Summer Tour' });
    expect((await onDisk(store.path)).name).toBe('Summer Tour');
  });

  it('keeps a listener failure from undoing or hiding a saved edit', async () => {
    const store = await threeSongShow();
    const heard: number[] = [];
    store.onChange(() => {
      throw new Error('device push failed');
    });
    store.onChange((change) => heard.push(change.revision));
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      expect((await store.edit(5, { kind: 'setNotes', notes: 'x' })).revision).toBe(6);
    } finally {
      console.error = original;
    }
    expect(heard).toEqual([6]);
    expect(errors).toEqual(['show change listener failed: device push failed']);
  });
});

describe('backups', () => {
  it(`keeps the last ${BACKUPS_KEPT} revisions, each a loadable copy`, async () => {
    const store = await threeSongShow();
    for (let i = 0; i < 12; i++) await store.edit(store.revision, { kind: 'setNotes', notes: `take ${i}` });
    const backups = await listBackups(store.path);
    expect(backups.map((b) => b.revision)).toEqual([17, 16, 15, 14, 13, 12, 11, 10, 9, 8]);
    expect((await onDisk(backups[0].path)).notes).toBe('take 11');
    expect((await onDisk(backups[9].path)).notes).toBe('take 2');
    expect((await readdir(backupDirOf(store.path))).length).toBe(BACKUPS_KEPT);
  });
});

describe('recovery', () => {
  it('refuses a corrupt file without touching it and offers the newest good backup', async () => {
    const store = await threeSongShow();
    const torn = (await readFile(store.path, 'utf8')).slice(0, 200);
    await writeFile(store.path, torn);
    const error = await refusal(ShowStore.open(store.path));
    expect(error).toBeInstanceOf(ShowOpenError);
    const open = error as ShowOpenError;
    expect(open.problem).toBe('not-json');
    expect(open.newestGoodBackup?.revision).toBe(5);
    expect(open.message).toMatch(/^cannot open show Summer Tour\.liveblend\.json: it is not valid JSON, perhaps cut short or edited by hand \(.+\); the newest good backup is revision 5, saved .+: restore it or fix the file$/);
    expect(await readFile(store.path, 'utf8')).toBe(torn);
  });

  it('skips a backup that is itself damaged and offers the next one', async () => {
    const store = await threeSongShow();
    await writeFile(store.path, 'garbage');
    const [newest] = await listBackups(store.path);
    await writeFile(newest.path, '{"format": "liveblend-show", "schemaVersion": 1, "name": ""}');
    const error = (await refusal(ShowStore.open(store.path))) as ShowOpenError;
    expect(error.backups.map((b) => b.revision)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(error.newestGoodBackup?.revision).toBe(4);
  });

  it('refuses a show from a newer LiveBlend with the versions and offers a backup', async () => {
    const store = await threeSongShow();
    const future = { ...(await onDisk(store.path)), schemaVersion: 2, revision: 9, setlistMode: 'locators' };
    await writeFile(store.path, JSON.stringify(future));
    const error = (await refusal(ShowStore.open(store.path))) as ShowOpenError;
    expect(error.problem).toBe('future-version');
    expect(error.message).toContain('show file is newer than this version of LiveBlend (schema 2 > 1): update LiveBlend or open a backup');
    expect(error.newestGoodBackup?.revision).toBe(5);
  });

  it('restores a backup as a new revision above every backup, keeping the replaced file', async () => {
    const store = await threeSongShow();
    await store.edit(5, { kind: 'setNotes', notes: 'good' });
    await writeFile(store.path, '{');
    const offered = ((await refusal(ShowStore.open(store.path))) as ShowOpenError).newestGoodBackup!;
    const restored = await restoreBackup(store.path, offered.path);
    expect(restored.revision).toBe(7);
    expect(restored.show.notes).toBe('good');
    expect((await ShowStore.open(store.path)).show).toEqual(restored.show);
    const replaced = (await readdir(dir)).filter((name) => name.startsWith('Summer Tour.liveblend.json.replaced-'));
    expect(replaced).toHaveLength(1);
    expect(await readFile(join(dir, replaced[0]), 'utf8')).toBe('{');
  });

  it('rolls an open show back to a backup, so stale panels must reload', async () => {
    const store = await threeSongShow();
    const backupOfRevision3 = (await store.listBackups()).find((b) => b.revision === 3)!;
    const changes: ShowChange[] = [];
    store.onChange((change) => changes.push(change));
    const show = await store.restoreBackup(backupOfRevision3.path);
    expect(show.revision).toBe(6);
    expect(show.songs.map((s) => s.key)).toEqual(['hold on']);
    expect(changes[0].cause).toBe('restoreBackup');
    expect((await refusal(store.edit(5, { kind: 'setNotes', notes: 'x' }))).message).toMatch(/revision 6, you edited 5/);
  });
});

describe('importing device state', () => {
  it('adopts songs and presets the show does not have and never overwrites one it has', async () => {
    const store = await threeSongShow();
    await store.edit(5, { kind: 'setTrim', songKey: 'run', slot: TRACKS, trimDb: -3 });
    const result = await store.importDeviceState(TRACKS, {
      songs: [
        { key: 'run', name: 'Run', preset: { version: 1, trimDb: 9 } },
        { key: 'hold on', preset: { version: 1, trimDb: 2 } },
        { key: 'intro tape', name: 'Intro Tape', preset: { version: 1, trimDb: -6 } },
      ],
    });
    expect(result).toEqual({ revision: 7, songs: ['intro tape'], presets: ['hold on', 'intro tape'], refused: [] });
    const presets = store.show.songs.map((s) => [s.key, s.presets['bus:Tracks']?.trimDb]);
    expect(presets).toEqual([
      ['hold on', 2],
      ['run', -3],
      ['last light', undefined],
      ['intro tape', -6],
    ]);
  });

  it('declares a new device slot, refuses a bad device preset with the reason, and saves nothing when there is nothing new', async () => {
    const store = await threeSongShow();
    const keys: Slot = { track: 'Keys Stems', role: 'bus' };
    const result = await store.importDeviceState(keys, {
      songs: [
        { key: 'run', preset: { version: 1, trimDb: 40 } },
        { key: 'hold on', preset: { version: 1, trimDb: 1 } },
      ],
    });
    expect(result.refused).toEqual(['run: preset.trimDb: 40 is outside -24 to 24 dB']);
    expect(store.show.slots).toContainEqual(keys);
    const again = await store.importDeviceState(keys, { songs: [{ key: 'hold on', preset: { version: 1, trimDb: 5 } }] });
    expect(again).toMatchObject({ revision: 6, songs: [], presets: [] });
    expect(store.revision).toBe(6);
    expect(store.show.songs[0].presets['bus:Keys Stems'].trimDb).toBe(1);
  });

  it('refuses malformed device state as a whole', async () => {
    const store = await threeSongShow();
    const error = await refusal(store.importDeviceState(TRACKS, { songs: [{ key: 'Hold On', preset: {} }] }));
    expect(error.message).toMatch(/^device state from bus:Tracks refused: songs\[0\]\.key: "Hold On" is not a song key/);
    expect(store.revision).toBe(5);
  });
});
