import type { AudioFile } from './audio-file';
import { AudioFileError, REEXPORT_ADVICE, formatSeconds, truncatedError } from './errors';
import { readExtended } from './extended-float';
import { checkStreamShape, fourCC, unsupportedBitDepth } from './header-checks';
import { bytesPerSample, type PcmEncoding } from './pcm';
import { PcmFileReader } from './pcm-reader';
import type { AudioInfo } from './types';

/** How the samples of each supported AIFF-C compression type are stored, by container size in bits. */
const AIFC_ENCODINGS: Record<string, Partial<Record<number, PcmEncoding>>> = {
  NONE: { 8: 's8', 16: 's16be', 24: 's24be', 32: 's32be' },
  sowt: { 8: 's8', 16: 's16le', 24: 's24le', 32: 's32le' },
  fl32: { 32: 'f32be' },
  FL32: { 32: 'f32be' },
  fl64: { 64: 'f64be' },
  FL64: { 64: 'f64be' },
};

interface Comm {
  channels: number;
  frames: number;
  bitsPerSample: number;
  sampleRate: number;
  compression: string;
  compressionName: string;
}

interface Ssnd {
  /** Position of the first sample byte. */
  dataOffset: number;
  /** Bytes of samples the chunk header claims. */
  dataSize: number;
}

/** Opens FORM/AIFF and FORM/AIFC files: parses COMM and SSND, then streams the samples from disk. */
export async function openAiff(file: AudioFile): Promise<PcmFileReader> {
  const form = await file.readHeader(0, 12, 'AIFF header');
  const formType = fourCC(form, 8);
  if (formType !== 'AIFF' && formType !== 'AIFC') {
    throw new AudioFileError('unsupported', file.path, `is an IFF file of type "${formType}", not AIFF audio`, 'choose a WAV, AIFF, FLAC or MP3 file');
  }
  const isAifc = formType === 'AIFC';
  const { comm, ssnd } = await findCommAndSsnd(file, isAifc);
  if (!comm) throw new AudioFileError('corrupt', file.path, 'AIFF file has no common (COMM) chunk', REEXPORT_ADVICE);
  checkStreamShape(file.path, comm.channels, comm.sampleRate);

  const encoding = pickEncoding(file.path, comm);
  const bytesPerFrame = bytesPerSample(encoding) * comm.channels;
  if (comm.frames > 0) {
    if (!ssnd) throw new AudioFileError('corrupt', file.path, 'AIFF file has no sound data (SSND) chunk', REEXPORT_ADVICE);
    const onDisk = Math.floor((file.size - ssnd.dataOffset) / bytesPerFrame);
    const inChunk = Math.floor(ssnd.dataSize / bytesPerFrame);
    if (comm.frames > onDisk) throw truncatedError(file.path, comm.frames, Math.min(onDisk, inChunk), comm.sampleRate, 'the header');
    if (comm.frames > inChunk) {
      const promised = formatSeconds(comm.frames, comm.sampleRate);
      const held = formatSeconds(inChunk, comm.sampleRate);
      throw new AudioFileError('corrupt', file.path, `COMM chunk promises ${promised} of audio but the SSND chunk holds ${held}`, REEXPORT_ADVICE);
    }
  }
  const info: AudioInfo = {
    path: file.path,
    format: isAifc ? 'aifc' : 'aiff',
    sampleRate: comm.sampleRate,
    channels: comm.channels,
    frames: comm.frames,
    bitsPerSample: comm.bitsPerSample,
    sampleFormat: encoding.startsWith('f') ? 'float' : 'int',
    seekable: true,
  };
  return new PcmFileReader(info, file, { encoding, dataOffset: ssnd?.dataOffset ?? 0 });
}

/** Walks the big-endian chunk list until COMM and SSND are found; other chunks are skipped. */
async function findCommAndSsnd(file: AudioFile, isAifc: boolean): Promise<{ comm?: Comm; ssnd?: Ssnd }> {
  let comm: Comm | undefined;
  let ssnd: Ssnd | undefined;
  for (let offset = 12; offset + 8 <= file.size && !(comm && ssnd); ) {
    const header = await file.readHeader(offset, 8, 'chunk header');
    const id = fourCC(header, 0);
    const size = header.getUint32(4);
    const bodyOffset = offset + 8;
    if (id === 'COMM') {
      comm = parseComm(file.path, await file.readHeader(bodyOffset, Math.min(size, 18 + 4 + 256), 'common (COMM) chunk'), isAifc);
    } else if (id === 'SSND') {
      const ssndHeader = await file.readHeader(bodyOffset, 8, 'sound data (SSND) chunk');
      // The offset field lets writers align sample data to blocks; it is padding to skip.
      const padding = ssndHeader.getUint32(0);
      ssnd = { dataOffset: bodyOffset + 8 + padding, dataSize: Math.max(0, size - 8 - padding) };
    }
    offset = bodyOffset + size + (size % 2); // chunks are padded to even length
  }
  return { comm, ssnd };
}

function parseComm(path: string, view: DataView, isAifc: boolean): Comm {
  const minimumSize = isAifc ? 22 : 18;
  if (view.byteLength < minimumSize) {
    throw new AudioFileError('corrupt', path, `common (COMM) chunk is only ${view.byteLength} bytes long`, REEXPORT_ADVICE);
  }
  let compression = 'NONE';
  let compressionName = 'not compressed';
  if (isAifc) {
    compression = fourCC(view, 18);
    const nameLength = view.byteLength > 22 ? view.getUint8(22) : 0;
    const nameBytes = new Uint8Array(view.buffer, view.byteOffset + 23, Math.min(nameLength, view.byteLength - 23));
    compressionName = new TextDecoder('latin1').decode(nameBytes);
  }
  return {
    channels: view.getInt16(0),
    frames: view.getUint32(2),
    bitsPerSample: view.getInt16(6),
    sampleRate: readExtended(view, 8),
    compression,
    compressionName,
  };
}

function pickEncoding(path: string, comm: Comm): PcmEncoding {
  const byContainer = AIFC_ENCODINGS[comm.compression];
  if (!byContainer) {
    const described = comm.compressionName ? `"${comm.compression}" (${comm.compressionName})` : `"${comm.compression}"`;
    throw new AudioFileError('unsupported', path, `AIFF-C compression ${described} is not supported`, 're-export it as uncompressed AIFF or WAV');
  }
  // Integer samples are left-justified in whole bytes, so e.g. 20-bit audio decodes as 24-bit.
  const encoding = comm.bitsPerSample > 0 ? byContainer[Math.ceil(comm.bitsPerSample / 8) * 8] : undefined;
  if (!encoding) {
    const kind = comm.compression.toLowerCase().startsWith('fl') ? 'float' : 'integer';
    throw unsupportedBitDepth(path, 'AIFF', comm.bitsPerSample, kind);
  }
  return encoding;
}
