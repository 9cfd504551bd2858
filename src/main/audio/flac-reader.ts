import type { AudioFile } from './audio-file';
import { AudioFileError, REEXPORT_ADVICE, formatSeconds } from './errors';
import { DecodedStreamReader, runDecoder, type StreamDecoder } from './decoded-reader';
import { checkStreamShape } from './header-checks';
import type { AudioInfo } from './types';

const STREAMINFO_TYPE = 0;
const STREAMINFO_SIZE = 34;

/** Opens a FLAC stream starting at `streamOffset` (0, or after an ID3 tag some taggers prepend). */
export async function openFlac(file: AudioFile, streamOffset: number): Promise<DecodedStreamReader> {
  const info = await readStreamInfo(file, streamOffset);
  return new DecodedStreamReader(info, file, {
    streamOffset,
    exactFrames: info.frames,
    createDecoder: () => createFlacDecoder(file.path),
    checkLength(decodedFrames) {
      if (decodedFrames < info.frames) {
        // The decoder skips what it cannot parse without saying so, so a short stream is all we see.
        throw new AudioFileError(
          'truncated',
          file.path,
          `file is truncated or damaged: the FLAC header promises ${formatSeconds(info.frames, info.sampleRate)} ` +
            `of audio but only ${formatSeconds(decodedFrames, info.sampleRate)} could be decoded`,
          REEXPORT_ADVICE,
        );
      }
    },
  });
}

/** Parses the mandatory STREAMINFO block that follows the "fLaC" marker. */
async function readStreamInfo(file: AudioFile, streamOffset: number): Promise<AudioInfo> {
  const view = await file.readHeader(streamOffset, 8 + STREAMINFO_SIZE, 'FLAC header');
  const blockType = view.getUint8(4) & 0x7f;
  const blockSize = (view.getUint8(5) << 16) | view.getUint16(6);
  if (blockType !== STREAMINFO_TYPE || blockSize < STREAMINFO_SIZE) {
    throw new AudioFileError('corrupt', file.path, 'FLAC file does not start with a valid STREAMINFO block', REEXPORT_ADVICE);
  }
  // Bytes 18..25 of the file pack: sample rate (20 bits), channels - 1 (3), bits - 1 (5), total samples (36).
  const packed = 8 + 10;
  const sampleRate = (view.getUint16(packed) << 4) | (view.getUint8(packed + 2) >> 4);
  const channels = ((view.getUint8(packed + 2) >> 1) & 0x07) + 1;
  const bitsPerSample = (((view.getUint8(packed + 2) & 0x01) << 4) | (view.getUint8(packed + 3) >> 4)) + 1;
  const totalSamples = (view.getUint8(packed + 3) & 0x0f) * 2 ** 32 + view.getUint32(packed + 4);
  checkStreamShape(file.path, channels, sampleRate);
  if (bitsPerSample < 4) {
    throw new AudioFileError('corrupt', file.path, `FLAC header gives an impossible ${bitsPerSample}-bit sample size`, REEXPORT_ADVICE);
  }
  return {
    path: file.path,
    format: 'flac',
    sampleRate,
    channels,
    frames: totalSamples > 0 ? totalSamples : NaN, // 0 means the encoder did not know the length
    bitsPerSample,
    sampleFormat: 'int',
    seekable: false,
  };
}

async function createFlacDecoder(path: string): Promise<StreamDecoder> {
  // Loaded on first use: the WebAssembly module is large and WAV-only sessions never need it.
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const decoder = new FLACDecoder();
  await decoder.ready;
  return {
    decode: (bytes) => runDecoder(path, 'FLAC', () => decoder.decode(bytes)),
    flush: () => runDecoder(path, 'FLAC', () => decoder.flush()),
    free: () => decoder.free(),
  };
}
