import type { AudioFile } from './audio-file';
import { AudioFileError, CONVERT_ADVICE, REEXPORT_ADVICE, truncatedError } from './errors';
import { checkStreamShape, fourCC, looksLikeChunkId, unsupportedBitDepth } from './header-checks';
import type { PcmEncoding } from './pcm';
import { PcmFileReader } from './pcm-reader';
import type { AudioInfo } from './types';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 shared by every KSDATAFORMAT_SUBTYPE GUID built from a WAVE_FORMAT tag. */
const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** Codecs people meet in the wild, so the error can name them. */
const CODEC_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MP3',
};
/** A 32-bit size of all ones: "see ds64" in RF64, "unknown, runs to end of file" in a streamed RIFF. */
const SIZE_IN_DS64 = 0xffffffff;
/** riffSize, dataSize, sampleCount (64-bit each) and the table length. */
const DS64_MIN_SIZE = 28;
/** Enough for the fixed part and a generous table, without trusting a damaged size field. */
const DS64_MAX_READ = 4096;

interface Chunk {
  id: string;
  /** Position of the chunk body. */
  bodyOffset: number;
  /** Size from the header (after ds64 substitution). */
  size: number;
}

interface WavFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Valid bits from WAVE_FORMAT_EXTENSIBLE, else bitsPerSample. */
  validBits: number;
}

/** Opens RIFF/WAVE, RF64 and BW64 files: parses the header, then streams the data chunk from disk. */
export async function openWav(file: AudioFile): Promise<PcmFileReader> {
  const riff = await file.readHeader(0, 12, 'WAV header');
  const magic = fourCC(riff, 0);
  const formType = fourCC(riff, 8);
  if (formType !== 'WAVE') {
    throw new AudioFileError('unsupported', file.path, `is a RIFF file of type "${formType}", not WAVE audio`, 'choose a WAV, AIFF, FLAC or MP3 file');
  }
  const isRf64 = magic === 'RF64' || magic === 'BW64';
  const { fmt, data } = await findFormatAndData(file, isRf64);
  if (!fmt) throw new AudioFileError('corrupt', file.path, 'WAV file has no format (fmt) chunk', REEXPORT_ADVICE);
  if (!data) throw new AudioFileError('corrupt', file.path, 'WAV file has no audio data (data chunk)', REEXPORT_ADVICE);

  const format = parseFormat(file.path, fmt);
  checkStreamShape(file.path, format.channels, format.sampleRate);
  const { encoding, sampleFormat } = pickEncoding(file.path, format);
  const frames = await countFrames(file, data, format, isRf64);
  const info: AudioInfo = {
    path: file.path,
    format: isRf64 ? 'rf64' : 'wav',
    sampleRate: format.sampleRate,
    channels: format.channels,
    frames,
    bitsPerSample: format.validBits,
    sampleFormat,
    seekable: true,
  };
  return new PcmFileReader(info, file, { encoding, dataOffset: data.bodyOffset });
}

/**
 * Walks the chunk list until both fmt and data are found, so the data chunk may sit anywhere and
 * trailing chunks or junk after it are never looked at. Unknown chunks (LIST, bext, JUNK, ...) are skipped.
 */
async function findFormatAndData(file: AudioFile, isRf64: boolean): Promise<{ fmt?: DataView; data?: Chunk }> {
  let ds64: DataView | undefined;
  let fmt: DataView | undefined;
  let data: Chunk | undefined;
  for (let offset = 12; offset + 8 <= file.size && !(fmt && data); ) {
    const header = await file.readHeader(offset, 8, 'chunk header');
    const id = fourCC(header, 0);
    const size32 = header.getUint32(4, true);
    const chunk: Chunk = { id, bodyOffset: offset + 8, size: size32 };
    if (id === 'ds64' && isRf64) {
      if (size32 < DS64_MIN_SIZE) throw new AudioFileError('corrupt', file.path, `RF64 size table (ds64) is only ${size32} bytes long`, REEXPORT_ADVICE);
      ds64 = await file.readHeader(chunk.bodyOffset, Math.min(size32, DS64_MAX_READ), 'RF64 size table (ds64)');
    } else if (size32 === SIZE_IN_DS64 && isRf64) {
      const size = ds64 && sizeFromDs64(ds64, id);
      if (size === undefined) {
        throw new AudioFileError('corrupt', file.path, `RF64 file gives no 64-bit size for its "${id}" chunk`, REEXPORT_ADVICE);
      }
      chunk.size = size;
    }
    if (id === 'fmt ') {
      if (size32 < 16) throw new AudioFileError('corrupt', file.path, `format (fmt) chunk is only ${size32} bytes long`, REEXPORT_ADVICE);
      fmt = await file.readHeader(chunk.bodyOffset, Math.min(size32, 40), 'format (fmt) chunk');
    } else if (id === 'data') {
      data = chunk;
      // A streamed RIFF without a size runs to the end of the file: nothing can follow it.
      if (!isRf64 && size32 === SIZE_IN_DS64) break;
    }
    offset = chunk.bodyOffset + chunk.size + (chunk.size % 2); // chunks are padded to even length
  }
  return { fmt, data };
}

