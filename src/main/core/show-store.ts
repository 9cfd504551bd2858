import { access, mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  ShowFileError,
  adoptDeviceSongs,
  adoptSetSongs,
  applyEdit,
  changedPresets,
  deviceSongsSchema,
  formatPath,
  newShow,
  parseShow,
  slotId,
  slotSchema,
  type NewShowOptions,
  type PresetChange,
  type Show,
  type ShowEdit,
  type ShowFileProblem,
} from '../../shared/show';
import { removeStaleTempFiles, syncDirectory, writeFileAtomic } from './atomic-file';
import { BACKUPS_KEPT, backupDirOf, backupFilePath, listBackups, newestGoodBackup, type BackupInfo } from './show-backups';

export { BACKUPS_KEPT, backupDirOf, listBackups, type BackupInfo } from './show-backups';

export const SHOW_FILE_SUFFIX = '.liveblend.json';

/** "Summer Tour 2025" → "Summer Tour 2025.liveblend.json"; characters no file system accepts become "-". */
export function showFileName(showName: string): string {
  const safe = showName.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '-').trim().replace(/^\.+/, '').slice(0, 120).trim();
  if (safe === '') throw new Error(`show name ${JSON.stringify(showName)} gives no usable file name: use letters or digits`);
  return `${safe}${SHOW_FILE_SUFFIX}`;
}

export type ShowOpenProblem = ShowFileProblem | 'missing' | 'unreadable' | 'not-json';

/**
 * A show file that cannot be opened. It is never overwritten; `newestGoodBackup` names the most
 * recent backup that loads cleanly (null when there is none) so the panel can offer to restore it.
 */
export class ShowOpenError extends Error {
  constructor(
    readonly path: string,
    readonly problem: ShowOpenProblem,
    readonly reason: string,
    readonly backups: readonly BackupInfo[],
    readonly newestGoodBackup: BackupInfo | null,
  ) {
    const offer = newestGoodBackup
      ? `the newest good backup is revision ${newestGoodBackup.revision}, saved ${newestGoodBackup.savedAt.toISOString()} (${newestGoodBackup.path}): restore it or fix the file`
      : backups.length
        ? `none of its ${backups.length} backups loads either: fix the file by hand`
        : 'there are no backups of it';
    super(`cannot open show ${basename(path)}: ${reason}; ${offer}`);
    this.name = 'ShowOpenError';
  }
}

export class StaleRevisionError extends Error {
  constructor(
    readonly currentRevision: number,
    readonly baseRevision: number,
  ) {
    super(`show changed since you loaded it (revision ${currentRevision}, you edited ${baseRevision}): reload and redo the edit`);
    this.name = 'StaleRevisionError';
  }
}

export type ChangeCause = ShowEdit['kind'] | 'importDeviceState' | 'importSetSongs' | 'restoreBackup';

export interface ShowChange {
  cause: ChangeCause;
  show: Show;
  /** The show before this change: what devices held until now. */
  previous: Show;
  revision: number;
  /** Effective presets (venue offset and ceilings applied) that differ from before: push these to devices. */
  presets: PresetChange[];
}

export type ShowChangeListener = (change: ShowChange) => void;

export interface DeviceImport {
  revision: number;
  songs: string[];
  presets: string[];
  refused: string[];
}

