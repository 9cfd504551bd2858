import type { AudioFile } from './audio-file';
import { AudioFileError, CONVERT_ADVICE, REEXPORT_ADVICE, truncatedError } from './errors';
import { DecodedStreamReader, runDecoder, type StreamDecoder } from './decoded-reader';
import { fourCC } from './header-checks';
import type { AudioInfo } from './types';

/** How far past the ID3 tag to look for the first frame (encoders sometimes pad the tag with zeros). */
const FRAME_SEARCH_BYTES = 64 * 1024;

// Layer III tables, indexed by the header's bitrate / sample-rate fields.
const BITRATES_KBPS_MPEG1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_KBPS_MPEG2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES_MPEG1 = [44100, 48000, 32000];

interface FrameHeader {
  /** 1 for MPEG-1; 2 for MPEG-2 and MPEG-2.5, which share the layer III frame layout. */
  mpegVersion: 1 | 2;
  layer: 1 | 2 | 3;
  sampleRate: number;
  channels: number;
  bitrateKbps: number;
  samplesPerFrame: number;
  frameBytes: number;
  /** Bytes between the 4-byte header and the main data, where a Xing/Info tag sits. */
  sideInfoBytes: number;
}

/** Opens an MPEG layer III stream whose first frame is at or shortly after `streamOffset`. */
export async function openMp3(file: AudioFile, streamOffset: number): Promise<DecodedStreamReader> {
  const window = await file.readBytes(streamOffset, FRAME_SEARCH_BYTES);
  const view = new DataView(window.buffer, window.byteOffset, window.byteLength);
  const first = findFirstFrame(file.path, view);
  if (!first) {
    throw new AudioFileError('corrupt', file.path, 'no MPEG audio frame found at the start of the file', REEXPORT_ADVICE);
  }
  const { header, offset } = first;
  const framesFromTag = readXingFrames(view, offset, header);
  const audioBytes = file.size - streamOffset - offset;
  const info: AudioInfo = {
    path: file.path,
    format: 'mp3',
    sampleRate: header.sampleRate,
    channels: header.channels,
    // Without a Xing/Info tag the length is only known for constant bitrate: estimate from the first frame.
    frames: framesFromTag ?? Math.round(((audioBytes * 8) / (header.bitrateKbps * 1000)) * header.sampleRate),
    bitsPerSample: 0,
    sampleFormat: 'float',
    seekable: false,
  };
  return new DecodedStreamReader(info, file, {
    streamOffset: streamOffset + offset,
    exactFrames: NaN, // even a tag's count may be off by a few samples, so always decode to the end
    createDecoder: () => createMpegDecoder(file.path, header.channels),
    checkLength(decodedFrames) {
      // Only a tag's frame count is reliable enough to call a short stream truncated; allow one frame of slack.
      if (framesFromTag !== undefined && decodedFrames < framesFromTag - header.samplesPerFrame) {
        throw truncatedError(file.path, framesFromTag, decodedFrames, header.sampleRate, 'the MP3 header');
      }
    },
  });
}

/** The first frame header that is followed by another one (a lone sync pattern may be chance). */
function findFirstFrame(path: string, view: DataView): { header: FrameHeader; offset: number } | undefined {
  for (let offset = 0; offset + 4 <= view.byteLength; offset++) {
    const header = parseFrameHeader(view, offset);
    if (!header) continue;
    if (header.layer !== 3) {
      throw new AudioFileError('unsupported', path, `is MPEG layer ${header.layer} audio, not MP3 (layer 3)`, CONVERT_ADVICE);
    }
    const next = offset + header.frameBytes;
    if (next + 4 <= view.byteLength && !parseFrameHeader(view, next)) continue;
    return { header, offset };
  }
  return undefined;
}

function parseFrameHeader(view: DataView, offset: number): FrameHeader | undefined {
  const word = view.getUint32(offset);
  if (word >>> 21 !== 0x7ff) return undefined; // 11-bit frame sync
  const versionBits = (word >>> 19) & 0x3; // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
  const layerBits = (word >>> 17) & 0x3; // 0: reserved, 1: III, 2: II, 3: I
  const bitrateIndex = (word >>> 12) & 0xf;
  const sampleRateIndex = (word >>> 10) & 0x3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || sampleRateIndex === 3) {
    return undefined; // reserved values, or free-format bitrate which no encoder we meet produces
  }
  const mpegVersion = versionBits === 3 ? 1 : 2;
  const sampleRate = SAMPLE_RATES_MPEG1[sampleRateIndex] / (versionBits === 3 ? 1 : versionBits === 2 ? 2 : 4);
  const channels = ((word >>> 6) & 0x3) === 3 ? 1 : 2;
  const bitrateKbps = (mpegVersion === 1 ? BITRATES_KBPS_MPEG1 : BITRATES_KBPS_MPEG2)[bitrateIndex];
  const samplesPerFrame = mpegVersion === 1 ? 1152 : 576;
  const padding = (word >>> 9) & 0x1;
  return {
    mpegVersion,
    layer: (4 - layerBits) as 1 | 2 | 3,
    sampleRate,
    channels,
    bitrateKbps,
    samplesPerFrame,
    frameBytes: Math.floor((samplesPerFrame / 8) * ((bitrateKbps * 1000) / sampleRate)) + padding,
    sideInfoBytes: mpegVersion === 1 ? (channels === 1 ? 17 : 32) : channels === 1 ? 9 : 17,
  };
}

/**
 * Reads the frame count from a Xing/Info tag in the first frame and subtracts the encoder delay
 * and padding from a LAME tag, which mpg123's gapless decoding removes too.
 */
function readXingFrames(view: DataView, frameOffset: number, header: FrameHeader): number | undefined {
  const tagOffset = frameOffset + 4 + header.sideInfoBytes;
  if (tagOffset + 12 > view.byteLength) return undefined;
  const tag = fourCC(view, tagOffset);
  const flags = view.getUint32(tagOffset + 4);
  if ((tag !== 'Xing' && tag !== 'Info') || !(flags & 0x1)) return undefined;
  let frames = view.getUint32(tagOffset + 8) * header.samplesPerFrame;
  // Skip the optional byte count, table of contents and quality fields to reach the LAME tag.
  const lameOffset = tagOffset + 12 + (flags & 0x2 ? 4 : 0) + (flags & 0x4 ? 100 : 0) + (flags & 0x8 ? 4 : 0);
  if (lameOffset + 24 <= view.byteLength && ['LAME', 'Lavf', 'Lavc'].includes(fourCC(view, lameOffset))) {
    const delayAndPadding = (view.getUint8(lameOffset + 21) << 16) | view.getUint16(lameOffset + 22);
    frames -= (delayAndPadding >>> 12) + (delayAndPadding & 0xfff); // two 12-bit fields
  }
  return Math.max(0, frames);
}

async function createMpegDecoder(path: string, channels: number): Promise<StreamDecoder> {
  // Loaded on first use: the WebAssembly module is large and WAV-only sessions never need it.
  const { MPEGDecoder } = await import('mpg123-decoder');
  const decoder = new MPEGDecoder();
  await decoder.ready;
  return {
    // mpg123 always outputs stereo (a mono stream duplicated), so keep only the stream's own channels.
    decode: async (bytes) => (await runDecoder(path, 'MP3', () => decoder.decode(bytes))).slice(0, channels),
    // Frames are output as soon as they are complete, so nothing is left at the end.
    flush: async () => [],
    free: () => decoder.free(),
  };
}
