import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeAiff, encodeWav, isAudioPath, openAudio } from '../../../src/main/audio';
import { FIXTURES } from '../../fixtures/audio/fixture-signal';
import { testSignal, useTempDir } from './helpers';

const files = useTempDir();

describe('isAudioPath', () => {
  it('accepts the supported extensions in any case', () => {
    for (const name of ['a.wav', 'b.WAVE', 'c.bwf', 'd.rf64', 'e.aif', 'f.AIFF', 'g.aifc', 'h.flac', 'i.Mp3', '/sets/Encore/Click.WAV']) {
      expect(isAudioPath(name), name).toBe(true);
    }
  });

  it('rejects everything else', () => {
    for (const name of ['song.ogg', 'song.m4a', 'notes.txt', 'wav', 'folder.wav/readme', 'song.wav.bak', '.wav.als', '']) {
      expect(isAudioPath(name), name).toBe(false);
    }
  });
});

describe('openAudio sniffs content, not the extension', () => {
  const signal = testSignal(2, 100);

  it('opens WAV, AIFF, FLAC and MP3 whatever they are called', async () => {
    const flac = await readFile(fileURLToPath(new URL(`../../fixtures/audio/${FIXTURES.flacStereo}`, import.meta.url)));
    const mp3 = await readFile(fileURLToPath(new URL(`../../fixtures/audio/${FIXTURES.mp3Stereo}`, import.meta.url)));
    const cases = [
      { name: 'really-wav.mp3', bytes: encodeWav(signal, { sampleRate: 48000, channels: 2, encoding: 'pcm16' }), format: 'wav' },
      { name: 'really-aiff.wav', bytes: encodeAiff(signal, { sampleRate: 48000, channels: 2, bits: 16 }), format: 'aiff' },
      { name: 'really-aifc', bytes: encodeAiff(signal, { sampleRate: 48000, channels: 2, bits: 16, aifc: 'sowt' }), format: 'aifc' },
      { name: 'really-flac.wav', bytes: flac, format: 'flac' },
      { name: 'really-mp3.aiff', bytes: mp3, format: 'mp3' },
    ];
    for (const { name, bytes, format } of cases) {
      const reader = await openAudio(await files.write(name, bytes));
      expect(reader.info.format, name).toBe(format);
      await reader.close();
    }
  });
});
