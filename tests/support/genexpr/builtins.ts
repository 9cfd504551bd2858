/**
 * The gen~ operators the evaluator knows, as JavaScript. `sr` is the kernel's sample rate.
 * Anything not listed is an error, never a silent zero.
 */
export interface Builtin {
  arity: number;
  js: (args: string[]) => string;
}

const math = (fn: string, arity = 1): Builtin => ({ arity, js: (a) => `Math.${fn}(${a.join(', ')})` });

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  abs: math('abs'),
  min: math('min', 2),
  max: math('max', 2),
  floor: math('floor'),
  ceil: math('ceil'),
  trunc: math('trunc'),
  // C's round: halves away from zero (Math.round takes −2.5 to −2).
  round: { arity: 1, js: ([x]) => `round(${x})` },
  exp: math('exp'),
  log: math('log'),
  log10: math('log10'),
  log2: math('log2'),
  pow: math('pow', 2),
  sqrt: math('sqrt'),
  sin: math('sin'),
  cos: math('cos'),
  tan: math('tan'),
  atan2: math('atan2', 2),
  clamp: { arity: 3, js: ([x, lo, hi]) => `Math.min(Math.max(${x}, ${lo}), ${hi})` },
  dbtoa: { arity: 1, js: ([x]) => `Math.pow(10, (${x}) / 20)` },
  atodb: { arity: 1, js: ([x]) => `(20 * Math.log10(${x}))` },
  mstosamps: { arity: 1, js: ([x]) => `((${x}) * sr / 1000)` },
  sampstoms: { arity: 1, js: ([x]) => `((${x}) * 1000 / sr)` },
};

/** peek, poke, dim and channels take a Data first; their arities are checked by the compiler. */
export const DATA_OPERATORS = new Set(['peek', 'poke', 'dim', 'channels']);

export const CONSTANTS: Readonly<Record<string, number>> = {
  pi: Math.PI,
  twopi: 2 * Math.PI,
  halfpi: Math.PI / 2,
  invpi: 1 / Math.PI,
  e: Math.E,
  ln2: Math.LN2,
  ln10: Math.LN10,
  log2e: Math.LOG2E,
  log10e: Math.LOG10E,
  sqrt2: Math.SQRT2,
  sqrt1_2: Math.SQRT1_2,
};

/**
 * Other gen~ operator names: a kernel that used one as a variable would compile here and fail
 * in Max, so they are refused as names.
 */
export const RESERVED_NAMES = new Set([
  ...Object.keys(BUILTINS),
  ...DATA_OPERATORS,
  ...Object.keys(CONSTANTS),
  'samplerate', 'vectorsize', 'sample', 'mix', 'counter', 'history', 'delay', 'data', 'buffer', 'phasor', 'cycle', 'noise',
  'accum', 'latch', 'delta', 'change', 'sah', 'elapsed', 'wrap', 'fold', 'scale', 'selector', 'gate', 'dcblock', 'slide',
  'train', 'triangle', 'rate', 'interp', 'wave', 'lookup', 'param', 'fixdenorm', 'fixnan', 'isnan', 'isdenorm', 'sign',
  'step', 'smoothstep', 'not', 'and', 'or', 'xor', 'bool', 'neg', 'mod', 'div', 'mul', 'add', 'sub',
]);
