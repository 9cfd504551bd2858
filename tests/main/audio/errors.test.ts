import { chmod, mkdir, truncate } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AudioFileError, encodeWav, openAudio } from '../../../src/main/audio';
import { fileSystemError } from '../../../src/main/audio/errors';
import { ascii, drain, expectAudioError, fmtChunk, riff, silence, testSignal, useTempDir } from './helpers';

const files = useTempDir();
const pcm16Stereo = fmtChunk({ formatTag: 1, channels: 2, sampleRate: 48000, bitsPerSample: 16 });

describe('file system problems', () => {
  it('reports a missing file as not-found', async () => {
    const error = await expectAudioError(openAudio(files.path('missing.wav')), 'not-found', /missing\.wav: file not found/, /check the path/);
    expect(error.path).toBe(files.path('missing.wav'));
    expect(error.name).toBe('AudioFileError');
  });

  it('reports a missing folder on the way as not-found', async () => {
    await expectAudioError(openAudio(files.path('no-such-folder/song.wav')), 'not-found', /file not found/);
  });

  it('reports a folder as unreadable', async () => {
    await mkdir(files.path('folder.wav'));
    await expectAudioError(openAudio(files.path('folder.wav')), 'unreadable', /is a folder/, /choose an audio file/);
  });

  // root reads any file whatever its mode, so the permission case can only be shown as a normal user.
  it.skipIf(process.getuid?.() === 0)('reports a file without read permission as unreadable', async () => {
    const path = await files.write('locked.wav', encodeWav([[0]], { sampleRate: 48000, channels: 1, encoding: 'pcm16' }));
    await chmod(path, 0o000);
    await expectAudioError(openAudio(path), 'unreadable', /permission denied/, /permissions|may read/);
  });

  it('maps permission errors to unreadable (also testable when running as root)', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const error = fileSystemError('/music/song.wav', denied);
    expect(error.code).toBe('unreadable');
    expect(error.message).toBe("song.wav: permission denied; check that your user account may read the file");
    expect(fileSystemError('/music/song.wav', Object.assign(new Error('i/o error'), { code: 'EIO' })).message).toMatch(/could not be read \(i\/o error\)/);
  });

  it('refuses to read after close', async () => {
    const reader = await openAudio(await files.write('closed.wav', encodeWav(testSignal(1, 100), { sampleRate: 48000, channels: 1, encoding: 'pcm16' })));
    await reader.close();
    await reader.close(); // closing twice is harmless
    await expectAudioError(drain(reader), 'unreadable', /closed/, /open the file again/);
  });
});

describe('files that are not (supported) audio', () => {
  it('rejects a text file as unsupported', async () => {
    await expectAudioError(openAudio(await files.write('notes.wav', 'These are the set list notes, not audio.')), 'unsupported', /not an audio file/, /WAV, AIFF, FLAC or MP3/);
  });

  it('rejects RIFF files that are not WAVE', async () => {
    const avi = ascii('RIFF\x04\x00\x00\x00AVI ');
    await expectAudioError(openAudio(await files.write('video.wav', avi)), 'unsupported', /"AVI "/);
  });

  it('names compressed WAV codecs it cannot decode', async () => {
    const adpcm = riff([fmtChunk({ formatTag: 2, channels: 2, sampleRate: 44100, bitsPerSample: 4, blockAlign: 2048 }), { id: 'data', body: silence(2048) }]);
    await expectAudioError(openAudio(await files.write('adpcm.wav', adpcm)), 'unsupported', /Microsoft ADPCM/, /0x0002/, /re-export it as PCM/);
  });

  it('rejects bit depths that do not exist', async () => {
    const float16 = riff([fmtChunk({ formatTag: 3, channels: 1, sampleRate: 44100, bitsPerSample: 16 }), { id: 'data', body: silence(4) }]);
    await expectAudioError(openAudio(await files.write('float16.wav', float16)), 'unsupported', /16-bit float/);
  });

  it('rejects zero channels and impossible sample rates', async () => {
    const noChannels = riff([fmtChunk({ formatTag: 1, channels: 0, sampleRate: 44100, bitsPerSample: 16 }), { id: 'data', body: silence(4) }]);
    await expectAudioError(openAudio(await files.write('zero-channels.wav', noChannels)), 'corrupt', /0 channels/, /re-export/);
    const absurdRate = riff([fmtChunk({ formatTag: 1, channels: 2, sampleRate: 0, bitsPerSample: 16 }), { id: 'data', body: silence(4) }]);
    await expectAudioError(openAudio(await files.write('zero-rate.wav', absurdRate)), 'corrupt', /sample rate of 0 Hz/);
    const hugeRate = riff([fmtChunk({ formatTag: 1, channels: 2, sampleRate: 4_000_000_000, bitsPerSample: 16 }), { id: 'data', body: silence(4) }]);
    await expectAudioError(openAudio(await files.write('huge-rate.wav', hugeRate)), 'corrupt', /4000000000 Hz/);
  });
});

