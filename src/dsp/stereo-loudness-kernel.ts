import { FunctionBuilder, control, encodeModule, f64, f64x2, get, i32, lazyModule, seq, set, setAll, v128, type Code } from './wasm-encoder';

/**
 * Stage (a) of the loudness meter for stereo, the analyzer's common case, as a WebAssembly SIMD
 * kernel: both channels ride in the two lanes of one f64x2, so the K-weighting recurrences of
 * left and right run as one dependency chain with half the instructions, and the weighted
 * energy, block sums, exact sliding windows and sub-block peaks are computed in the same pass
 * without storing the filtered signal. V8 compiles the scalar JavaScript loop with spills and
 * bounds checks on every access; here it emits packed SSE/AVX code. A second function screens
 * one channel's block for true-peak candidates, two interpolated points per f64x2.
 *
 * Every lane computes exactly the operations, in exactly the order, of the portable JavaScript
 * loop in loudness-blocks.ts (IEEE double, no fused multiply-add), so both produce the same bits.
 */

/** Float64 indices of the meter state that the kernel and the JavaScript loop share. */
export const STATE = {
  /**
   * Seven coefficients, each stored twice (one per lane): shelf b0 b1 b2 a1 a2, high-pass a1 a2.
   * The high-pass numerator is BS.1770's (1, −2, 1) at every rate (kweighting.ts), so its
   * products are exact and written out as u − (u1 + u1) + u2.
   */
  coefficients: 0,
  /** Channel weights of left and right. */
  weights: 14,
  /** Running momentary and short-term sums of the weighted per-sample energy. */
  windowSums: 16,
  /** Their largest values since the last takeMaxima(). */
  windowMaxima: 18,
  /** Direct-form-I memories x1 x2 u1 u2 y1 y2, each followed by one value per channel. */
  filter: 20,
  filterMemories: 6,
} as const;

/** Index of the block sums (one per channel) after the filter memories. */
export const blockSumsIndex = (channels: number) => STATE.filter + STATE.filterMemories * channels;

/** Sub-block length of the true-peak screen; the kernel keeps one peak per channel per sub-block. */
export const TP_SUB_BLOCK = 32;
const TP_SUB_BLOCK_LOG2 = 5;

/** (state, left, right, frames, position, peaks, ringWrite, ringMomentary); addresses in bytes. */
export type StereoSpan = (state: number, left: number, right: number, frames: number, position: number, peaks: number, ringWrite: number, ringMomentary: number) => void;

/** (buffer, windowPeaks, subBlocks, history, end, core, taps, tails, factor, truePeak, candidates) → candidates found. */
export type TruePeakScreen = (
  buffer: number, windowPeaks: number, subBlocks: number, history: number, end: number, core: number,
  taps: number, tails: number, factor: number, truePeak: number, candidates: number,
) => number;

export interface StereoKernel {
  readonly memory: ArrayBuffer;
  readonly span: StereoSpan;
  readonly screen: TruePeakScreen;
}