async function readShowFile(path: string): Promise<{ show: Show } | { problem: ShowOpenProblem; reason: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { problem: 'missing', reason: 'the file does not exist' } : { problem: 'unreadable', reason: `it cannot be read (${(error as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: 'not-json', reason: `it is not valid JSON, perhaps cut short or edited by hand (${(error as Error).message})` };
  }
  try {
    return { show: parseShow(json) };
  } catch (error) {
    if (error instanceof ShowFileError) return { problem: error.problem, reason: error.message };
    throw error;
  }
}

/** Loads and validates a show file without opening a store on it (listing, checking backups). */
export async function loadShowFile(path: string): Promise<Show> {
  const result = await readShowFile(path);
  if ('show' in result) return result.show;
  const backups = await listBackups(path);
  throw new ShowOpenError(path, result.problem, result.reason, backups, await newestGoodBackup(backups, async (p) => 'show' in (await readShowFile(p))));
}

function serialize(show: Show): string {
  return `${JSON.stringify(show, null, 2)}\n`;
}

/** Saves one revision: the show file atomically, then the same bytes as that revision's backup, then prunes old backups. */
async function persist(path: string, show: Show): Promise<void> {
  const text = serialize(show);
  await writeFileAtomic(path, text);
  await mkdir(backupDirOf(path), { recursive: true });
  await writeFileAtomic(backupFilePath(path, show.revision), text);
  const stale = (await listBackups(path)).slice(BACKUPS_KEPT);
  if (stale.length === 0) return;
  await Promise.all(stale.map((backup) => unlink(backup.path).catch(() => undefined)));
  await syncDirectory(backupDirOf(path));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * One open show file. Edits are whole operations, checked against the revision they were based
 * on, validated completely, saved durably and only then made current; listeners hear about each
 * change with the presets devices must receive. Edits run one at a time, in the order they came.
 */
export class ShowStore {
  private current: Show;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<ShowChangeListener>();

  private constructor(
    readonly path: string,
    show: Show,
  ) {
    this.current = deepFreeze(show);
  }

  /** Opens an existing show; throws ShowOpenError (never touching the file) when it cannot be loaded. */
  static async open(path: string): Promise<ShowStore> {
    const show = await loadShowFile(path);
    await removeStaleTempFiles(path);
    return new ShowStore(path, show);
  }

  /** Creates `<dir>/<name>.liveblend.json` at revision 0; refuses to replace an existing show. */
  static async create(dir: string, options: NewShowOptions): Promise<ShowStore> {
    const show = newShow(options);
    const path = join(dir, showFileName(show.name));
    const exists = await access(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new Error(`a show file ${basename(path)} already exists in ${dir}: open it instead, or pick another name`);
    await mkdir(dir, { recursive: true });
    await persist(path, show);
    return new ShowStore(path, show);
  }

  /** The show as last saved. Frozen: change it only through edit(). */
  get show(): Show {
    return this.current;
  }

  get revision(): number {
    return this.current.revision;
  }

  /** Subscribes to saved changes; returns the unsubscribe function. */
  onChange(listener: ShowChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies an edit (or a batch of them, saved as one revision) made against `baseRevision`.
   * Refused with StaleRevisionError if the show has moved on, with ShowEditError if the edit or
   * its result is invalid; either way nothing changes.
   */
  edit(baseRevision: number, edit: unknown): Promise<Show> {
    return this.exclusive(async () => {
      if (baseRevision !== this.current.revision) throw new StaleRevisionError(this.current.revision, baseRevision);
      const next = applyEdit(this.current, edit);
      return this.commit(next, (edit as ShowEdit).kind);
    });
  }

  /**
   * Adopts songs and presets a device (in `slot`) knows that the show does not; never overwrites.
   * Needs no base revision: it only adds. Saves only when something was adopted.
   */
  importDeviceState(slot: unknown, deviceState: unknown): Promise<DeviceImport> {
    return this.exclusive(async () => {
      const parsedSlot = slotSchema.safeParse(slot);
      if (!parsedSlot.success) throw new Error(`device slot ${JSON.stringify(slot)} is not a { track, role } pair: ${parsedSlot.error.issues[0].message}`);
      const parsedState = deviceSongsSchema.safeParse(deviceState);
      if (!parsedState.success) {
        const issue = parsedState.error.issues[0];
        throw new Error(`device state from ${slotId(parsedSlot.data)} refused: ${formatPath(issue.path) || '(the whole message)'}: ${issue.message}`);
      }
      const adoption = adoptDeviceSongs(this.current, parsedSlot.data, parsedState.data);
      const changed = adoption.songs.length > 0 || adoption.presets.length > 0;
      const show = changed ? await this.commit(adoption.show, 'importDeviceState') : this.current;
      return { revision: show.revision, songs: adoption.songs, presets: adoption.presets, refused: adoption.refused };
    });
  }

  /** Adds the Live set's songs the show lacks, in set order (see adoptSetSongs); saves only when one was added. */
  importSetSongs(songs: readonly { key: string; name: string }[]): Promise<string[]> {
    return this.exclusive(async () => {
      const { show, added } = adoptSetSongs(this.current, songs);
      if (added.length > 0) await this.commit(show, 'importSetSongs');
      return added;
    });
  }

  listBackups(): Promise<BackupInfo[]> {
    return listBackups(this.path);
  }

  /** Makes a backup the current show, as a new revision (so panels holding the old one must reload). */
  restoreBackup(backupPath: string): Promise<Show> {
    return this.exclusive(async () => this.commit(await loadShowFile(backupPath), 'restoreBackup'));
  }

  private async commit(next: Show, cause: ChangeCause): Promise<Show> {
    const before = this.current;
    const saved = deepFreeze({ ...next, revision: before.revision + 1 });
    await persist(this.path, saved);
    this.current = saved;
    const change: ShowChange = { cause, show: saved, previous: before, revision: saved.revision, presets: changedPresets(before, saved) };
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        // The change is saved; one failing listener must not hide it from the others or from the editor.
        console.error(`show change listener failed: ${(error as Error).message}`);
      }
    }
    return saved;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Restores a backup over a show file that cannot be opened (corrupt, from a newer LiveBlend) and
 * opens it. The restored show gets a revision above every backup's, so no older panel can write
 * over it unnoticed. The file it replaces is kept beside it as `<file>.replaced-<time>`: it may be a
newer LiveBlend's show, or hand edits worth rescuing.
 */
export async function restoreBackup(showPath: string, backupPath: string): Promise<ShowStore> {
  const restored = await loadShowFile(backupPath);
  const newest = Math.max(restored.revision, ...(await listBackups(showPath)).map((b) => b.revision));
  const replaced = await readFile(showPath).catch(() => null);
  if (replaced !== null) await writeFileAtomic(`${showPath}.replaced-${Date.now()}`, replaced);
  const show = { ...restored, revision: newest + 1 };
  await persist(showPath, show);
  return ShowStore.open(showPath);
}

export type ShowListing = { path: string; name: string; revision: number; songs: number } | { path: string; problem: string };

/** Every show file in a folder, by file name, each loaded (or with the reason it cannot be). */
export async function listShows(dir: string): Promise<ShowListing[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith(SHOW_FILE_SUFFIX)).sort();
  return Promise.all(
    names.map(async (fileName): Promise<ShowListing> => {
      const path = join(dir, fileName);
      const result = await readShowFile(path);
      return 'show' in result ? { path, name: result.show.name, revision: result.show.revision, songs: result.show.songs.length } : { path, problem: result.reason };
    }),
  );
}
