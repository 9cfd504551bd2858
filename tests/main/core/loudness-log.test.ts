import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoudnessLog, type LoudnessRecord } from '../../../src/main/core/loudness-log';
import { csvField, toCsv, toHtmlReport } from '../../../src/main/core/loudness-report';

let dir = '';
const open: LoudnessLog[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'liveblend-log-'));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((log) => log.close()));
  await rm(dir, { recursive: true, force: true });
});

async function openLog(warnings: string[] = []): Promise<LoudnessLog> {
  const log = await LoudnessLog.open(join(dir, 'logs', 'loudness.jsonl'), { onWarning: (m) => warnings.push(m) });
  open.push(log);
  return log;
}

function played(songKey: string, integrated: number | null, overrides: Partial<LoudnessRecord> = {}): LoudnessRecord {
  return {
    at: '2025-06-14T21:05:00.000Z',
    show: 'Summer Tour',
    venue: 'Roundhouse',
    songKey,
    songName: songKey.replace(/\b\w/g, (c) => c.toUpperCase()),
    slot: 'bus:Tracks',
    integrated,
    lra: 6.2,
    maxTruePeak: -1.4,
    maxShortTerm: -14.1,
    targetLufs: -18,
    toleranceLu: 1,
    trimDb: -3,
    ...overrides,
  };
}

describe('loudness log', () => {
  it('keeps every appended song across reopening', async () => {
    const log = await openLog();
    await log.append(played('hold on', -18.4));
    await log.append(played('run', null));
    await log.close();
    open.length = 0;
    const reopened = await openLog();
    expect(reopened.all().map((r) => [r.songKey, r.integrated, r.deviationLu, r.withinTolerance])).toEqual([
      ['hold on', -18.4, -0.4, true],
      ['run', null, null, null],
    ]);
  });

  it('ignores a record cut short by a crash with a warning, and appends cleanly after it', async () => {
    const log = await openLog();
    await log.append(played('hold on', -18.4));
    await log.append(played('run', -15));
    await log.close();
    open.length = 0;
    const path = join(dir, 'logs', 'loudness.jsonl');
    const torn = JSON.stringify(played('last light', -20)).slice(0, 57);
    await appendFile(path, torn);

    const warnings: string[] = [];
    const reopened = await openLog(warnings);
    expect(warnings).toEqual([`loudness log ${path}: the last record was cut short (LiveBlend stopped while writing it); dropped its 57 bytes`]);
    expect(reopened.all().map((r) => r.songKey)).toEqual(['hold on', 'run']);
    await reopened.append(played('encore', -17.5));
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3).map((line) => (JSON.parse(line) as LoudnessRecord).songKey)).toEqual(['hold on', 'run', 'encore']);
  });

  it('skips a damaged line in the middle with a warning naming the line', async () => {
    const path = join(dir, 'logs', 'loudness.jsonl');
    const log = await openLog();
    await log.close();
    open.length = 0;
    await writeFile(path, `${JSON.stringify(played('hold on', -18))}\n{"at": "yesterday"}\n${JSON.stringify(played('run', -19))}\n`);
    const warnings: string[] = [];
    const reopened = await openLog(warnings);
    expect(reopened.all().map((r) => r.songKey)).toEqual(['hold on', 'run']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/line 2: not a loudness record \(at: .*\); skipped it/);
  });

  it('refuses an invalid record without writing anything', async () => {
    const log = await openLog();
    await expect(log.append({ ...played('run', -18), slot: 'Tracks' })).rejects.toThrow('loudness record refused: slot: is not a device slot ("<role>:<track>")');
    await expect(log.append({ ...played('run', -18), integrated: Number.NaN })).rejects.toThrow(/loudness record refused: integrated/);
    expect(log.all()).toEqual([]);
    expect(await readFile(log.path, 'utf8')).toBe('');
  });

  it("compares a show's songs with the target: latest result per song and slot, in first-played order", async () => {
    const log = await openLog();
    await log.append(played('hold on', -21, { at: '2025-06-13T21:00:00Z', venue: 'Barrowland' }));
    await log.append(played('run', -17.5, { at: '2025-06-13T21:05:00Z', venue: 'Barrowland' }));
    await log.append(played('hold on', -18.3, { at: '2025-06-14T21:00:00Z' }));
    await log.append(played('hold on', -12, { show: 'Festival Set' }));
    const rows = log.showVsTarget('Summer Tour');
    expect(rows.map((r) => [r.songKey, r.integrated, r.deviationLu, r.withinTolerance, r.plays])).toEqual([
      ['hold on', -18.3, -0.3, true, 2],
      ['run', -17.5, 0.5, true, 1],
    ]);
    expect(log.showVsTarget('Summer Tour', 'Barrowland').map((r) => [r.songKey, r.deviationLu])).toEqual([
      ['hold on', -3],
      ['run', 0.5],
    ]);
    expect(log.songHistory('hold on').map((r) => [r.show, r.integrated])).toEqual([
      ['Summer Tour', -21],
      ['Summer Tour', -18.3],
      ['Festival Set', -12],
    ]);
  });

  it('tells listeners about each song once it is on disk', async () => {
    const log = await openLog();
    const heard: string[] = [];
    log.onAppend((r) => heard.push(`${r.songKey} ${r.deviationLu}`));
    await log.append(played('run', -20.5));
    expect(heard).toEqual(['run -2.5']);
  });
});

