import { extname } from 'node:path';
import { openAiff } from './aiff-reader';
import { AudioFile } from './audio-file';
import { AudioFileError, REEXPORT_ADVICE } from './errors';
import { openFlac } from './flac-reader';
import { openMp3 } from './mp3-reader';
import type { AudioReader } from './types';
import { openWav } from './wav-reader';

const AUDIO_EXTENSIONS = new Set(['.wav', '.wave', '.bwf', '.rf64', '.aif', '.aiff', '.aifc', '.flac', '.mp3']);
const ID3V2_HEADER_BYTES = 10;

/** True when the file name has an extension LiveBlend reads (case-insensitive); for file pickers and folder scans. */
export function isAudioPath(path: string): boolean {
  return AUDIO_EXTENSIONS.has(extname(path).toLowerCase());
}

/**
 * Opens an audio file for streaming. The format is recognised by its first bytes, not its name,
 * so a mislabelled file still opens (or fails with a reason). Every failure is an AudioFileError.
 */
export async function openAudio(path: string): Promise<AudioReader> {
  const file = await AudioFile.open(path);
  try {
    return await openByContent(file);
  } catch (error) {
    await file.close().catch(() => undefined);
    if (error instanceof AudioFileError) throw error;
    // A header shape no check anticipated: still report it the way callers expect.
    const detail = error instanceof Error ? error.message : String(error);
    throw new AudioFileError('corrupt', path, `header could not be parsed (${detail})`, REEXPORT_ADVICE, { cause: error });
  }
}

async function openByContent(file: AudioFile): Promise<AudioReader> {
  const head = await file.readBytes(0, ID3V2_HEADER_BYTES);
  if (head.length === 0) throw new AudioFileError('corrupt', file.path, 'file is empty (0 bytes)', REEXPORT_ADVICE);
  const magic = String.fromCharCode(...head.subarray(0, 4));
  if (magic === 'RIFF' || magic === 'RF64' || magic === 'BW64') return openWav(file);
  if (magic === 'FORM') return openAiff(file);
  if (magic === 'fLaC') return openFlac(file, 0);
  if (magic.startsWith('ID3') && head.length === ID3V2_HEADER_BYTES) {
    const streamOffset = id3v2Size(head);
    // Some taggers put ID3 in front of FLAC too; anything else after a tag should be MP3.
    const next = await file.readBytes(streamOffset, 4);
    return String.fromCharCode(...next) === 'fLaC' ? openFlac(file, streamOffset) : openMp3(file, streamOffset);
  }
  if (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0) return openMp3(file, 0); // MPEG frame sync
  throw new AudioFileError(
    'unsupported',
    file.path,
    'is not an audio file LiveBlend can read (it does not start like a WAV, AIFF, FLAC or MP3 file)',
    'export the track as WAV, AIFF, FLAC or MP3',
  );
}

/** Total size of an ID3v2 tag: header, body (a 28-bit "syncsafe" integer) and optional footer. */
function id3v2Size(header: Uint8Array): number {
  const body = ((header[6] & 0x7f) << 21) | ((header[7] & 0x7f) << 14) | ((header[8] & 0x7f) << 7) | (header[9] & 0x7f);
  const hasFooter = (header[5] & 0x10) !== 0;
  return ID3V2_HEADER_BYTES + body + (hasFooter ? 10 : 0);
}
