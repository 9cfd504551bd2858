import { AudioFileError, CONVERT_ADVICE, REEXPORT_ADVICE } from './errors';

// Sample rates outside this range do not occur in music production; a header claiming one is damaged.
const MIN_SAMPLE_RATE = 1000;
const MAX_SAMPLE_RATE = 768_000;
// A backing-track session never needs more; the cap keeps chunk buffers at a sane size.
const MAX_CHANNELS = 256;

/** Rejects channel counts and sample rates that a damaged or foreign header can produce. */
export function checkStreamShape(path: string, channels: number, sampleRate: number): void {
  if (channels < 1) {
    throw new AudioFileError('corrupt', path, 'header says the file has 0 channels', REEXPORT_ADVICE);
  }
  if (channels > MAX_CHANNELS) {
    throw new AudioFileError('unsupported', path, `file has ${channels} channels, more than the ${MAX_CHANNELS} LiveBlend handles`, 'split it into smaller files');
  }
  if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
    throw new AudioFileError('corrupt', path, `header gives an impossible sample rate of ${sampleRate} Hz`, REEXPORT_ADVICE);
  }
}

export function unsupportedBitDepth(path: string, container: string, bits: number, kind: string): AudioFileError {
  return new AudioFileError('unsupported', path, `${container} with ${bits}-bit ${kind} samples is not supported`, CONVERT_ADVICE);
}

/** Four header bytes as text, for chunk IDs and codec names in messages. */
export function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/** True for bytes that could be a chunk ID: four printable ASCII characters. */
export function looksLikeChunkId(view: DataView, offset: number): boolean {
  for (let i = 0; i < 4; i++) {
    const byte = view.getUint8(offset + i);
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}