describe('CSV export', () => {
  it('quotes fields as RFC 4180 says: commas, quotes and line breaks', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('Hold On, Pt. 2')).toBe('"Hold On, Pt. 2"');
    expect(csvField('The "Big" One')).toBe('"The ""Big"" One"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(-18.5)).toBe('-18.5');
    expect(csvField(null)).toBe('');
  });

  it('writes a header and one CRLF-terminated line per song', () => {
    const rows = [played('hold on', -18.4, { songName: 'Hold On, "Live"' }), played('run', null)].map((r) => ({
      ...r,
      deviationLu: r.integrated === null ? null : Math.round((r.integrated - r.targetLufs) * 100) / 100,
      withinTolerance: null,
    }));
    const csv = toCsv(rows);
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines[0]).toBe('time,show,venue,song key,song,slot,integrated LUFS,LRA LU,max true peak dBTP,max short-term LUFS,target LUFS,tolerance LU,trim dB,deviation LU');
    expect(lines[1]).toBe('2025-06-14T21:05:00.000Z,Summer Tour,Roundhouse,hold on,"Hold On, ""Live""",bus:Tracks,-18.4,6.2,-1.4,-14.1,-18,1,-3,-0.4');
    expect(lines[2]).toBe('2025-06-14T21:05:00.000Z,Summer Tour,Roundhouse,run,Run,bus:Tracks,,6.2,-1.4,-14.1,-18,1,-3,');
  });
});

describe('HTML report', () => {
  async function reportOf(records: LoudnessRecord[]): Promise<string> {
    const log = await openLog();
    for (const record of records) await log.append(record);
    return toHtmlReport({ title: 'Summer Tour — <Roundhouse>', subtitle: 'FOH copy', results: log.showVsTarget('Summer Tour') });
  }

  it('escapes song names, so a name holding <script> stays text', async () => {
    const html = await reportOf([played('evil', -18, { songName: '<script>alert("x")</script> & Co' })]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(html).toContain('<title>Summer Tour — &lt;Roundhouse&gt;</title>');
  });

  it('is self-contained: no scripts, no external resources, and print CSS', async () => {
    const html = await reportOf([played('hold on', -18.4), played('run', -14)]);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('@media print');
    expect(html).toContain("default-src 'none'");
  });

  it('draws one bar per song, coloured by whether it landed within tolerance, louder to the right', async () => {
    const html = await reportOf([played('hold on', -18.4), played('run', -14), played('last light', -21), played('quiet intro', null)]);
    const bars = [...html.matchAll(/<rect class="(ok|loud|quiet)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({ kind: m[1], x: Number(m[2]), width: Number(m[3]) }));
    expect(bars.map((b) => b.kind)).toEqual(['ok', 'loud', 'quiet']);
    const zero = bars[1].x;
    expect(bars[2].x + bars[2].width).toBeCloseTo(zero, 0);
    // +4 LU and −3 LU: bar lengths in proportion.
    expect(bars[1].width / bars[2].width).toBeCloseTo(4 / 3, 2);
    expect(html).toContain('not measured');
    expect(html.match(/<tr><td>/g)).toHaveLength(4);
    expect(html).toContain('<td class="off">+4.0</td>');
  });
});

describe('loudness log written by hand', () => {
  it('keeps a whole last record that lacks its newline and starts the next record on a new line', async () => {
    const path = join(dir, 'logs', 'loudness.jsonl');
    await (await openLog()).close();
    open.length = 0;
    await writeFile(path, JSON.stringify(played('hold on', -18)));
    const warnings: string[] = [];
    const log = await openLog(warnings);
    await log.append(played('run', -19));
    expect(warnings).toEqual([]);
    expect(log.all().map((r) => r.songKey)).toEqual(['hold on', 'run']);
    expect((await readFile(path, 'utf8')).trimEnd().split('\n').map((line) => (JSON.parse(line) as LoudnessRecord).songKey)).toEqual(['hold on', 'run']);
  });
});