function sizeFromDs64(ds64: DataView, id: string): number | undefined {
  if (id === 'data') return Number(ds64.getBigUint64(8, true));
  // The table holds sizes for any other chunk larger than 4 GiB (rare, but allowed).
  const tableLength = ds64.getUint32(24, true);
  for (let i = 0, entry = 28; i < tableLength && entry + 12 <= ds64.byteLength; i++, entry += 12) {
    if (fourCC(ds64, entry) === id) return Number(ds64.getBigUint64(entry + 4, true));
  }
  return undefined;
}

function parseFormat(path: string, fmt: DataView): WavFormat {
  let formatTag = fmt.getUint16(0, true);
  const bitsPerSample = fmt.getUint16(14, true);
  let validBits = bitsPerSample;
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.byteLength < 40) throw new AudioFileError('corrupt', path, 'extensible format (fmt) chunk is cut short', REEXPORT_ADVICE);
    validBits = fmt.getUint16(18, true) || bitsPerSample;
    formatTag = fmt.getUint16(24, true);
    if (SUBFORMAT_GUID_TAIL.some((byte, i) => fmt.getUint8(26 + i) !== byte)) {
      throw new AudioFileError('unsupported', path, 'WAV uses an unknown extensible sub-format', CONVERT_ADVICE);
    }
  }
  return {
    formatTag,
    channels: fmt.getUint16(2, true),
    sampleRate: fmt.getUint32(4, true),
    blockAlign: fmt.getUint16(12, true),
    bitsPerSample,
    validBits,
  };
}

function pickEncoding(path: string, format: WavFormat): { encoding: PcmEncoding; sampleFormat: 'int' | 'float' } {
  const { formatTag, bitsPerSample, channels, blockAlign } = format;
  let encoding: PcmEncoding | undefined;
  let sampleFormat: 'int' | 'float';
  if (formatTag === WAVE_FORMAT_PCM) {
    sampleFormat = 'int';
    // Samples live in whole bytes, left-justified, so e.g. 20-bit audio decodes as 24-bit.
    const containerBits = Math.ceil(bitsPerSample / 8) * 8;
    encoding = ({ 8: 'u8', 16: 's16le', 24: 's24le', 32: 's32le' } as const)[containerBits];
    if (!encoding || bitsPerSample === 0) throw unsupportedBitDepth(path, 'WAV', bitsPerSample, 'integer');
  } else if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    sampleFormat = 'float';
    encoding = ({ 32: 'f32le', 64: 'f64le' } as const)[bitsPerSample];
    if (!encoding) throw unsupportedBitDepth(path, 'WAV', bitsPerSample, 'float');
  } else {
    const name = CODEC_NAMES[formatTag] ?? 'an unknown codec';
    const tag = `0x${formatTag.toString(16).padStart(4, '0')}`;
    const problem = `WAV is compressed with ${name} (format ${tag}), which LiveBlend cannot decode`;
    throw new AudioFileError('unsupported', path, problem, 're-export it as PCM or floating-point WAV');
  }
  const expectedBlockAlign = channels * Math.ceil(bitsPerSample / 8);
  if (blockAlign !== expectedBlockAlign) {
    const problem = `format (fmt) chunk gives ${blockAlign} bytes per frame, but ${channels} channels of ${bitsPerSample}-bit audio need ${expectedBlockAlign}`;
    throw new AudioFileError('corrupt', path, problem, REEXPORT_ADVICE);
  }
  return { encoding, sampleFormat };
}

async function countFrames(file: AudioFile, data: Chunk, format: WavFormat, isRf64: boolean): Promise<number> {
  const available = file.size - data.bodyOffset;
  const runsToEnd = (!isRf64 && data.size === SIZE_IN_DS64) || (data.size === 0 && !(await chunkFollows(file, data.bodyOffset)));
  const dataBytes = runsToEnd ? available : data.size;
  if (dataBytes > available) {
    throw truncatedError(file.path, Math.floor(dataBytes / format.blockAlign), Math.floor(available / format.blockAlign), format.sampleRate, 'the header');
  }
  return Math.floor(dataBytes / format.blockAlign);
}

/**
 * A data size of 0 is either a truly empty data chunk or a recorder that never came back to fill
 * the size in. In the second case audio follows instead of another chunk header.
 */
async function chunkFollows(file: AudioFile, offset: number): Promise<boolean> {
  if (offset + 8 > file.size) return false;
  return looksLikeChunkId(await file.readHeader(offset, 8, 'chunk header'), 0);
}
