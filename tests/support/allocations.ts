import v8 from 'node:v8';

/**
 * How many bytes of JavaScript heap one call of `call` allocates, measured without --expose-gc:
 * V8's per-space "used" sizes only grow by allocation between collections, so the growth over a
 * window of calls with no collection in it (v8.GCProfiler reports any) is what the calls
 * allocated. Only growth counts, space by space, because a concurrent sweeper may shrink the old
 * space at any moment and must not hide an allocation elsewhere. The statistics call itself
 * allocates a little; a window with no calls in it measures that and is subtracted.
 *
 * The result is the smallest of several collection-free windows: an allocation in every call
 * shows in each of them, while one-off work (a function being optimised) shows in only one.
 * The smallest heap object is 12 bytes, so a call that allocates anything at all reads ≥ 12
 * (a single boxed double per call reads 16).
 */

export interface AllocationProbe {
  /** Calls per measured window. */
  calls?: number;
  /** Collection-free windows to measure. */
  windows?: number;
  /** Runs before each window, outside it (e.g. a preset change whose ramp the window then plays). */
  beforeWindow?: () => void;
}

const MAX_ATTEMPTS = 40;
const WARM_UP_WINDOWS = 4;

function usedBySpace(): Map<string, number> {
  return new Map(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]));
}

function growth(before: Map<string, number>, after: Map<string, number>): number {
  let bytes = 0;
  for (const [space, used] of after) bytes += Math.max(0, used - (before.get(space) ?? 0));
  return bytes;
}

export function allocatedBytesPerCall(call: () => void, { calls = 4000, windows = 3, beforeWindow }: AllocationProbe = {}): number {
  // Warm up, windows and all: let V8 optimise every path the windows take before anything is counted.
  for (let round = 0; round < WARM_UP_WINDOWS; round++) {
    beforeWindow?.();
    for (let k = 0; k < calls; k++) call();
  }
  const readings: number[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS && readings.length < windows; attempt++) {
    beforeWindow?.();
    const profiler = new v8.GCProfiler();
    profiler.start();
    const start = usedBySpace();
    const empty = usedBySpace();
    for (let k = 0; k < calls; k++) call();
    const end = usedBySpace();
    const collections = profiler.stop().statistics.length;
    if (collections === 0) readings.push(Math.max(0, growth(empty, end) - growth(start, empty)) / calls);
  }
  if (readings.length < windows) throw new Error(`allocation probe: a collection ran in all but ${readings.length} of ${MAX_ATTEMPTS} windows; the calls allocate heavily`);
  return Math.min(...readings);
}
