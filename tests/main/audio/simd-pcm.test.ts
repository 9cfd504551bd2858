import { describe, expect, it } from 'vitest';
import { pcmDecoders } from '../../../src/main/audio/pcm';
import { simdPcmBuffers } from '../../../src/main/audio/simd-pcm';
import { prng } from '../../support/ebu-signals';

describe('SIMD decoding of 16- and 24-bit stereo', () => {
  it('covers 16- and 24-bit little-endian stereo here, and leaves everything else to the portable decoders', () => {
    expect(simdPcmBuffers('s24le', 2, 100)).not.toBeNull();
    expect(simdPcmBuffers('s16le', 2, 100)).not.toBeNull();
    expect(simdPcmBuffers('s24le', 1, 100)).toBeNull();
    expect(simdPcmBuffers('s24be', 2, 100)).toBeNull();
    expect(simdPcmBuffers('f32le', 2, 100)).toBeNull();
  });

  it.each([['s16le', 2], ['s24le', 3]] as const)('%s gives exactly the portable decoder’s floats for every length and at full scale', (encoding, width) => {
    const capacity = 40;
    const random = prng(width);
    for (let frames = 0; frames <= capacity; frames++) {
      const simd = simdPcmBuffers(encoding, 2, capacity)!;
      const bytes = simd.bytes[frames % 2];
      for (let k = 0; k < frames * 2 * width; k++) bytes[k] = Math.floor(random() * 256);
      // Both extremes in the first frame: most negative left, most positive right.
      if (frames > 0) {
        bytes.fill(0, 0, width);
        bytes[width - 1] = 0x80;
        bytes.fill(0xff, width, 2 * width);
        bytes[2 * width - 1] = 0x7f;
      }
      const expected = [new Float32Array(frames), new Float32Array(frames)];
      pcmDecoders[encoding](bytes, expected, frames);
      simd.decode(bytes, simd.planar, frames);
      expect(simd.planar.map((channel) => channel.slice(0, frames))).toEqual(expected);
      if (frames > 0) expect([simd.planar[0][0], simd.planar[1][0]]).toEqual([-1, 1 - 2 ** (1 - 8 * width)]);
    }
  });
});
