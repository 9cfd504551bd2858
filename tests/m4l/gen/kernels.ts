import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileKernel, type Kernel } from '../../support/genexpr';
import type { ParamMessage } from '../../../m4l-device/gen/params';

/** Loads and compiles one of m4l-device/gen/*.genexpr; the source is read once per file. */
const sources = new Map<string, string>();

export function kernelSource(name: 'strip' | 'meter' | 'click'): string {
  let source = sources.get(name);
  if (source === undefined) {
    source = readFileSync(fileURLToPath(new URL(`../../../m4l-device/gen/${name}.genexpr`, import.meta.url)), 'utf8');
    sources.set(name, source);
  }
  return source;
}

export function loadKernel(name: 'strip' | 'meter' | 'click', sampleRate: number): Kernel {
  return compileKernel(kernelSource(name), { sampleRate });
}

/** What node does: one `gen <name> <value>` per pair, in order. */
export function send(kernel: Kernel, messages: readonly ParamMessage[]): void {
  for (const [name, value] of messages) kernel.setParam(name, value);
}

/** Runs `frames` frames from `offset` of planar input into planar outputs (one per outlet). */
export function run(kernel: Kernel, input: readonly Float32Array[], outputs: readonly Float64Array[], offset: number, frames: number): void {
  kernel.process(
    input.map((x) => x.subarray(offset, offset + frames)),
    outputs.map((y) => y.subarray(offset, offset + frames)),
    frames,
  );
}

export function outputsFor(kernel: Kernel, frames: number): Float64Array[] {
  return Array.from({ length: kernel.outputs }, () => new Float64Array(frames));
}
