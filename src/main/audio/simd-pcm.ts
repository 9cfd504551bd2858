import { FunctionBuilder, control, encodeModule, f32x4, get, i32, i32x4, i8x16, lazyModule, set, v128, type Code, type Local } from '../../dsp/wasm-encoder';
import { bytesPerSample, type PcmEncoding, type PlanarDecoder } from './pcm';

/**
 * 16- and 24-bit little-endian stereo, the usual backing track, decoded with WebAssembly SIMD:
 * the file is read straight into WebAssembly memory, byte shuffles deinterleave and sign-extend
 * four or eight frames at a time, and the planar floats the reader hands out are views of the
 * same memory, so nothing is copied on the way. The values are exactly those of pcmDecoders
 * (n-bit integers times 2^(1−n), which float32 holds exactly).
 */

/** Frames per pass of the widest kernel; buffers are rounded up to it so the last pass stays inside. */
const GROUP_FRAMES = 8;
/** The 24-bit kernel's second load reaches 4 bytes past its 4 frames. */
const SLACK_BYTES = 16;

type Kernel = (source: number, left: number, right: number, frames: number) => void;

const KERNELS: Partial<Record<PcmEncoding, string>> = { s16le: 's16le_stereo', s24le: 's24le_stereo' };

/**
 * A function (source, left, right, frames) that decodes `groupFrames` frames per pass from two
 * 16-byte loads; `channel` turns them into one channel's samples, four floats per vector.
 */
function stereoKernel(name: string, sampleBytes: number, groupFrames: number, secondLoadOffset: number, channel: (first: Code, second: Code, side: 0 | 1) => Code[]) {
  const fn = new FunctionBuilder(name, ['i32', 'i32', 'i32', 'i32']);
  const [source, left, right, frames] = fn.params;
  const done = fn.local('i32');
  const first = fn.local('v128');
  const second = fn.local('v128');
  const advance = (pointer: Local, step: number) => set(pointer, i32.add(get(pointer), i32.const(step)));
  const stores = (target: Local, side: 0 | 1) => channel(get(first), get(second), side).map((vector, k) => v128.store(get(target), vector, 16 * k));
  return {
    builder: fn,
    body: [
      set(done, i32.const(0)),
      control.block(
        control.loop(
          control.brIf(1, i32.geU(get(done), get(frames))),
          set(first, v128.load(get(source))),
          set(second, v128.load(get(source), secondLoadOffset)),
          ...stores(left, 0),
          ...stores(right, 1),
          advance(source, groupFrames * 2 * sampleBytes),
          advance(left, groupFrames * 4),
          advance(right, groupFrames * 4),
          advance(done, groupFrames),
          control.br(0),
        ),
      ),
    ],
  };
}

/** Shuffle lanes that put each sample (little-endian, `width` bytes at `offsets`) in the top bytes of a 32-bit lane. */
const topAligned = (offsets: number[], width: number) =>
  offsets.flatMap((offset) => [...new Array<number>(4 - width).fill(offset), ...Array.from({ length: width }, (_, b) => offset + b)]);

function buildModule(): Uint8Array {
  // 24-bit: four frames are bytes 0–23; the second load starts at byte 12, so byte k ≥ 12 is lane 16 + k − 12.
  // The stray low byte of each lane falls off in the arithmetic shift.
  const s24 = stereoKernel('s24le_stereo', 3, 4, 12, (first, second, side) => {
    const start = 3 * side;
    const words = i8x16.shuffle(first, second, topAligned([start, start + 6, 16 + start, 16 + start + 6], 3));
    return [f32x4.mul(f32x4.convertI32x4S(i32x4.shrS(words, i32.const(8))), f32x4.const(2 ** -23))];
  });
  // 16-bit: eight frames in two loads; gather one channel's eight samples, then widen each half.
  const s16 = stereoKernel('s16le_stereo', 2, 8, 16, (first, second, side) => {
    const samples = i8x16.shuffle(first, second, Array.from({ length: 16 }, (_, k) => 2 * side + 4 * (k >> 1) + (k & 1)));
    const scale = (words: Code) => f32x4.mul(f32x4.convertI32x4S(words), f32x4.const(2 ** -15));
    return [scale(i32x4.extendLowI16x8S(samples)), scale(i32x4.extendHighI16x8S(samples))];
  });
  return encodeModule([s24, s16]);
}

const decoderModule = lazyModule(buildModule);

export interface SimdPcmBuffers {
  /** Two byte buffers (the next chunk is read into one while the other is decoded), in WebAssembly memory. */
  bytes: [Uint8Array, Uint8Array];
  /** Left and right, views of the same memory. */
  planar: Float32Array[];
  /** Decodes from one of `bytes` into `planar`. */
  decode: PlanarDecoder;
}

/** Buffers and decoder for chunks of up to `capacity` frames, or null when the format or the engine is not covered. */
export function simdPcmBuffers(encoding: PcmEncoding, channels: number, capacity: number): SimdPcmBuffers | null {
  const kernelName = KERNELS[encoding];
  if (!kernelName || channels !== 2) return null;
  const frames = Math.ceil(capacity / GROUP_FRAMES) * GROUP_FRAMES;
  const byteLength = frames * 2 * bytesPerSample(encoding) + SLACK_BYTES;
  const planeBytes = frames * 4;
  const instance = decoderModule(2 * planeBytes + 2 * byteLength);
  if (!instance) return null;
  const kernel = instance.exports[kernelName] as Kernel;
  const { memory } = instance;
  // Planes first, so they stay 16-byte aligned whatever the byte buffers' length.
  const planar = [new Float32Array(memory, 0, capacity), new Float32Array(memory, planeBytes, capacity)];
  const bytes: [Uint8Array, Uint8Array] = [new Uint8Array(memory, 2 * planeBytes, byteLength), new Uint8Array(memory, 2 * planeBytes + byteLength, byteLength)];
  return {
    bytes,
    planar,
    decode: (source, [left, right], count) => kernel(source.byteOffset, left.byteOffset, right.byteOffset, count),
  };
}
