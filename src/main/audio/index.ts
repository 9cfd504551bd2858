/**
 * Audio file input/output: streaming readers for WAV/RF64/BW64, AIFF/AIFF-C, FLAC and MP3, a
 * streaming WAV/RF64 writer, and in-memory encoders for tests and benchmarks.
 */
export type { AudioFormat, AudioInfo, AudioReader, ReadOptions } from './types';
export { AudioFileError, type AudioErrorCode } from './errors';
export { openAudio, isAudioPath } from './open-audio';
export { WavWriter, encodeWav, type WavWriterOptions } from './wav-writer';
export { encodeAiff, type AiffEncodeOptions } from './aiff-writer';
