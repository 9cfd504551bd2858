import { basename } from 'node:path';

export type AudioErrorCode = 'not-found' | 'unreadable' | 'unsupported' | 'corrupt' | 'truncated';

/**
 * The one error type the audio layer throws for problems with a file. The message is meant for
 * a musician, not a programmer: it names the file, says what is wrong and what to do about it.
 */
export class AudioFileError extends Error {
  readonly code: AudioErrorCode;
  readonly path: string;

  constructor(code: AudioErrorCode, path: string, problem: string, remedy: string, options?: { cause?: unknown }) {
    super(`${basename(path)}: ${problem}; ${remedy}`, options);
    this.name = 'AudioFileError';
    this.code = code;
    this.path = path;
  }
}

export const REEXPORT_ADVICE = 're-export or copy the file again';
export const CONVERT_ADVICE = 'convert it to WAV, AIFF or FLAC and try again';

/** Translates a Node.js file-system error into an AudioFileError that says what to do. */
export function fileSystemError(path: string, error: unknown): AudioFileError {
  if (error instanceof AudioFileError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new AudioFileError('not-found', path, 'file not found', 'check the path, or whether the file was moved or renamed', { cause: error });
    case 'EISDIR':
      return new AudioFileError('unreadable', path, 'is a folder, not a file', 'choose an audio file', { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new AudioFileError('unreadable', path, 'permission denied', 'check that your user account may read the file', { cause: error });
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new AudioFileError('unreadable', path, `could not be read (${detail})`, 'check the disk or copy the file somewhere else', { cause: error });
    }
  }
}

/** "61.0 s" — durations in messages are rounded so people can compare them with their DAW. */
export function formatSeconds(frames: number, sampleRate: number): string {
  return `${(frames / sampleRate).toFixed(1)} s`;
}

/** The error for audio data that stops before the header says it should. */
export function truncatedError(path: string, promisedFrames: number, availableFrames: number, sampleRate: number, promisedBy: string): AudioFileError {
  return new AudioFileError(
    'truncated',
    path,
    `file is truncated: ${promisedBy} promises ${formatSeconds(promisedFrames, sampleRate)} of audio but the file holds ${formatSeconds(availableFrames, sampleRate)}`,
    REEXPORT_ADVICE,
  );
}
