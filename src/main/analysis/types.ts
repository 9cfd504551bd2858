import type { SeriesPoint } from '../../dsp/loudness';

/** One file's line in `liveblend analyze --json` (loudness in LUFS, LU, dBTP, dBFS). */
export interface FileAnalysis {
  path: string;
  durationSec: number;
  sampleRate: number;
  channels: number;
  format: string;
  integrated: number | null;
  lra: number;
  /** null for digital silence (−∞). */
  truePeak: number | null;
  samplePeak: number | null;
  momentaryMax: number | null;
  shortTermMax: number | null;
  momentarySeries?: [number, number | null][];
  shortTermSeries?: [number, number | null][];
}

export interface FileFailure {
  path: string;
  error: { code: string; message: string };
}

export type AnalysisOutcome = { ok: true; analysis: FileAnalysis } | { ok: false; failure: FileFailure };

export interface AnalysisTask {
  path: string;
  series: boolean;
}

export type { SeriesPoint };
