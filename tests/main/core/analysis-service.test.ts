import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisService, trimsFromAnalysis, type FileProgress } from '../../../src/main/core/analysis-service';
import type { AnalysisOutcome, FileAnalysis } from '../../../src/main/analysis/types';
import { encodeWav } from '../../../src/main/audio';
import { sineSegments } from '../../support/ebu-signals';

let dir: string;
const song = (seconds: number, levelDb: number, channels = 2) =>
  encodeWav(sineSegments(48000, [{ seconds, levelDb }], { channels }).channels, { sampleRate: 48000, channels, encoding: 'pcm16' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-analysis-service-'));
  await mkdir(join(dir, 'set'));
  await writeFile(join(dir, 'set', '1 Opener.wav'), song(25, -20, 1));
  await writeFile(join(dir, 'set', '2 Ballad.wav'), song(5, -30));
  await writeFile(join(dir, 'set', '10 Closer.wav'), song(5, -15));
  await mkdir(join(dir, 'long'));
  for (const name of ['a.wav', 'b.wav', 'c.wav']) await writeFile(join(dir, 'long', name), song(25, -20, 1));
  await mkdir(join(dir, 'empty'));
  await writeFile(join(dir, 'empty', 'notes.txt'), 'no audio here');
  await writeFile(join(dir, 'broken.wav'), song(5, -20).slice(0, 44));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('AnalysisService', () => {
  it('measures a folder in set order with per-file and overall progress, results as they finish and trims', async () => {
    const service = new AnalysisService();
    const job = service.analyze([join(dir, 'set')], { workers: 2, target: -18 });
    const progress: FileProgress[] = [];
    const finished: number[] = [];
    job.on('progress', (p) => progress.push(p));
    job.on('file', (index) => finished.push(index));
    const result = await job.result;

    expect(result.status).toBe('done');
    if (result.status !== 'done') return;
    expect(job.files.map((f) => f.split('/').pop())).toEqual(['1 Opener.wav', '2 Ballad.wav', '10 Closer.wav']);
    expect(finished.sort()).toEqual([0, 1, 2]);
    // The 25 s opener reports after 10 s and 20 s of audio, then 1.
    const opener = progress.filter((p) => p.index === 0).map((p) => p.fraction);
    expect(opener.length).toBeGreaterThanOrEqual(3);
    expect(opener.some((f) => f > 0 && f < 1)).toBe(true);
    expect(opener).toEqual([...opener].sort((a, b) => a - b));
    const overall = progress.map((p) => p.overall);
    expect(overall).toEqual([...overall].sort((a, b) => a - b));
    expect(overall.at(-1)).toBe(1);

    // A mono sine at −20 dBFS measures −23 LUFS (BS.1770 sums channels, stereo adds 3 dB).
    expect(result.trims.map((t) => t.trimDb)).toEqual([expect.closeTo(5, 1), expect.closeTo(12, 1), expect.closeTo(-3, 1)]);
    expect(result.trims[1].warnings.join()).toMatch(/jumps −7\.0 LU from the previous song/);

    const state = service.state();
    expect(state).toMatchObject({ jobId: job.id, status: 'done', done: 3, total: 3, currentFile: null, errors: [] });
    expect(state.results.map((r) => r.integrated)).toEqual([expect.closeTo(-23, 1), expect.closeTo(-30, 1), expect.closeTo(-15, 1)]);
  });

  it('cancels: the workers stop, the job resolves as cancelled and no event follows', async () => {
    const service = new AnalysisService();
    const job = service.analyze([join(dir, 'long')], { workers: 1 });
    let afterCancel = 0;
    let cancelled = false;
    const count = () => {
      if (cancelled) afterCancel++;
    };
    job.on('state', count);
    job.on('file', count);
    job.on('progress', (p) => {
      count();
      if (!cancelled && p.fraction < 1) {
        cancelled = service.cancel(job.id);
      }
    });
    const result = await job.result;
    expect(cancelled).toBe(true);
    expect(result).toEqual({ status: 'cancelled' });
    expect(afterCancel).toBe(0);
    const state = service.state();
    expect(state.status).toBe('cancelled');
    expect(state.done).toBe(0);
    expect(state.total).toBe(3);
    // A new job can start right away.
    const next = service.analyze([join(dir, 'set', '2 Ballad.wav')], { workers: 1 });
    expect((await next.result).status).toBe('done');
  });

  it('refuses a second job while one runs, naming the running job', async () => {
    const service = new AnalysisService();
    const job = service.analyze([join(dir, 'set', '2 Ballad.wav')], { workers: 1 });
    expect(() => service.analyze([join(dir, 'set')])).toThrow(new RegExp(`already running \\(job ${job.id}\\): wait for it or cancel it first`));
    await job.result;
  });

  it('reports files it cannot read next to the ones it measured, and folders without audio', async () => {
    const service = new AnalysisService();
    const mixed = await service.analyze([join(dir, 'broken.wav'), join(dir, 'set', '2 Ballad.wav'), join(dir, 'missing.wav')], { workers: 1 }).result;
    expect(mixed.status).toBe('done');
    if (mixed.status !== 'done') return;
    expect(mixed.trims.map((t) => t.trimDb)).toEqual([null, expect.closeTo(12, 1), null]);
    const state = service.state();
    expect(state.results.map((r) => r.path.split('/').pop())).toEqual(['2 Ballad.wav']);
    expect(state.errors.map((e) => e.path.split('/').pop())).toEqual(['broken.wav', 'missing.wav']);
    for (const error of state.errors) expect(error.message).toContain(error.path.split('/').pop());

    const empty = await service.analyze([join(dir, 'empty')]).result;
    expect(empty).toEqual({ status: 'failed', message: expect.stringMatching(/no audio files \(\.wav .*\) found in .*empty/) });
    expect(service.state().status).toBe('failed');
  });
});

describe('trimsFromAnalysis', () => {
  const measured = (path: string, integrated: number | null, truePeak: number | null): AnalysisOutcome => ({
    ok: true,
    analysis: { path, integrated, truePeak, durationSec: 200, sampleRate: 48000, channels: 2, format: 'wav', lra: 5, samplePeak: truePeak, momentaryMax: null, shortTermMax: null } satisfies FileAnalysis,
  });

  it('proposes target − integrated, none for silence or failures, and warns when the trim breaks the ceiling', () => {
    const trims = trimsFromAnalysis(
      [
        measured('a.wav', -23.4, -12),
        measured('b.wav', null, null),
        { ok: false, failure: { path: 'c.wav', error: { code: 'not-found', message: 'c.wav: no such file' } } },
        measured('d.wav', -10, -0.5),
      ],
      -16,
      -1,
    );
    expect(trims.map((t) => [t.path, t.trimDb])).toEqual([
      ['a.wav', 7.4],
      ['b.wav', null],
      ['c.wav', null],
      ['d.wav', -6],
    ]);
    expect(trims[0].warnings).toEqual([]);
    expect(trims[1].warnings.join()).toMatch(/silent/);
    expect(trims[2].warnings).toEqual(['c.wav: no such file']);
    const hot = trimsFromAnalysis([measured('e.wav', -20, -2)], -14, -1);
    expect(hot[0].trimDb).toBe(6);
    expect(hot[0].warnings.join()).toMatch(/true peak at \+4\.0 dBTP, 5\.00 dB over the −1\.0 dBTP ceiling/);
  });
});
