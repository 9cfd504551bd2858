import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Every save also writes its bytes here; the newest BACKUPS_KEPT revisions are kept. */
export const BACKUPS_KEPT = 10;

export interface BackupInfo {
  path: string;
  revision: number;
  savedAt: Date;
}

const BACKUP_NAME = /^r(\d{6,})\.json$/;

/** `Tour.liveblend.json` → `Tour.liveblend.json.bak/`: beside the show, so copying the folder copies its history. */
export function backupDirOf(showPath: string): string {
  return `${showPath}.bak`;
}

export function backupFilePath(showPath: string, revision: number): string {
  return join(backupDirOf(showPath), `r${String(revision).padStart(6, '0')}.json`);
}

/** The show's backups, newest revision first. */
export async function listBackups(showPath: string): Promise<BackupInfo[]> {
  const dir = backupDirOf(showPath);
  const names = await readdir(dir).catch(() => [] as string[]);
  const backups = await Promise.all(
    names.flatMap((name) => {
      const match = BACKUP_NAME.exec(name);
      if (!match) return [];
      const path = join(dir, name);
      return [stat(path).then((info) => ({ path, revision: Number(match[1]), savedAt: info.mtime }), () => null)];
    }),
  );
  return backups.filter((b): b is BackupInfo => b !== null).sort((a, b) => b.revision - a.revision);
}

/** The first backup (newest first) that `loads` accepts, or null. */
export async function newestGoodBackup(backups: readonly BackupInfo[], loads: (path: string) => Promise<boolean>): Promise<BackupInfo | null> {
  for (const backup of backups) if (await loads(backup.path)) return backup;
  return null;
}