describe('damaged files', () => {
  it('reports an empty file as corrupt', async () => {
    await expectAudioError(openAudio(await files.write('empty.wav', new Uint8Array(0))), 'corrupt', /empty/, /re-export or copy/);
  });

  it('reports a file that ends mid-header as corrupt', async () => {
    const whole = riff([pcm16Stereo, { id: 'data', body: silence(400) }]);
    await expectAudioError(openAudio(await files.write('cut-riff.wav', whole.subarray(0, 6))), 'corrupt', /ends in the middle of the WAV header/);
    await expectAudioError(openAudio(await files.write('cut-fmt.wav', whole.subarray(0, 30))), 'corrupt', /ends in the middle of the format \(fmt\) chunk/);
  });

  it('reports missing fmt or data chunks as corrupt', async () => {
    await expectAudioError(openAudio(await files.write('no-fmt.wav', riff([{ id: 'data', body: silence(4) }]))), 'corrupt', /no format \(fmt\) chunk/);
    await expectAudioError(openAudio(await files.write('no-data.wav', riff([pcm16Stereo]))), 'corrupt', /no audio data/);
  });

  it('reports a block alignment that contradicts the format as corrupt', async () => {
    const wrong = riff([fmtChunk({ formatTag: 1, channels: 2, sampleRate: 48000, bitsPerSample: 16, blockAlign: 3 }), { id: 'data', body: silence(12) }]);
    await expectAudioError(openAudio(await files.write('block-align.wav', wrong)), 'corrupt', /3 bytes per frame/, /need 4/);
  });

  it('reports a data chunk running past the end of the file as truncated, in seconds', async () => {
    const whole = encodeWav(testSignal(2, 48000 * 3), { sampleRate: 48000, channels: 2, encoding: 'pcm16' });
    const cut = whole.subarray(0, whole.length - 48000 * 4 * 2); // keep 1 of 3 seconds
    const error = await expectAudioError(openAudio(await files.write('song.wav', cut)), 'truncated');
    expect(error.message).toBe('song.wav: file is truncated: the header promises 3.0 s of audio but the file holds 1.0 s; re-export or copy the file again');
  });

  it('reports a file that shrinks while being read as truncated', async () => {
    const path = await files.write('shrinking.wav', encodeWav(testSignal(2, 48000 * 2), { sampleRate: 48000, channels: 2, encoding: 'pcm16' }));
    const reader = await openAudio(path);
    await truncate(path, 48000 * 4);
    await expectAudioError(drain(reader), 'truncated', /promises 2\.0 s/, /holds 1\.0 s/);
    await reader.close();
  });

  it('reports RF64 without a ds64 size as corrupt', async () => {
    const bytes = riff([pcm16Stereo, { id: 'data', body: silence(8), declaredSize: 0xffffffff }], 'RF64', 0xffffffff);
    await expectAudioError(openAudio(await files.write('no-ds64.wav', bytes)), 'corrupt', /no 64-bit size/);
  });

  it('never throws anything but AudioFileError for random bytes behind a valid magic', async () => {
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff;
    for (const magic of ['RIFF', 'RF64', 'FORM', 'fLaC', 'ID3\x03', '\xff\xfb\x90\x64']) {
      for (let round = 0; round < 20; round++) {
        const bytes = new Uint8Array(16 + round * 37);
        bytes.forEach((_, i) => (bytes[i] = random()));
        bytes.set(ascii(magic));
        if (magic === 'RIFF' || magic === 'RF64') bytes.set(ascii('WAVE'), 8);
        if (magic === 'FORM') bytes.set(ascii(round % 2 ? 'AIFF' : 'AIFC'), 8);
        const path = await files.write(`random-${magic.trim()}-${round}.bin`, bytes);
        const outcome: unknown = await openAndDrain(path).catch((error: unknown) => error);
        if (outcome !== undefined) expect(outcome).toBeInstanceOf(AudioFileError);
      }
    }
  });
});

async function openAndDrain(path: string): Promise<void> {
  const reader = await openAudio(path);
  try {
    await drain(reader);
  } finally {
    await reader.close();
  }
}
