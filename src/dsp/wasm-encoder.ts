/**
 * Just enough of the WebAssembly binary format (core 2.0 with the 128-bit SIMD instructions) to
 * write small numeric kernels as TypeScript expressions and emit their module at run time. The
 * kernel's source is then the TypeScript that builds it: no toolchain, no opaque binary in the
 * repository, and the same bytes on every run.
 *
 * Expressions are functions that append the instructions leaving one value on the stack;
 * statements leave nothing. Opcodes follow the core specification's binary-format tables.
 */

export type ValueType = 'i32' | 'f64' | 'v128';
export type Code = (out: number[]) => void;

export interface Local {
  readonly index: number;
  readonly type: ValueType;
}

const TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f64: 0x7c, v128: 0x7b };
const SIMD_PREFIX = 0xfd;

function unsignedLeb(value: number, out: number[]): void {
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
}

function signedLeb(value: number, out: number[]): void {
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

export const seq = (...parts: Code[]): Code => (out) => parts.forEach((part) => part(out));
const plain = (opcode: number, ...operands: Code[]): Code => (out) => {
  operands.forEach((operand) => operand(out));
  out.push(opcode);
};
const simd = (opcode: number, ...operands: Code[]): Code => (out) => {
  operands.forEach((operand) => operand(out));
  out.push(SIMD_PREFIX);
  unsignedLeb(opcode, out);
};
/** A memory instruction: the instruction, then its memarg (alignment as a power of two, a hint, and a constant byte offset). */
const withMemarg = (instruction: Code, alignLog2: number, offset = 0): Code => (out) => {
  instruction(out);
  unsignedLeb(alignLog2, out);
  unsignedLeb(offset, out);
};
/** A lane instruction's memory form: the memarg, then the lane index. */
const withLane = (instruction: Code, alignLog2: number, lane: number): Code => (out) => {
  withMemarg(instruction, alignLog2)(out);
  out.push(lane);
};

export const get = (local: Local): Code => (out) => {
  out.push(0x20);
  unsignedLeb(local.index, out);
};
export const set = (local: Local, value: Code): Code => (out) => {
  value(out);
  out.push(0x21);
  unsignedLeb(local.index, out);
};
/** Several assignments whose right-hand sides all read the old values (a register shift). */
export const setAll = (...pairs: [Local, Code][]): Code => (out) => {
  pairs.forEach(([, value]) => value(out));
  for (let k = pairs.length - 1; k >= 0; k--) {
    out.push(0x21);
    unsignedLeb(pairs[k][0].index, out);
  }
};

export const i32 = {
  const: (value: number): Code => (out) => {
    out.push(0x41);
    signedLeb(value | 0, out);
  },
  add: (a: Code, b: Code) => plain(0x6a, a, b),
  sub: (a: Code, b: Code) => plain(0x6b, a, b),
  and: (a: Code, b: Code) => plain(0x71, a, b),
  shl: (a: Code, b: Code) => plain(0x74, a, b),
  shrU: (a: Code, b: Code) => plain(0x76, a, b),
  eqz: (a: Code) => plain(0x45, a),
  ltU: (a: Code, b: Code) => plain(0x49, a, b),
  geU: (a: Code, b: Code) => plain(0x4f, a, b),
  /** a when the condition is non-zero, else b. */
  select: (a: Code, b: Code, condition: Code) => plain(0x1b, a, b, condition),
  store: (address: Code, value: Code, offset = 0) => withMemarg(plain(0x36, address, value), 2, offset),
};

export const f64 = {
  const: (value: number): Code => (out) => {
    const bytes = new DataView(new ArrayBuffer(8));
    bytes.setFloat64(0, value, true);
    out.push(0x44, ...new Uint8Array(bytes.buffer));
  },
  add: (a: Code, b: Code) => plain(0xa0, a, b),
  sub: (a: Code, b: Code) => plain(0xa1, a, b),
  mul: (a: Code, b: Code) => plain(0xa2, a, b),
  gt: (a: Code, b: Code) => plain(0x64, a, b),
  load: (address: Code, offset = 0) => withMemarg(plain(0x2b, address), 3, offset),
  store: (address: Code, value: Code, offset = 0) => withMemarg(plain(0x39, address, value), 3, offset),
};

export const v128 = {
  zero: (): Code => (out) => {
    out.push(SIMD_PREFIX, 0x0c, ...new Array<number>(16).fill(0));
  },
  load: (address: Code, offset = 0) => withMemarg(simd(0x00, address), 4, offset),
  store: (address: Code, value: Code, offset = 0) => withMemarg(simd(0x0b, address, value), 4, offset),
  /** A 32-bit value into lane 0, zeros elsewhere. */
  load32Zero: (address: Code) => withMemarg(simd(0x5c, address), 2),
  load32Lane: (address: Code, vector: Code, lane: number) => withLane(simd(0x56, address, vector), 2, lane),
  load64Zero: (address: Code) => withMemarg(simd(0x5d, address), 3),
  load64Lane: (address: Code, vector: Code, lane: number) => withLane(simd(0x57, address, vector), 3, lane),
  /** 1 when any bit is set. */
  anyTrue: (a: Code) => simd(0x53, a),
};

export const i8x16 = {
  /** Byte k of the result is byte lanes[k] of a (0–15) or of b (16–31). */
  shuffle: (a: Code, b: Code, lanes: readonly number[]): Code => (out) => {
    simd(0x0d, a, b)(out);
    out.push(...lanes);
  },
};

export const i32x4 = {
  shrS: (a: Code, count: Code) => simd(0xac, a, count),
  extendLowI16x8S: (a: Code) => simd(0xa7, a),
  extendHighI16x8S: (a: Code) => simd(0xa8, a),
};

export const f32x4 = {
  const: (value: number): Code => (out) => {
    const lanes = new DataView(new ArrayBuffer(16));
    for (let k = 0; k < 4; k++) lanes.setFloat32(4 * k, value, true);
    out.push(SIMD_PREFIX, 0x0c, ...new Uint8Array(lanes.buffer));
  },
  mul: (a: Code, b: Code) => simd(0xe6, a, b),
  convertI32x4S: (a: Code) => simd(0xfa, a),
};

export const f64x2 = {
  splat: (a: Code) => simd(0x14, a),
  extractLane: (a: Code, lane: number): Code => (out) => {
    simd(0x21, a)(out);
    out.push(lane);
  },
  add: (a: Code, b: Code) => simd(0xf0, a, b),
  sub: (a: Code, b: Code) => simd(0xf1, a, b),
  mul: (a: Code, b: Code) => simd(0xf2, a, b),
  abs: (a: Code) => simd(0xec, a),
  gt: (a: Code, b: Code) => simd(0x4a, a, b),
  /** b where a < b, else a: the same as Math.max(a, b) for numbers that are not NaN. */
  pmax: (a: Code, b: Code) => simd(0xf7, a, b),
  /** Lanes 0 and 1 of an f32x4, widened exactly. */
  promoteLowF32x4: (a: Code) => simd(0x5f, a),
};

/** Control flow: labels are counted outwards from the innermost enclosing block or loop. */
export const control = {
  block: (...body: Code[]): Code => (out) => {
    out.push(0x02, 0x40);
    seq(...body)(out);
    out.push(0x0b);
  },
  loop: (...body: Code[]): Code => (out) => {
    out.push(0x03, 0x40);
    seq(...body)(out);
    out.push(0x0b);
  },
  if: (condition: Code, ...body: Code[]): Code => (out) => {
    condition(out);
    out.push(0x04, 0x40);
    seq(...body)(out);
    out.push(0x0b);
  },
  br: (depth: number): Code => (out) => {
    out.push(0x0c);
    unsignedLeb(depth, out);
  },
  brIf: (depth: number, condition: Code): Code => (out) => {
    condition(out);
    out.push(0x0d);
    unsignedLeb(depth, out);
  },
};

/** A function under construction: parameters first, then locals declared as the body needs them. */
export class FunctionBuilder {
  readonly params: Local[];
  private readonly locals: Local[] = [];

  constructor(
    readonly name: string,
    paramTypes: ValueType[],
    readonly results: ValueType[] = [],
  ) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  local(type: ValueType): Local {
    const local = { index: this.params.length + this.locals.length, type };
    this.locals.push(local);
    return local;
  }

  encode(body: Code[]): number[] {
    const out: number[] = [];
    // Local declarations come as runs of one type.
    const runs: [number, ValueType][] = [];
    for (const { type } of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    unsignedLeb(runs.length, out);
    for (const [count, type] of runs) {
      unsignedLeb(count, out);
      out.push(TYPE_CODE[type]);
    }
    seq(...body)(out);
    out.push(0x0b);
    return out;
  }
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  unsignedLeb(content.length, out);
  out.push(...content);
}

function name(text: string, out: number[]): void {
  unsignedLeb(text.length, out);
  for (let k = 0; k < text.length; k++) out.push(text.charCodeAt(k));
}

/** A module of functions that share one imported memory (`env.memory`), each exported under its name. */
export function encodeModule(functions: { builder: FunctionBuilder; body: Code[] }[]): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  unsignedLeb(functions.length, types);
  for (const { builder } of functions) {
    types.push(0x60);
    unsignedLeb(builder.params.length, types);
    for (const p of builder.params) types.push(TYPE_CODE[p.type]);
    unsignedLeb(builder.results.length, types);
    for (const r of builder.results) types.push(TYPE_CODE[r]);
  }
  section(1, types, out);

  const imports: number[] = [1];
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00, 0x01); // memory, limits without a maximum, at least one page
  section(2, imports, out);

  const declarations: number[] = [];
  unsignedLeb(functions.length, declarations);
  functions.forEach((_, index) => unsignedLeb(index, declarations));
  section(3, declarations, out);

  const exports: number[] = [];
  unsignedLeb(functions.length, exports);
  functions.forEach(({ builder }, index) => {
    name(builder.name, exports);
    exports.push(0x00);
    unsignedLeb(index, exports);
  });
  section(7, exports, out);

  const code: number[] = [];
  unsignedLeb(functions.length, code);
  for (const { builder, body } of functions) {
    const bytes = builder.encode(body);
    unsignedLeb(bytes.length, code);
    code.push(...bytes);
  }
  section(10, code, out);
  return Uint8Array.from(out);
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

const PAGE_BYTES = 65536;

export interface KernelInstance {
  /** The instance's own memory (it never grows, so views of it stay valid). */
  readonly memory: ArrayBuffer;
  readonly exports: Record<string, unknown>;
}

/**
 * Compiles the module `build` encodes the first time it is asked for; afterwards each call to
 * the returned function instantiates it with a fresh memory of at least `bytes`. Null where the
 * engine has no WebAssembly or rejects the module (no SIMD), so callers keep a portable path.
 */
export function lazyModule(build: () => Uint8Array): (bytes: number) => KernelInstance | null {
  let compiled: object | null | undefined;
  return (bytes) => {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (compiled === undefined) {
      try {
        compiled = wasm ? new wasm.Module(build()) : null;
      } catch {
        compiled = null;
      }
    }
    if (!compiled || !wasm) return null;
    const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE_BYTES)) });
    return { memory: memory.buffer, exports: new wasm.Instance(compiled, { env: { memory } }).exports };
  };
}
