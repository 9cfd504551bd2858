import type { WritableEncoding } from './pcm';

export interface WavWriterOptions {
  sampleRate: number;
  channels: number;
  encoding: 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';
}

export const WAV_SAMPLE_ENCODINGS: Record<WavWriterOptions['encoding'], WritableEncoding> = {
  pcm16: 's16le',
  pcm24: 's24le',
  pcm32: 's32le',
  float32: 'f32le',
  float64: 'f64le',
};

const FORMAT_PCM = 0x0001;
const FORMAT_IEEE_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** Body of a ds64 chunk without a table: RIFF size, data size, sample count (64-bit each), table length. */
const DS64_BODY_BYTES = 28;
/** What RF64 puts in each 32-bit size field whose real value is in ds64. */
const UNKNOWN_SIZE_32 = 0xffffffff;

/** The largest RIFF size a 32-bit field holds; beyond it the file must be RF64. */
export const MAX_RIFF_BYTES = 0xffffffff;

export function bytesPerFrame(options: WavWriterOptions): number {
  return (bitsOf(options.encoding) / 8) * options.channels;
}

function bitsOf(encoding: WavWriterOptions['encoding']): number {
  return { pcm16: 16, pcm24: 24, pcm32: 32, float32: 32, float64: 64 }[encoding];
}

/** Rejects options whose header fields would overflow (programming errors, hence RangeError). */
export function validateWavOptions(options: WavWriterOptions): void {
  const { sampleRate, channels, encoding } = options;
  if (!(encoding in WAV_SAMPLE_ENCODINGS)) throw new RangeError(`unknown WAV encoding "${encoding}"`);
  if (!Number.isInteger(channels) || channels < 1 || bytesPerFrame(options) > 0xffff) {
    throw new RangeError(`invalid channel count ${channels} for ${encoding}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate * bytesPerFrame(options) > 0xffffffff) {
    throw new RangeError(`invalid sample rate ${sampleRate}`);
  }
}

/**
 * Builds everything before the samples. The layout never changes size, so a streaming writer can
 * write it as a placeholder and overwrite it on close: a JUNK chunk reserves room for the ds64
 * chunk that RF64 needs (the EBU Tech 3306 convention), and a fact chunk follows fmt for floats.
 */
export function buildWavHeader(options: WavWriterOptions, dataBytes: number, maxRiffBytes = MAX_RIFF_BYTES): Uint8Array {
  const isFloat = options.encoding.startsWith('float');
  // More than two channels needs WAVE_FORMAT_EXTENSIBLE; for mono/stereo the plain tags are
  // understood by more (older) software.
  const extensible = options.channels > 2;
  const fmtBytes = extensible ? 40 : isFloat ? 18 : 16;
  const factBytes = isFloat ? 12 : 0;
  const header = new Uint8Array(12 + 8 + DS64_BODY_BYTES + 8 + fmtBytes + factBytes + 8);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };
  const riffBytes = header.length - 8 + dataBytes + (dataBytes % 2); // odd data gets a pad byte
  const frames = dataBytes / bytesPerFrame(options);
  const rf64 = riffBytes > maxRiffBytes;
  const size32 = (size: number) => (rf64 ? UNKNOWN_SIZE_32 : size);

  ascii(0, rf64 ? 'RF64' : 'RIFF');
  view.setUint32(4, size32(riffBytes), true);
  ascii(8, 'WAVE');
  ascii(12, rf64 ? 'ds64' : 'JUNK');
  view.setUint32(16, DS64_BODY_BYTES, true);
  if (rf64) {
    view.setBigUint64(20, BigInt(riffBytes), true);
    view.setBigUint64(28, BigInt(dataBytes), true);
    view.setBigUint64(36, BigInt(frames), true);
    // table length at 44 stays 0: no other chunk is that large
  }

  let offset = 20 + DS64_BODY_BYTES;
  const bits = bitsOf(options.encoding);
  const formatTag = isFloat ? FORMAT_IEEE_FLOAT : FORMAT_PCM;
  ascii(offset, 'fmt ');
  view.setUint32(offset + 4, fmtBytes, true);
  view.setUint16(offset + 8, extensible ? FORMAT_EXTENSIBLE : formatTag, true);
  view.setUint16(offset + 10, options.channels, true);
  view.setUint32(offset + 12, options.sampleRate, true);
  view.setUint32(offset + 16, options.sampleRate * bytesPerFrame(options), true);
  view.setUint16(offset + 20, bytesPerFrame(options), true);
  view.setUint16(offset + 22, bits, true);
  if (fmtBytes > 16) view.setUint16(offset + 24, fmtBytes - 18, true); // cbSize: extension bytes
  if (extensible) {
    view.setUint16(offset + 26, bits, true); // valid bits
    view.setUint32(offset + 28, 0, true); // channel mask 0: stems are not speaker feeds
    view.setUint16(offset + 32, formatTag, true);
    SUBFORMAT_GUID_TAIL.forEach((byte, i) => view.setUint8(offset + 34 + i, byte));
  }
  offset += 8 + fmtBytes;

  if (isFloat) {
    ascii(offset, 'fact');
    view.setUint32(offset + 4, 4, true);
    view.setUint32(offset + 8, size32(frames), true);
    offset += factBytes;
  }
  ascii(offset, 'data');
  view.setUint32(offset + 4, size32(dataBytes), true);
  return header;
}