function buildSpan(): { builder: FunctionBuilder; body: Code[] } {
  const fn = new FunctionBuilder('span', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [state, left, right, frames, position, peaks, ringWrite, ringMomentary] = fn.params;
  const v = () => fn.local('v128');
  const [sb0, sb1, sb2, sa1, sa2, ha1, ha2] = Array.from({ length: 7 }, v);
  const weights = v();
  const [x1, x2, u1, u2, y1, y2] = Array.from({ length: 6 }, v);
  const sums = v(), windowSums = v(), windowMaxima = v(), peak = v(), x = v(), u = v(), y = v(), energy = v();
  const weighted = v();
  const i = fn.local('i32'), end = fn.local('i32'), peakAt = fn.local('i32');

  const byteOf = (index: number) => index * 8;
  const load = (index: number) => v128.load(get(state), byteOf(index));
  const store = (index: number, value: Code) => v128.store(get(state), value, byteOf(index));
  const { add, sub, mul } = f64x2;
  const sumsAt = byteOf(blockSumsIndex(2));
  const memoryAt = (k: number) => STATE.filter + 2 * k;
  const filterMemories = [x1, x2, u1, u2, y1, y2];
  const frameAddress = (base: typeof left, shift: number) => i32.add(get(base), i32.shl(get(i), i32.const(shift)));

  const body: Code[] = [
    ...[sb0, sb1, sb2, sa1, sa2, ha1, ha2].map((c, k) => set(c, load(STATE.coefficients + 2 * k))),
    set(weights, load(STATE.weights)),
    set(windowSums, load(STATE.windowSums)),
    set(windowMaxima, load(STATE.windowMaxima)),
    ...filterMemories.map((m, k) => set(m, load(memoryAt(k)))),
    set(sums, v128.load(get(state), sumsAt)),
    set(i, i32.const(0)),
    control.block(
      control.loop(
        control.brIf(1, i32.geU(get(i), get(frames))),
        // One true-peak sub-block (or the part of it in this span) per pass of the outer loop.
        set(end, i32.sub(i32.add(get(i), i32.const(TP_SUB_BLOCK)), i32.and(get(position), i32.const(TP_SUB_BLOCK - 1)))),
        set(end, i32.select(get(end), get(frames), i32.ltU(get(end), get(frames)))),
        set(peakAt, i32.add(get(peaks), i32.shl(i32.shrU(get(position), i32.const(TP_SUB_BLOCK_LOG2)), i32.const(4)))),
        set(peak, v128.load(get(peakAt))),
        control.if(i32.eqz(i32.and(get(position), i32.const(TP_SUB_BLOCK - 1))), set(peak, v128.zero())),
        set(position, i32.add(get(position), i32.sub(get(end), get(i)))),
        control.loop(
          set(x, f64x2.promoteLowF32x4(v128.load32Lane(frameAddress(right, 2), v128.load32Zero(frameAddress(left, 2)), 1))),
          set(peak, f64x2.pmax(get(peak), f64x2.abs(get(x)))),
          // K-weighting in direct form I; the feedback term of the previous output is added last,
          // so the loop-carried chain is one multiply and one subtraction per section.
          set(u, sub(sub(add(add(mul(get(sb0), get(x)), mul(get(sb1), get(x1))), mul(get(sb2), get(x2))), mul(get(sa2), get(u2))), mul(get(sa1), get(u1)))),
          set(y, sub(sub(add(sub(get(u), add(get(u1), get(u1))), get(u2)), mul(get(ha2), get(y2))), mul(get(ha1), get(y1)))),
          setAll([x2, get(x1)], [x1, get(x)], [u2, get(u1)], [u1, get(u)], [y2, get(y1)], [y1, get(y)]),
          set(energy, mul(get(y), get(y))),
          set(sums, add(get(sums), get(energy))),
          set(weighted, mul(get(weights), get(energy))),
          set(weighted, f64x2.splat(f64.add(f64x2.extractLane(get(weighted), 0), f64x2.extractLane(get(weighted), 1)))),
          // Lane 0 slides the momentary window, lane 1 the short-term one.
          set(windowSums, add(get(windowSums), sub(get(weighted), v128.load64Lane(frameAddress(ringWrite, 3), v128.load64Zero(frameAddress(ringMomentary, 3)), 1)))),
          f64.store(frameAddress(ringWrite, 3), f64x2.extractLane(get(weighted), 0)),
          set(windowMaxima, f64x2.pmax(get(windowMaxima), get(windowSums))),
          set(i, i32.add(get(i), i32.const(1))),
          control.brIf(0, i32.ltU(get(i), get(end))),
        ),
        v128.store(get(peakAt), get(peak)),
        control.br(0),
      ),
    ),
    store(STATE.windowSums, get(windowSums)),
    store(STATE.windowMaxima, get(windowMaxima)),
    ...filterMemories.map((m, k) => store(memoryAt(k), get(m))),
    v128.store(get(state), get(sums), sumsAt),
  ];
  return { builder: fn, body };
}

/**
 * The true-peak screen of one channel's block (see scanTruePeak in loudness-blocks.ts), two
 * points per f64x2: for each sub-block with a non-zero window peak and each phase p, the four
 * central taps bound the interpolated point, and the point is a candidate when that bound plus
 * tail[p] × window peak exceeds `truePeak`. Candidates (j × 4 + p) are written to `candidates`;
 * their count is returned. The caller then runs the full filter on them.
 */
function buildScreen(): { builder: FunctionBuilder; body: Code[] } {
  const fn = new FunctionBuilder('screen', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'f64', 'i32'], ['i32']);
  const [buffer, windowPeaks, subBlocks, history, end, core, taps, tails, factor, truePeak, candidates] = fn.params;
  const [sub, j, to, phase, count] = Array.from({ length: 5 }, () => fn.local('i32'));
  const windowPeak = fn.local('f64');
  const [limit, t0, t1, t2, t3, x0, x1, x2, x3, bound] = Array.from({ length: 10 }, () => fn.local('v128'));
  const { add, mul } = f64x2;
  /** Samples j − core − k and the one after it, widened: the lanes of points j and j + 1. */
  const pair = (k: number) => f64x2.promoteLowF32x4(v128.load64Zero(i32.add(get(buffer), i32.shl(i32.sub(i32.sub(get(j), get(core)), i32.const(k)), i32.const(2)))));
  const record = (point: Code) =>
    seq(i32.store(i32.add(get(candidates), i32.shl(get(count), i32.const(2))), i32.add(i32.shl(point, i32.const(2)), get(phase))), set(count, i32.add(get(count), i32.const(1))));
  const tap = (k: number) => v128.load(i32.add(get(taps), i32.shl(i32.add(i32.shl(get(phase), i32.const(2)), i32.const(k)), i32.const(4))));
  const body: Code[] = [
    set(count, i32.const(0)),
    set(sub, i32.const(0)),
    control.block(
      control.loop(
        control.brIf(1, i32.geU(get(sub), get(subBlocks))),
        set(windowPeak, f64.load(i32.add(get(windowPeaks), i32.shl(get(sub), i32.const(3))))),
        control.if(
          f64.gt(get(windowPeak), f64.const(0)),
          set(phase, i32.const(1)),
          control.loop(
            set(limit, f64x2.splat(f64.sub(get(truePeak), f64.mul(f64.load(i32.add(get(tails), i32.shl(get(phase), i32.const(3)))), get(windowPeak))))),
            set(t0, tap(0)),
            set(t1, tap(1)),
            set(t2, tap(2)),
            set(t3, tap(3)),
            set(j, i32.add(get(history), i32.shl(get(sub), i32.const(TP_SUB_BLOCK_LOG2)))),
            set(to, i32.add(get(j), i32.const(TP_SUB_BLOCK))),
            set(to, i32.select(get(to), get(end), i32.ltU(get(to), get(end)))),
            control.loop(
              set(x0, pair(0)),
              set(x1, pair(1)),
              set(x2, pair(2)),
              set(x3, pair(3)),
              set(bound, f64x2.abs(add(add(add(mul(get(t0), get(x0)), mul(get(t1), get(x1))), mul(get(t2), get(x2))), mul(get(t3), get(x3))))),
              control.if(
                v128.anyTrue(f64x2.gt(get(bound), get(limit))),
                control.if(f64.gt(f64x2.extractLane(get(bound), 0), f64x2.extractLane(get(limit), 0)), record(get(j))),
                control.if(
                  i32.ltU(i32.add(get(j), i32.const(1)), get(to)),
                  control.if(f64.gt(f64x2.extractLane(get(bound), 1), f64x2.extractLane(get(limit), 1)), record(i32.add(get(j), i32.const(1)))),
                ),
              ),
              set(j, i32.add(get(j), i32.const(2))),
              control.brIf(0, i32.ltU(get(j), get(to))),
            ),
            set(phase, i32.add(get(phase), i32.const(1))),
            control.brIf(0, i32.ltU(get(phase), get(factor))),
          ),
        ),
        set(sub, i32.add(get(sub), i32.const(1))),
        control.br(0),
      ),
    ),
    get(count),
  ];
  return { builder: fn, body };
}

const stereoModule = lazyModule(() => encodeModule([buildSpan(), buildScreen()]));

/** A kernel with its own memory of at least `bytes`, or null where WebAssembly SIMD is unavailable. */
export function createStereoKernel(bytes: number): StereoKernel | null {
  const instance = stereoModule(bytes);
  if (!instance) return null;
  return { memory: instance.memory, span: instance.exports.span as StereoSpan, screen: instance.exports.screen as TruePeakScreen };
}
