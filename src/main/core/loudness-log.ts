import { mkdir, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { LogEntry, LogRecord } from '../../shared/api';
import { PRESET_LIMITS } from '../../shared/preset';
import { SHOW_LIMITS, formatPath, slotIdSchema, songKeySchema } from '../../shared/show';

/**
 * Every song played, kept across shows: one JSON object per line, appended and fsynced before
 * append() resolves, so a crash loses at most the song still playing. A record cut short by a
 * crash is dropped with a warning when the log is next opened; it never stops the log opening.
 */

const loudness = (min: number, max: number) => z.number().min(min).max(max).nullable();

/**
 * Unknown fields are dropped rather than refused, so an older LiveBlend still reads a log that a
 * newer one has added columns to: the log is kept for years and shared between machines.
 */
export const loudnessRecordSchema = z.object({
  /** ISO 8601, when the song ended. */
  at: z.iso.datetime({ offset: true }),
  show: z.string().min(1).max(256),
  venue: z.string().max(256),
  songKey: songKeySchema,
  songName: z.string().min(1).max(256),
  /** slotId(): "bus:Tracks". */
  slot: slotIdSchema,
  /** Null where nothing was measured above the gate. */
  integrated: loudness(-200, 30),
  lra: loudness(0, 100),
  maxTruePeak: loudness(-200, 30),
  maxShortTerm: loudness(-200, 30),
  targetLufs: z.number().min(SHOW_LIMITS.targetLufs.min).max(SHOW_LIMITS.targetLufs.max),
  toleranceLu: z.number().min(SHOW_LIMITS.toleranceLu.min).max(SHOW_LIMITS.toleranceLu.max),
  /** The trim in force while the song played: effectivePreset()'s, venue offset included. */
  trimDb: z.number().min(PRESET_LIMITS.trimDb.min).max(PRESET_LIMITS.trimDb.max),
}) satisfies z.ZodType<LogRecord>;
/** The PanelApi's LogRecord: the log file is where that shape is kept. */
export type LoudnessRecord = LogRecord;

/** A record with how far it landed from its target (the PanelApi's LogEntry). */
export type LoudnessResult = LogEntry;

/** One song's latest result in a show, and how many times it has been logged there. */
export interface SongVsTarget extends LoudnessResult {
  plays: number;
}

export interface LoudnessLogOptions {
  /** Hears about records skipped on open (cut short by a crash, or damaged); default: console.warn. */
  onWarning?: (message: string) => void;
}

function withDeviation(record: LoudnessRecord): LoudnessResult {
  if (record.integrated === null) return { ...record, deviationLu: null, withinTolerance: null };
  const deviationLu = Math.round((record.integrated - record.targetLufs) * 100) / 100;
  return { ...record, deviationLu, withinTolerance: Math.abs(deviationLu) <= record.toleranceLu };
}

function describeRecordError(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${formatPath(issue.path) || 'record'}: ${issue.message}`;
}

export class LoudnessLog {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(result: LoudnessResult) => void>();

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly records: LoudnessRecord[],
  ) {}

  /** Opens (or creates) the log, reading every record; damaged lines are skipped with a warning. */
  static async open(path: string, options: LoudnessLogOptions = {}): Promise<LoudnessLog> {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    await mkdir(dirname(path), { recursive: true });
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return Buffer.alloc(0);
      throw error;
    });
    const records: LoudnessRecord[] = [];
    const completeLength = bytes.lastIndexOf(0x0a) + 1;
    bytes
      .subarray(0, completeLength)
      .toString('utf8')
      .split('\n')
      .forEach((line, index) => {
        if (line.trim() === '') return;
        const problem = parseRecord(line, records);
        if (problem) warn(`loudness log ${path}, line ${index + 1}: ${problem}; skipped it (the rest of the log is fine)`);
      });
    // Bytes after the last newline are an append that never finished (each record is written with
    // its newline in one go) — unless they hold a whole record someone saved without a final newline.
    const unfinished = bytes.subarray(completeLength);
    const wholeLastLine = unfinished.length > 0 && parseRecord(unfinished.toString('utf8'), records) === null;
    if (unfinished.length > 0 && !wholeLastLine) {
      warn(`loudness log ${path}: the last record was cut short (LiveBlend stopped while writing it); dropped its ${unfinished.length} bytes`);
      await truncate(path, completeLength);
    }
    const handle = await open(path, 'a');
    if (wholeLastLine) {
      await handle.write('\n');
      await handle.sync();
    }
    return new LoudnessLog(path, handle, records);
  }

  /** Appends one played song; resolves once it is on disk. */
  append(record: unknown): Promise<LoudnessResult> {
    const parsed = loudnessRecordSchema.safeParse(record);
    if (!parsed.success) return Promise.reject(new Error(`loudness record refused: ${describeRecordError(parsed.error)}`));
    const line = `${JSON.stringify(parsed.data)}\n`;
    const result = this.tail.then(async () => {
      await this.handle.write(line);
      await this.handle.sync();
      this.records.push(parsed.data);
      const logged = withDeviation(parsed.data);
      for (const listener of this.listeners) listener(logged);
      return logged;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  onAppend(listener: (result: LoudnessResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every record, oldest first. */
  all(): LoudnessResult[] {
    return this.records.map(withDeviation);
  }

  /**
   * A show's songs against the target: the latest result for each song and slot, in the order
   * they were first played, with how often each was logged. `venue` narrows it to one night.
   */
  showVsTarget(show: string, venue?: string): SongVsTarget[] {
    const latest = new Map<string, SongVsTarget>();
    for (const record of this.records) {
      if (record.show !== show || (venue !== undefined && record.venue !== venue)) continue;
      const key = `${record.songKey}\n${record.slot}`;
      const plays = (latest.get(key)?.plays ?? 0) + 1;
      const entry = { ...withDeviation(record), plays };
      // Map keeps first-insertion order, so set() on an existing key updates it in place.
      latest.set(key, entry);
    }
    return [...latest.values()];
  }

  /** One song's results across every show, oldest first. */
  songHistory(songKey: string): LoudnessResult[] {
    return this.records.filter((record) => record.songKey === songKey).map(withDeviation);
  }

  async close(): Promise<void> {
    await this.tail;
    await this.handle.close();
  }
}

function parseRecord(line: string, into: LoudnessRecord[]): string | null {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  const parsed = loudnessRecordSchema.safeParse(json);
  if (!parsed.success) return `not a loudness record (${describeRecordError(parsed.error)})`;
  into.push(parsed.data);
  return null;
}
