import type { AnalysisOutcome, FileAnalysis, FileFailure } from '../main/analysis/types';

/** FOH chases the fader when consecutive songs differ by more than this before trim. */
export const JUMP_WARNING_LU = 2;

export interface ReportedFile extends FileAnalysis {
  trimDb: number | null;
  /** Integrated loudness change from the previous measured song, before and after trim. */
  jumpBeforeLu: number | null;
  jumpAfterLu: number | null;
  warnings: string[];
}

export interface AnalyzeReport {
  target: number;
  ceiling: number;
  files: (ReportedFile | (FileFailure & { warnings: string[] }))[];
  failed: number;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

export function buildReport(outcomes: AnalysisOutcome[], target: number, ceiling: number): AnalyzeReport {
  let previous: { integrated: number; trimmed: number; path: string } | null = null;
  let failed = 0;
  const files = outcomes.map((outcome) => {
    if (!outcome.ok) {
      failed++;
      return { ...outcome.failure, warnings: [outcome.failure.error.message] };
    }
    const a = outcome.analysis;
    const warnings: string[] = [];
    let trimDb: number | null = null;
    let jumpBeforeLu: number | null = null;
    let jumpAfterLu: number | null = null;
    if (a.integrated === null) {
      warnings.push('silent: nothing above −70 LUFS (or shorter than 400 ms), so no integrated loudness and no trim');
    } else {
      trimDb = r2(target - a.integrated);
      if (a.truePeak !== null && a.truePeak + trimDb > ceiling) {
        const over = r2(a.truePeak + trimDb - ceiling);
        warnings.push(
          `trim ${fmtDb(trimDb)} dB would put the true peak at ${fmtDb(r2(a.truePeak + trimDb))} dBTP, ${over.toFixed(2)} dB over the ${fmtDb(ceiling)} dBTP ceiling: the limiter must catch it, or lower the target`,
        );
      }
      const trimmed = a.integrated + trimDb;
      if (previous) {
        jumpBeforeLu = r2(a.integrated - previous.integrated);
        jumpAfterLu = r2(trimmed - previous.trimmed);
        if (Math.abs(jumpBeforeLu) > JUMP_WARNING_LU) {
          warnings.push(`jumps ${fmtDb(jumpBeforeLu)} LU from the previous song before trim (FOH would chase the fader); ${fmtDb(jumpAfterLu)} LU after trim`);
        }
      }
      previous = { integrated: a.integrated, trimmed, path: a.path };
    }
    return { ...a, trimDb, jumpBeforeLu, jumpAfterLu, warnings };
  });
  return { target, ceiling, files, failed };
}

export function fmtDb(v: number | null, digits = 1): string {
  if (v === null) return '—';
  const s = v.toFixed(digits);
  return v > 0 ? `+${s}` : s.replace('-', '−');
}

function pad(s: string, width: number, right = false): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

/** The people-facing table: one row per file, then warnings and failures. */
export function formatTable(report: AnalyzeReport): string {
  const headers = ['#', 'File', 'Length', 'Integrated', 'LRA', 'True pk', 'Max S', 'Trim', 'Jump→', 'After'];
  const rows: string[][] = report.files.map((f, i) => {
    if ('error' in f) return [String(i + 1), f.path, 'FAILED', '', '', '', '', '', '', ''];
    const minutes = Math.floor(f.durationSec / 60);
    const seconds = (f.durationSec - minutes * 60).toFixed(1).padStart(4, '0');
    return [
      String(i + 1),
      f.path,
      `${minutes}:${seconds}`,
      f.integrated === null ? 'silent' : `${fmtDb(f.integrated)} LUFS`,
      `${f.lra.toFixed(1)} LU`,
      f.truePeak === null ? '−∞' : `${fmtDb(f.truePeak)} dBTP`,
      f.shortTermMax === null ? '—' : fmtDb(f.shortTermMax),
      f.trimDb === null ? '—' : `${fmtDb(f.trimDb)} dB`,
      f.jumpBeforeLu === null ? '' : `${fmtDb(f.jumpBeforeLu)}${Math.abs(f.jumpBeforeLu) > JUMP_WARNING_LU ? ' !' : ''}`,
      f.jumpAfterLu === null ? '' : fmtDb(f.jumpAfterLu),
    ];
  });
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = new Set([0, 2, 3, 4, 5, 6, 7, 8, 9]);
  const line = (cells: string[]) => cells.map((cell, c) => pad(cell, widths[c], numeric.has(c))).join('  ').trimEnd();
  const out = [`Target ${fmtDb(report.target)} LUFS, ceiling ${fmtDb(report.ceiling)} dBTP`, '', line(headers), ...rows.map(line)];
  const notes = report.files.flatMap((f, i) => f.warnings.map((w) => `  #${i + 1} ${'error' in f ? 'FAILED: ' : ''}${w}`));
  if (notes.length) out.push('', 'Warnings:', ...notes);
  const measured = report.files.length - report.failed;
  out.push('', `${measured} measured, ${report.failed} failed.`);
  return out.join('\n') + '\n';
}
