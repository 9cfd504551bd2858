import { describe, expect, it } from 'vitest';
import { compileKernel, GenExprError } from '../../support/genexpr';

const RATE = 48000;

function runMono(source: string, input: number[], params: Record<string, number> = {}): number[] {
  const kernel = compileKernel(source, { sampleRate: RATE });
  for (const [name, value] of Object.entries(params)) kernel.setParam(name, value);
  const out = new Float64Array(input.length);
  kernel.process([Float64Array.from(input)], [out], input.length);
  return Array.from(out);
}

function compileError(source: string): string {
  try {
    compileKernel(source, { sampleRate: RATE });
  } catch (error) {
    expect(error).toBeInstanceOf(GenExprError);
    return (error as Error).message;
  }
  throw new Error('expected a compile error');
}

describe('GenExpr evaluator: errors name the line and column', () => {
  it.each([
    ['an unknown operator', 'out1 = foo(in1);', /^1:8: unknown function or operator "foo"/],
    ['an unknown name', 'x = 1;\nout1 = in1 * gain;', /^2:14: unknown name "gain"/],
    ['a syntax error', 'out1 = in1 +;', /^1:13: unexpected ";"/],
    ['a character GenExpr does not have', 'out1 = in1 # 2;', /^1:12: unexpected character "#"/],
    ['a wrong argument count', 'out1 = max(in1);', /^1:8: max takes 2 arguments, got 1/],
    ['a local read before it is assigned', 'out1 = y;\ny = in1;', /^1:8: "y" is read before it is assigned/],
    ['assigning a Param', 'Param g(1);\ng = 2;\nout1 = in1;', /^2:1: Param g cannot be assigned/],
    ['a declaration after a statement', 'out1 = in1;\nHistory h(0);', /^2:1: History h is declared after the first statement/],
    ['a gen~ operator used as a name', 'mix = in1;\nout1 = mix;', /^1:1: "mix" is a gen~ operator or constant/],
    ['a global inside a function', 'History h(0);\nf(x) { return x + h; }\nout1 = f(in1);', /^2:19: h is not visible inside function f/],
    ['a number where a Data is needed', 'out1 = peek(in1, 0);', /^1:13: peek needs a Data/],
    ['recursion', 'f(x) { return f(x); }\nout1 = f(in1);', /^1:15: function f calls itself/],
    ['a method other than read or write', 'Delay d(10);\nd.write(in1);\nout1 = d.tap(1);', /^3:8: Delay has no method "tap"/],
    ['an unterminated block', 'if (in1 > 0) { out1 = 1;', /^1:25: missing "}"/],
  ])('%s', (_what, source, message) => {
    expect(compileError(source)).toMatch(message);
  });

  it('refuses an unknown Param by name when set', () => {
    const kernel = compileKernel('Param g(1);\nout1 = in1 * g;', { sampleRate: RATE });
    expect(() => kernel.setParam('gian', 2)).toThrow(/no Param named "gian"/);
  });
});

describe('GenExpr evaluator: per-sample semantics', () => {
  it('a History keeps its value across samples (read before write: a one-sample delay)', () => {
    expect(runMono('History z(0);\nout1 = z;\nz = in1;', [1, 2, 3, 4])).toEqual([0, 1, 2, 3]);
    expect(runMono('History sum(10);\nsum = sum + in1;\nout1 = sum;', [1, 2, 3])).toEqual([11, 13, 16]);
  });

  it('reset() puts Histories back to their initial values and keeps Params', () => {
    const kernel = compileKernel('Param g(1);\nHistory sum(0);\nsum = sum + in1 * g;\nout1 = sum;', { sampleRate: RATE });
    kernel.setParam('g', 2);
    const out = new Float64Array(2);
    kernel.process([Float64Array.of(1, 1)], [out], 2);
    kernel.reset();
    kernel.process([Float64Array.of(1, 1)], [out], 2);
    expect(Array.from(out)).toEqual([2, 4]);
  });

  it('a Delay reads t samples back, at least one when read before this sample’s write', () => {
    const input = [1, 2, 3, 4, 5, 6];
    expect(runMono('Delay d(8);\nd.write(in1);\nout1 = d.read(2);', input)).toEqual([0, 0, 1, 2, 3, 4]);
    expect(runMono('Delay d(8);\nd.write(in1);\nout1 = d.read(0);', input)).toEqual(input);
    expect(runMono('Delay d(8);\nout1 = d.read(0);\nd.write(in1);', input)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(runMono('Delay d(8);\nd.write(in1);\nout1 = d.read(1.5);', input)).toEqual([0, 0.5, 1.5, 2.5, 3.5, 4.5]);
  });

  it('Params clamp to their range; Data, loops, functions with several results and the ternary work as in gen~', () => {
    const source = [
      'Param g(1, min=0, max=2);',
      'Data d(4, 2);',
      'split(x) { return x * 2, x * 3; }',
      'fill(buf, v) { for (i = 0; i < 4; i += 1) { poke(buf, v + i, i, 1); } }',
      'fill(d, in1);',
      'a, b = split(in1);',
      'total = 0;',
      'k = 0;',
      'while (k < dim(d)) { total += peek(d, k, 1); k += 1; }',
      'out1 = (in1 > 1 && !(in1 == 3) ? total : a + b + peek(d, 9) + peek(d, 0, 5)) * g;',
    ].join('\n');
    // in1 = 1: a + b = 5; in1 = 2: total = 2+3+4+5 = 14; in1 = 3: a + b = 15. g clamps to 2.
    expect(runMono(source, [1, 2, 3], { g: 5 })).toEqual([10, 28, 30]);
  });

  it('runs at the sample rate it is given and sees a change', () => {
    const kernel = compileKernel('out1 = samplerate + mstosamps(1);', { sampleRate: 44100 });
    const out = new Float64Array(1);
    kernel.process([], [out], 1);
    expect(out[0]).toBeCloseTo(44144.1, 9);
    kernel.setSampleRate(96000);
    kernel.process([], [out], 1);
    expect(out[0]).toBe(96096);
  });
});
