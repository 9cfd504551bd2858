import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUPS_KEPT, ShowStore, backupDirOf, loadShowFile } from '../../../src/main/core/show-store';

const CHILD = fileURLToPath(new URL('./fixtures/show-save-loop.ts', import.meta.url));
const SAVES_PER_RUN = 200;
const TOTAL_SAVES = 200;
const MIN_KILLS = 6;

let dir = '';
let child: ChildProcess | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-sigkill-'));
});

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  /** Highest revision the child reported as completely saved before it died. */
  lastCompleted: number;
  completed: number;
  killed: boolean;
}

/** Starts the save loop and kills it with SIGKILL a random moment after its `killAfter`-th completed save. */
function runAndKill(path: string, killAfter: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(SAVES_PER_RUN)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const run: Run = { lastCompleted: -1, completed: 0, killed: false };
    let pending = '';
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const match = /^saved (\d+)$/.exec(line);
        if (!match) continue;
        run.lastCompleted = Number(match[1]);
        run.completed++;
        if (run.completed === killAfter && !run.killed) {
          run.killed = true;
          // The child keeps saving meanwhile: a 0–4 ms delay lands the kill anywhere in write, fsync, rename or pruning.
          setTimeout(() => proc.kill('SIGKILL'), Math.random() * 4);
        }
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve(run);
      else reject(new Error(`save loop failed (exit ${code}): ${stderr}`));
    });
  });
}

describe('show file under SIGKILL', () => {
  it('is always loadable and never older than the last completed save, however often the writer is killed', async () => {
    const created = await ShowStore.create(dir, { name: 'Kill Test' });
    await created.edit(0, { kind: 'addSlot', slot: { track: 'Tracks', role: 'bus' } });
    await created.edit(1, { kind: 'addSong', key: 'hold on', name: 'Hold On' });
    const path = created.path;

    let completed = 0;
    let kills = 0;
    let lastCompleted = created.revision;
    while (completed < TOTAL_SAVES || kills < MIN_KILLS) {
      const run = await runAndKill(path, 5 + Math.floor(Math.random() * 55));
      completed += run.completed;
      if (run.killed) kills++;
      lastCompleted = Math.max(lastCompleted, run.lastCompleted);

      const show = await loadShowFile(path);
      expect(show.revision).toBeGreaterThanOrEqual(lastCompleted);
      expect(show.songs[0].key).toBe('hold on');
      // Every backup the killed writer left is a whole, valid show too.
      const backups = (await readdir(backupDirOf(path))).filter((name) => name.endsWith('.json'));
      expect(backups.length).toBeLessThanOrEqual(BACKUPS_KEPT + 1);
      for (const name of backups) await loadShowFile(join(backupDirOf(path), name));
      lastCompleted = show.revision;
    }
    expect(completed).toBeGreaterThanOrEqual(TOTAL_SAVES);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    // A killed writer's temporary files are cleaned up by the next open.
    await ShowStore.open(path);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
