import fc from 'fast-check';

type Channel = Float32Array | Float64Array;
export type BlockProcess = (input: Channel[], output: Channel[], frames: number) => void;

/**
 * Runs `process` over all of `input` in blocks of the given sizes (repeated as needed), on
 * views of the caller's arrays, and returns the output: the harness for "one block equals the
 * same audio in random-size chunks".
 */
export function processInChunks(input: Channel[], sizes: readonly number[], process: BlockProcess): Float32Array[] {
  const frames = input[0].length;
  const output = input.map(() => new Float32Array(frames));
  let offset = 0;
  for (let k = 0; offset < frames; k++) {
    const n = Math.min(sizes[k % sizes.length], frames - offset);
    process(
      input.map((c) => c.subarray(offset, offset + n)),
      output.map((c) => c.subarray(offset, offset + n)),
      n,
    );
    offset += n;
  }
  return output;
}

/** Chunk size lists from single samples to several device blocks. */
export const chunkSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 3000 })), { minLength: 1, maxLength: 12 });

/** Largest |a − b| over all channels. */
export function maxAbsDifference(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let worst = 0;
  a.forEach((channel, c) => {
    for (let i = 0; i < channel.length; i++) worst = Math.max(worst, Math.abs(channel[i] - b[c][i]));
  });
  return worst;
}

/** Largest sample-to-sample step in frames [from, to) of any channel: what a click looks like. */
export function maxStep(x: ArrayLike<number>[], from = 1, to = x[0].length): number {
  let worst = 0;
  for (const channel of x) {
    for (let i = Math.max(1, from); i < to; i++) worst = Math.max(worst, Math.abs(channel[i] - channel[i - 1]));
  }
  return worst;
}
