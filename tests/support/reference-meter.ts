/**
 * A deliberately naive BS.1770 / Tech 3342 meter: keeps every block, sorts, scans every window
 * with prefix sums. Slow and memory-hungry, but written independently of src/dsp's incremental
 * histogram path, so the two can check each other on programme material.
 */
import { designKWeighting } from '../../src/dsp/kweighting';
import type { BiquadCoefficients } from '../../src/dsp/biquad';

const lufs = (z: number) => -0.691 + 10 * Math.log10(z);

export function referenceMeasure(channels: Float32Array[], sampleRate: number, weights: number[]) {
  const k = designKWeighting(sampleRate);
  const n = channels[0].length;
  const energy = new Float64Array(n);
  channels.forEach((x, c) => {
    const y = directForm1(directForm1(Float64Array.from(x), k.shelf), k.highpass);
    for (let i = 0; i < n; i++) energy[i] += weights[c] * y[i] * y[i];
  });
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + energy[i];
  const block = Math.round(sampleRate / 10);
  const windowMax = (length: number) => {
    let max = 0;
    for (let end = 1; end <= n; end++) max = Math.max(max, prefix[end] - prefix[Math.max(0, end - length)]);
    return lufs(max / length);
  };
  const blocks = Math.floor(n / block);
  const blockEnergy = (first: number, count: number) => (prefix[(first + count) * block] - prefix[first * block]) / (count * block);
  const gating: number[] = [];
  for (let j = 3; j < blocks; j++) gating.push(blockEnergy(j - 3, 4));
  const absGated = gating.filter((z) => lufs(z) > -70);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const relGate = lufs(mean(absGated)) - 10;
  const relGated = absGated.filter((z) => lufs(z) > relGate);
  const shortTerm: number[] = [];
  for (let j = 29; j < blocks; j++) shortTerm.push(blockEnergy(j - 29, 30));
  const stAbs = shortTerm.filter((z) => lufs(z) > -70);
  const stGate = lufs(mean(stAbs)) - 20;
  const stValues = stAbs.filter((z) => lufs(z) > stGate).map(lufs).sort((a, b) => a - b);
  const pick = (p: number) => stValues[Math.round((stValues.length - 1) * p)];
  return {
    integrated: lufs(mean(relGated)),
    lra: stValues.length ? pick(0.95) - pick(0.1) : 0,
    momentaryMax: windowMax(block * 4),
    shortTermMax: windowMax(block * 30),
  };
}

// Direct form I, unlike the transposed form src/dsp uses.
function directForm1(x: Float64Array, c: BiquadCoefficients): Float64Array {
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = c.b0 * x[i] + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    x2 = x1; x1 = x[i]; y2 = y1; y1 = v; y[i] = v;
  }
  return y;
}
