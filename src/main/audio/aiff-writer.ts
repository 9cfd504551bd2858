import { writeExtended } from './extended-float';
import { commonLength, pcmEncoders, type WritableEncoding } from './pcm';

export interface AiffEncodeOptions {
  sampleRate: number;
  channels: number;
  bits: 16 | 24 | 32;
  /** Omit for plain AIFF; otherwise AIFF-C with this compression type ('fl32' needs bits: 32). */
  aifc?: 'none' | 'sowt' | 'fl32';
}

const AIFC_VERSION_1 = 0xa2805140; // the only AIFF-C version, as the FVER chunk must state

const COMPRESSION = {
  none: { type: 'NONE', name: 'not compressed' },
  sowt: { type: 'sowt', name: '' },
  fl32: { type: 'fl32', name: '32-bit floating point' },
} as const;

/** Encodes a whole AIFF or AIFF-C file in memory (used to build test signals and fixtures). */
export function encodeAiff(planar: ArrayLike<number>[], options: AiffEncodeOptions): Uint8Array {
  const { sampleRate, channels, bits, aifc } = options;
  if (aifc === 'fl32' && bits !== 32) throw new RangeError('fl32 AIFF-C stores 32-bit floats; pass bits: 32');
  if (![16, 24, 32].includes(bits)) throw new RangeError(`unsupported AIFF bit depth ${bits}`);
  const frames = commonLength(planar, channels);
  const encoding: WritableEncoding = aifc === 'fl32' ? 'f32be' : aifc === 'sowt' ? `s${bits}le` : `s${bits}be`;
  const dataBytes = frames * (bits / 8) * channels;

  const compression = aifc ? COMPRESSION[aifc] : undefined;
  // AIFF-C appends the compression type and a Pascal string name, padded to an even length.
  const nameBytes = compression ? 1 + compression.name.length + ((1 + compression.name.length) % 2) : 0;
  const commBytes = 18 + (compression ? 4 + nameBytes : 0);
  const fverChunkBytes = compression ? 12 : 0;
  const ssndChunkBytes = 16 + dataBytes + (dataBytes % 2);
  const file = new Uint8Array(12 + fverChunkBytes + 8 + commBytes + ssndChunkBytes);
  const view = new DataView(file.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
  };

  ascii(0, 'FORM');
  view.setUint32(4, file.length - 8);
  ascii(8, compression ? 'AIFC' : 'AIFF');
  let offset = 12;
  if (compression) {
    ascii(offset, 'FVER');
    view.setUint32(offset + 4, 4);
    view.setUint32(offset + 8, AIFC_VERSION_1);
    offset += fverChunkBytes;
  }
  ascii(offset, 'COMM');
  view.setUint32(offset + 4, commBytes);
  view.setInt16(offset + 8, channels);
  view.setUint32(offset + 10, frames);
  view.setInt16(offset + 14, bits);
  writeExtended(view, offset + 16, sampleRate);
  if (compression) {
    ascii(offset + 26, compression.type);
    view.setUint8(offset + 30, compression.name.length);
    ascii(offset + 31, compression.name);
  }
  offset += 8 + commBytes;
  ascii(offset, 'SSND');
  view.setUint32(offset + 4, 8 + dataBytes); // offset and block size fields stay 0
  pcmEncoders[encoding](planar, frames, file, offset + 16);
  return file;
}
