import { LoudnessMeter, type SeriesPoint } from '../../dsp/loudness';
import { AudioFileError, openAudio } from '../audio';
import type { AnalysisOutcome, AnalysisTask, FileAnalysis } from './types';

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? round(v, 2) : null);

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function jsonSeries(series: SeriesPoint[] | undefined): [number, number | null][] | undefined {
  return series?.map(([t, v]) => [t, Number.isFinite(v) ? v : null]);
}

/**
 * Measures one file in bounded memory: the reader streams chunks, the meter keeps constant state.
 * `onProgress` gets the fraction of frames done (when the length is known).
 */
export async function analyzeFile(task: AnalysisTask, onProgress?: (fraction: number) => void): Promise<AnalysisOutcome> {
  let reader;
  try {
    reader = await openAudio(task.path);
  } catch (error) {
    return failure(task.path, error);
  }
  try {
    const { info } = reader;
    const meter = new LoudnessMeter({ sampleRate: info.sampleRate, channels: info.channels, series: task.series });
    let done = 0;
    let lastReport = 0;
    for await (const chunk of reader.read({ chunkFrames: 65536 })) {
      const frames = chunk[0].length;
      meter.process(chunk, frames);
      done += frames;
      if (onProgress && Number.isFinite(info.frames) && info.frames > 0 && done - lastReport >= info.sampleRate * 10) {
        lastReport = done;
        onProgress(Math.min(1, done / info.frames));
      }
    }
    const m = meter.finish();
    const analysis: FileAnalysis = {
      path: task.path,
      durationSec: round(m.durationSec, 3),
      sampleRate: info.sampleRate,
      channels: info.channels,
      format: info.format,
      integrated: m.integrated === null ? null : round(m.integrated, 2),
      lra: round(m.lra, 2),
      truePeak: finiteOrNull(m.truePeak),
      samplePeak: finiteOrNull(m.samplePeak),
      momentaryMax: finiteOrNull(m.momentaryMax),
      shortTermMax: finiteOrNull(m.shortTermMax),
    };
    if (task.series) {
      analysis.momentarySeries = jsonSeries(m.momentarySeries);
      analysis.shortTermSeries = jsonSeries(m.shortTermSeries);
    }
    onProgress?.(1);
    return { ok: true, analysis };
  } catch (error) {
    return failure(task.path, error);
  } finally {
    await reader.close().catch(() => undefined);
  }
}

function failure(path: string, error: unknown): AnalysisOutcome {
  if (error instanceof AudioFileError) {
    return { ok: false, failure: { path, error: { code: error.code, message: error.message } } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, failure: { path, error: { code: 'internal', message: `${path}: could not be measured: ${message}` } } };
}
