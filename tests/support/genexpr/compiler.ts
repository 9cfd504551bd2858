import { BUILTINS, CONSTANTS, DATA_OPERATORS, RESERVED_NAMES } from './builtins';
import { parse, type Declaration, type Expression, type FunctionDefinition, type Position, type Program, type Statement } from './parser';
import { GenExprError } from './tokenizer';

/**
 * Compiles a GenExpr kernel to one JavaScript function per kernel (new Function), so a test can
 * run minutes of audio through it in seconds. Semantics, per sample as in gen~'s codebox (64-bit):
 *   - Params keep their value until set; setParam clamps to the declared min and max.
 *   - A History is a variable that keeps its value from sample to sample: a read sees the last
 *     value written, this sample's or an earlier one's. (The kernels read their Histories before
 *     writing them where the order matters, so they do not depend on this choice.)
 *   - A Data is zeroed memory; peek and poke outside it read 0 and write nothing.
 *   - Delay d(n): d.write(x) once per sample; d.read(t) is t samples back (linear interpolation),
 *     at least 1 when read before this sample's write, as gen~ does for feedback.
 *   - Locals live for one sample and must be assigned before they are read.
 * Unknown syntax, names, operators and methods are errors with line:column.
 */

export interface KernelOptions {
  sampleRate: number;
}

export interface ParamInfo {
  name: string;
  defaultValue: number;
  min: number;
  max: number;
}

export interface Kernel {
  readonly inputs: number;
  readonly outputs: number;
  readonly params: readonly ParamInfo[];
  setParam(name: string, value: number): void;
  getParam(name: string): number;
  /** Runs `frames` samples; inputs and outputs are one array per inN / outN. */
  process(inputs: readonly ArrayLike<number>[], outputs: readonly Float64Array[], frames: number): void;
  /** gen~'s `reset`: Histories to their initial values, Data and Delays to zero; Params kept. */
  reset(): void;
  setSampleRate(sampleRate: number): void;
}

interface DataInfo {
  length: number;
  channels: number;
}

interface Scope {
  fn: FunctionDefinition | null;
  locals: Set<string>;
  assigned: Set<string>;
  /** Every name the scope assigns somewhere, to tell "read too early" from "unknown". */
  targets: Set<string>;
}

interface Compiled {
  js: string;
  isData: boolean;
}

const IN_NAME = /^in([1-9]\d*)$/;
const OUT_NAME = /^out([1-9]\d*)$/;

export function compileKernel(source: string, options: KernelOptions): Kernel {
  const program = parse(source);
  const compiler = new KernelCompiler(program);
  const factory = new Function('rt', compiler.generate()) as (runtime: Runtime) => Kernel;
  const kernel = factory(runtime);
  kernel.setSampleRate(options.sampleRate);
  kernel.reset();
  return kernel;
}

interface DataObject {
  ch: Float64Array[];
  n: number;
  c: number;
}

interface DelayObject {
  a: Float64Array;
  size: number;
  head: number;
  written: boolean;
}

interface Runtime {
  round(x: number): number;
  data(length: number, channels: number): DataObject;
  peek(d: DataObject, i: number, c: number): number;
  poke(d: DataObject, v: number, i: number, c: number): number;
  delayWrite(d: DelayObject, v: number): number;
  delayRead(d: DelayObject, t: number): number;
}

/** Whole indices inside the Data take the fast path; the rest are floored, and outside reads 0. */
function peekSlow(d: DataObject, i: number, c: number): number {
  const row = d.ch[Math.floor(c)];
  if (row === undefined) return 0;
  return row[Math.floor(i)] ?? 0;
}

function pokeSlow(d: DataObject, v: number, i: number, c: number): number {
  const row = d.ch[Math.floor(c)];
  const index = Math.floor(i);
  if (row !== undefined && index >= 0 && index < d.n) row[index] = v;
  return 0;
}

const runtime: Runtime = {
  round: (x) => (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5)),
  data: (length, channels) => ({ ch: Array.from({ length: channels }, () => new Float64Array(length)), n: length, c: channels }),
  peek(d, i, c) {
    const row = d.ch[c];
    if (row !== undefined) {
      const v = row[i];
      if (v !== undefined) return v;
    }
    return peekSlow(d, i, c);
  },
  poke(d, v, i, c) {
    const row = d.ch[c];
    if (row !== undefined && i >= 0 && i < d.n && Number.isInteger(i)) row[i] = v;
    else pokeSlow(d, v, i, c);
    return 0;
  },
  delayWrite(d, v) {
    d.a[d.head] = v;
    d.written = true;
    return 0;
  },
  delayRead(d, t) {
    const time = Math.min(Math.max(t, d.written ? 0 : 1), d.size - 1);
    const whole = Math.floor(time);
    const fraction = time - whole;
    const newer = d.a[(d.head - whole + d.size) % d.size];
    if (fraction === 0) return newer;
    const older = d.a[(d.head - whole - 1 + d.size) % d.size];
    return newer + (older - newer) * fraction;
  },
};

class KernelCompiler {
  private readonly params = new Map<string, ParamInfo>();
  private readonly histories = new Map<string, number>();
  private readonly data = new Map<string, DataInfo>();
  private readonly delays = new Map<string, number>();
  private readonly functions = new Map<string, FunctionDefinition>();
  private readonly returnCounts = new Map<string, number>();
  private readonly delayWrites = new Map<string, number>();
  /** Per function, the parameters that carry a Data (typed from their use, so calls are checked when compiled). */
  private readonly dataParams = new Map<string, Set<string>>();
  private inputs = 0;
  private outputs = 0;

  constructor(private readonly program: Program) {
    for (const declaration of program.declarations) this.declare(declaration);
    for (const fn of program.functions) {
      this.checkNewName(fn.name, fn);
      if (BUILTINS[fn.name] || DATA_OPERATORS.has(fn.name)) throw this.error(fn, `function ${fn.name} has the name of a gen~ operator`);
      this.functions.set(fn.name, fn);
    }
    for (const fn of program.functions) this.returnCounts.set(fn.name, this.countReturns(fn));
    this.inferDataParams();
  }

  private inferDataParams(): void {
    for (const fn of this.program.functions) this.dataParams.set(fn.name, new Set());
    let changed = true;
    while (changed) {
      changed = false;
      for (const fn of this.program.functions) {
        const marked = this.dataParams.get(fn.name)!;
        const mark = (e: Expression | undefined) => {
          if (e?.kind === 'name' && fn.params.includes(e.name) && !marked.has(e.name)) {
            marked.add(e.name);
            changed = true;
          }
        };
        forEachExpression(fn.body, (e) => {
          if (e.kind !== 'call') return;
          if (DATA_OPERATORS.has(e.name)) mark(e.args[0]);
          const callee = this.functions.get(e.name);
          if (callee) e.args.forEach((a, k) => this.dataParams.get(callee.name)?.has(callee.params[k]) && mark(a));
        });
      }
    }
  }

  generate(): string {
    const functionCode = this.program.functions.map((fn) => this.compileFunction(fn)).join('\n');
    const mainScope: Scope = { fn: null, locals: new Set(), assigned: new Set(), targets: assignedNames(this.program.body) };
    const body = this.block(this.program.body, mainScope);
    const outputs = Array.from({ length: this.outputs }, (_, k) => `let o_${k + 1} = 0;`).join(' ');
    const locals = [...mainScope.locals].filter((n) => !OUT_NAME.test(n)).map((n) => `let v_${n} = 0;`).join(' ');
    const readInputs = Array.from({ length: this.inputs }, (_, k) => `const in_${k + 1} = inputs[${k}][i];`).join(' ');
    const writeOutputs = Array.from({ length: this.outputs }, (_, k) => `outputs[${k}][i] = o_${k + 1};`).join(' ');
    const params = [...this.params.values()];
    const delays = [...this.delays.keys()];
    return `
"use strict";
const { peek, poke, round, delayWrite, delayRead } = rt;
let sr = 0;
${params.map((p) => `let p_${p.name} = ${p.defaultValue};`).join('\n')}
${[...this.histories.entries()].map(([n, v]) => `let h_${n} = ${v};`).join('\n')}
${[...this.data.entries()].map(([n, d]) => `const d_${n} = rt.data(${d.length}, ${d.channels});`).join('\n')}
${[...this.delays.entries()].map(([n, size]) => `const q_${n} = { a: new Float64Array(${size}), size: ${size}, head: 0, written: false };`).join('\n')}
${functionCode}
const params = ${JSON.stringify(params)};
return {
  inputs: ${this.inputs},
  outputs: ${this.outputs},
  params,
  setParam(name, value) {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new Error('GenExpr: Param ' + name + ' needs a number, got ' + value);
    switch (name) {
${params.map((p) => `      case ${JSON.stringify(p.name)}: p_${p.name} = Math.min(Math.max(value, ${p.min}), ${p.max}); return;`).join('\n')}
    }
    throw new Error('GenExpr: no Param named "' + name + '"');
  },
  getParam(name) {
    switch (name) {
${params.map((p) => `      case ${JSON.stringify(p.name)}: return p_${p.name};`).join('\n')}
    }
    throw new Error('GenExpr: no Param named "' + name + '"');
  },
  process(inputs, outputs, frames) {
    if (inputs.length < ${this.inputs} || outputs.length < ${this.outputs}) throw new Error('GenExpr: kernel needs ${this.inputs} inputs and ${this.outputs} outputs');
    for (let i = 0; i < frames; i++) {
      ${readInputs}
      ${outputs}
      ${locals}
      ${body}
      ${writeOutputs}
${delays.map((n) => `      q_${n}.head = (q_${n}.head + 1) % q_${n}.size; q_${n}.written = false;`).join('\n')}
    }
  },
  reset() {
${[...this.histories.entries()].map(([n, v]) => `    h_${n} = ${v};`).join('\n')}
${[...this.data.keys()].map((n) => `    for (const row of d_${n}.ch) row.fill(0);`).join('\n')}
${delays.map((n) => `    q_${n}.a.fill(0); q_${n}.head = 0; q_${n}.written = false;`).join('\n')}
  },
  setSampleRate(value) {
    if (!(value > 0)) throw new Error('GenExpr: sample rate must be positive, got ' + value);
    sr = value;
  },
};`;
  }

  // ---- declarations ----

  private declare(d: Declaration): void {
    this.checkNewName(d.name, d);
    const allowedNamed = d.kind === 'Param' ? ['min', 'max'] : [];
    for (const n of d.named) if (!allowedNamed.includes(n.name)) throw this.error(n, `${d.kind} takes no "${n.name}=" argument here`);
    const args = d.args.map((a) => this.constant(a));
    const named = Object.fromEntries(d.named.map((n) => [n.name, this.constant(n.value)]));
    const count = (max: number) => {
      if (args.length > max) throw this.error(d, `${d.kind} ${d.name} takes at most ${max} arguments, got ${args.length}`);
    };
    switch (d.kind) {
      case 'Param': {
        count(1);
        const defaultValue = args[0] ?? 0;
        const min = named.min ?? -Number.MAX_VALUE;
        const max = named.max ?? Number.MAX_VALUE;
        if (min > max) throw this.error(d, `Param ${d.name}: min ${min} is above max ${max}`);
        this.params.set(d.name, { name: d.name, defaultValue: Math.min(Math.max(defaultValue, min), max), min, max });
        break;
      }
      case 'History':
        count(1);
        this.histories.set(d.name, args[0] ?? 0);
        break;
      case 'Data': {
        count(2);
        const [length, channels = 1] = args;
        if (!(Number.isInteger(length) && length >= 1 && Number.isInteger(channels) && channels >= 1)) throw this.error(d, `Data ${d.name} needs a whole length and channel count ≥ 1`);
        this.data.set(d.name, { length, channels });
        break;
      }
      case 'Delay': {
        count(1);
        const size = Math.floor(args[0] ?? 0);
        if (!(size >= 2)) throw this.error(d, `Delay ${d.name} needs a length of at least 2 samples`);
        this.delays.set(d.name, size);
        break;
      }
    }
  }

  /** Declaration arguments: numbers and arithmetic on them and the named constants. */
  private constant(e: Expression): number {
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'name':
        if (e.name in CONSTANTS) return CONSTANTS[e.name];
        throw this.error(e, `"${e.name}" is not a constant a declaration can use`);
      case 'unary':
        return e.op === '-' ? -this.constant(e.operand) : e.op === '+' ? this.constant(e.operand) : Number(!this.constant(e.operand));
      case 'binary': {
        const a = this.constant(e.left);
        const b = this.constant(e.right);
        if (e.op === '+') return a + b;
        if (e.op === '-') return a - b;
        if (e.op === '*') return a * b;
        if (e.op === '/') return a / b;
        break;
      }
    }
    throw this.error(e, 'a declaration argument must be a constant');
  }

  private checkNewName(name: string, at: Position): void {
    if (RESERVED_NAMES.has(name)) throw this.error(at, `"${name}" is a gen~ operator or constant and cannot be a name`);
    if (IN_NAME.test(name) || OUT_NAME.test(name)) throw this.error(at, `"${name}" is an inlet or outlet`);
    if (this.params.has(name) || this.histories.has(name) || this.data.has(name) || this.delays.has(name) || this.functions.has(name)) {
      throw this.error(at, `"${name}" is declared twice`);
    }
  }

  // ---- functions ----

  private countReturns(fn: FunctionDefinition): number {
    let count = 0;
    let first: Position | null = null;
    const visit = (statements: Statement[]) => {
      for (const s of statements) {
        if (s.kind === 'return') {
          if (first && s.values.length !== count) throw this.error(s, `function ${fn.name} returns ${s.values.length} values here and ${count} at ${first.line}:${first.column}`);
          count = s.values.length;
          first = s;
        } else if (s.kind === 'if') {
          visit(s.then);
          visit(s.otherwise);
        } else if (s.kind === 'for' || s.kind === 'while') visit(s.body);
      }
    };
    visit(fn.body);
    return count;
  }

  private compileFunction(fn: FunctionDefinition): string {
    const seen = new Set<string>();
    for (const p of fn.params) {
      if (seen.has(p)) throw this.error(fn, `function ${fn.name} has two parameters named "${p}"`);
      if (RESERVED_NAMES.has(p)) throw this.error(fn, `parameter "${p}" of ${fn.name} is a gen~ operator or constant`);
      seen.add(p);
    }
    const scope: Scope = { fn, locals: new Set(), assigned: new Set(fn.params), targets: assignedNames(fn.body) };
    const body = this.block(fn.body, scope);
    const locals = [...scope.locals].filter((n) => !fn.params.includes(n)).map((n) => `let v_${n} = 0;`).join(' ');
    const count = this.returnCounts.get(fn.name) ?? 0;
    const results = count > 1 ? `const r_${fn.name} = new Float64Array(${count});` : '';
    return `${results}\nfunction f_${fn.name}(${fn.params.map((p) => `v_${p}`).join(', ')}) { ${locals} ${body} return 0; }`;
  }

  // ---- statements ----

  private block(statements: Statement[], scope: Scope): string {
    return statements.map((s) => this.statement(s, scope)).join('\n');
  }

  private statement(s: Statement, scope: Scope): string {
    switch (s.kind) {
      case 'assign':
        return `${this.assignment(s, scope)};`;
      case 'expression': {
        const e = s.expression;
        if (e.kind !== 'call' && e.kind !== 'method') throw this.error(s, 'an expression statement must be a call (its value would be thrown away)');
        return `${this.expression(e, scope).js};`;
      }
      case 'if': {
        const test = this.number(s.test, scope);
        const then = this.block(s.then, scope);
        const otherwise = s.otherwise.length > 0 ? ` else { ${this.block(s.otherwise, scope)} }` : '';
        return `if (${test}) { ${then} }${otherwise}`;
      }
      case 'for': {
        const init = s.init ? this.simple(s.init, scope) : '';
        const test = s.test ? this.number(s.test, scope) : '';
        const body = this.block(s.body, scope);
        const update = s.update ? this.simple(s.update, scope) : '';
        return `for (${init}; ${test}; ${update}) { ${body} }`;
      }
      case 'while':
        return `while (${this.number(s.test, scope)}) { ${this.block(s.body, scope)} }`;
      case 'return': {
        if (!scope.fn) throw this.error(s, '"return" outside a function');
        const values = s.values.map((v) => this.number(v, scope));
        if (values.length === 0) return 'return 0;';
        if (values.length === 1) return `return ${values[0]};`;
        const name = scope.fn.name;
        return `{ ${values.map((v, k) => `const t${k} = ${v};`).join(' ')} ${values.map((_, k) => `r_${name}[${k}] = t${k};`).join(' ')} return t0; }`;
      }
      case 'break':
      case 'continue':
        return `${s.kind};`;
    }
  }

  private simple(s: Statement, scope: Scope): string {
    if (s.kind === 'assign') return this.assignment(s, scope);
    if (s.kind === 'expression') return this.expression(s.expression, scope).js;
    throw this.error(s, 'only an assignment or a call can go in a for (…; …; …) header');
  }

  private assignment(s: Extract<Statement, { kind: 'assign' }>, scope: Scope): string {
    if (s.targets.length > 1) {
      const call = s.value;
      if (call.kind !== 'call' || !this.functions.has(call.name)) throw this.error(s, `assigning ${s.targets.length} names needs a call of a function that returns as many values`);
      const count = this.returnCounts.get(call.name) ?? 0;
      if (count < s.targets.length) throw this.error(s, `${call.name} returns ${count} value${count === 1 ? '' : 's'}, not ${s.targets.length}`);
      const value = this.expression(call, scope).js;
      const targets = s.targets.map((t) => this.target(t, scope));
      return `(${value}, ${targets.map((t, k) => `${t} = ${k === 0 ? `r_${call.name}[0]` : `r_${call.name}[${k}]`}`).join(', ')})`;
    }
    const [targetToken] = s.targets;
    const value = this.number(s.value, scope);
    if (s.op === '=') return `${this.target(targetToken, scope)} = ${value}`;
    const current = this.number({ kind: 'name', name: targetToken.name, line: targetToken.line, column: targetToken.column }, scope);
    return `${this.target(targetToken, scope)} = ${current} ${s.op[0]} (${value})`;
  }

  /** The JS variable an assignment writes; declares locals. */
  private target(t: { name: string } & Position, scope: Scope): string {
    const { name } = t;
    if (scope.fn?.params.includes(name)) {
      if (this.dataParams.get(scope.fn.name)!.has(name)) throw this.error(t, `${name} is a Data in ${scope.fn.name}; write it with poke`);
      return `v_${name}`;
    }
    if (!scope.fn) {
      if (this.params.has(name)) throw this.error(t, `Param ${name} cannot be assigned in the code; it is set by a message`);
      if (this.histories.has(name)) return `h_${name}`;
      if (this.data.has(name) || this.delays.has(name)) throw this.error(t, `${name} is a Data or Delay; write it with poke or .write`);
      const out = OUT_NAME.exec(name);
      if (out) {
        this.outputs = Math.max(this.outputs, Number(out[1]));
        scope.assigned.add(name);
        return `o_${out[1]}`;
      }
    }
    if (IN_NAME.test(name)) throw this.error(t, `inlet ${name} cannot be assigned`);
    if (OUT_NAME.test(name)) throw this.error(t, `outlet ${name} can only be assigned in the body, not in a function`);
    if (RESERVED_NAMES.has(name)) throw this.error(t, `"${name}" is a gen~ operator or constant and cannot be assigned`);
    if (scope.fn && this.isGlobal(name)) throw this.error(t, `${name} is not visible inside function ${scope.fn.name}: pass it as an argument`);
    scope.locals.add(name);
    scope.assigned.add(name);
    return `v_${name}`;
  }

  private isGlobal(name: string): boolean {
    return this.params.has(name) || this.histories.has(name) || this.data.has(name) || this.delays.has(name);
  }

  // ---- expressions ----

  private number(e: Expression, scope: Scope): string {
    const compiled = this.expression(e, scope);
    if (compiled.isData) throw this.error(e, 'a Data is not a number; read it with peek');
    return compiled.js;
  }

  private expression(e: Expression, scope: Scope): Compiled {
    const num = (js: string): Compiled => ({ js, isData: false });
    switch (e.kind) {
      case 'number':
        return num(String(e.value));
      case 'name':
        return this.name(e, scope);
      case 'unary': {
        const operand = this.number(e.operand, scope);
        if (e.op === '!') return num(`((${operand}) ? 0 : 1)`);
        return num(`(${e.op}(${operand}))`);
      }
      case 'binary': {
        const a = this.number(e.left, scope);
        const b = this.number(e.right, scope);
        switch (e.op) {
          case '&&':
          case '||':
            return num(`((${a}) ${e.op} (${b}) ? 1 : 0)`);
          case '==':
            return num(`((${a}) === (${b}) ? 1 : 0)`);
          case '!=':
            return num(`((${a}) !== (${b}) ? 1 : 0)`);
          case '<':
          case '<=':
          case '>':
          case '>=':
            return num(`((${a}) ${e.op} (${b}) ? 1 : 0)`);
          default:
            return num(`((${a}) ${e.op} (${b}))`);
        }
      }
      case 'ternary':
        return num(`((${this.number(e.test, scope)}) ? (${this.number(e.then, scope)}) : (${this.number(e.otherwise, scope)}))`);
      case 'call':
        return num(this.call(e, scope));
      case 'method':
        return num(this.method(e, scope));
    }
  }

  private name(e: Extract<Expression, { kind: 'name' }>, scope: Scope): Compiled {
    const { name } = e;
    if (scope.fn?.params.includes(name)) return { js: `v_${name}`, isData: this.dataParams.get(scope.fn.name)!.has(name) };
    if (scope.assigned.has(name)) return { js: OUT_NAME.test(name) && !scope.fn ? `o_${name.slice(3)}` : `v_${name}`, isData: false };
    if (scope.locals.has(name) || (scope.targets.has(name) && !this.isGlobal(name))) throw this.error(e, `"${name}" is read before it is assigned`);
    if (name === 'samplerate') return { js: 'sr', isData: false };
    if (name in CONSTANTS) return { js: String(CONSTANTS[name]), isData: false };
    if (this.isGlobal(name) || IN_NAME.test(name)) {
      if (scope.fn) throw this.error(e, `${name} is not visible inside function ${scope.fn.name}: pass it as an argument`);
      if (this.params.has(name)) return { js: `p_${name}`, isData: false };
      if (this.histories.has(name)) return { js: `h_${name}`, isData: false };
      if (this.data.has(name)) return { js: `d_${name}`, isData: true };
      if (this.delays.has(name)) throw this.error(e, `Delay ${name} is read with ${name}.read(time)`);
      const input = Number(IN_NAME.exec(name)![1]);
      this.inputs = Math.max(this.inputs, input);
      return { js: `in_${input}`, isData: false };
    }
    if (OUT_NAME.test(name)) throw this.error(e, `outlet ${name} is read before it is assigned`);
    throw this.error(e, `unknown name "${name}"`);
  }

  /** A Data argument: a declared Data in the body, or a function parameter (checked when run). */
  private dataArgument(e: Expression | undefined, scope: Scope, operator: string, at: Position): string {
    if (!e) throw this.error(at, `${operator} needs a Data as its first argument`);
    const compiled = this.expression(e, scope);
    if (!compiled.isData) throw this.error(e, `${operator} needs a Data as its first argument`);
    return compiled.js;
  }

  private call(e: Extract<Expression, { kind: 'call' }>, scope: Scope): string {
    if (e.named.length > 0) throw this.error(e.named[0], `${e.name}() takes no named arguments here`);
    const arity = (n: number[], what: string) => {
      if (!n.includes(e.args.length)) throw this.error(e, `${e.name} takes ${what}, got ${e.args.length}`);
    };
    if (DATA_OPERATORS.has(e.name)) {
      const data = this.dataArgument(e.args[0], scope, e.name, e);
      const rest = e.args.slice(1).map((a) => this.number(a, scope));
      switch (e.name) {
        case 'peek':
          arity([2, 3], '2 or 3 arguments (data, index[, channel])');
          return `peek(${data}, ${rest[0]}, ${rest[1] ?? 0})`;
        case 'poke':
          arity([3, 4], '3 or 4 arguments (data, value, index[, channel])');
          return `poke(${data}, ${rest[0]}, ${rest[1]}, ${rest[2] ?? 0})`;
        case 'dim':
          arity([1], '1 argument');
          return `${data}.n`;
        default:
          arity([1], '1 argument');
          return `${data}.c`;
      }
    }
    const builtin = BUILTINS[e.name];
    if (builtin) {
      arity([builtin.arity], `${builtin.arity} argument${builtin.arity === 1 ? '' : 's'}`);
      return builtin.js(e.args.map((a) => this.number(a, scope)));
    }
    const fn = this.functions.get(e.name);
    if (!fn) throw this.error(e, `unknown function or operator "${e.name}"`);
    if (scope.fn?.name === fn.name) throw this.error(e, `function ${fn.name} calls itself; gen~ has no recursion`);
    arity([fn.params.length], `${fn.params.length} argument${fn.params.length === 1 ? '' : 's'}`);
    const wantsData = this.dataParams.get(fn.name)!;
    const args = e.args.map((a, k) => {
      if (!wantsData.has(fn.params[k])) return this.number(a, scope);
      const compiled = this.expression(a, scope);
      if (!compiled.isData) throw this.error(a, `argument ${k + 1} of ${fn.name} (${fn.params[k]}) must be a Data`);
      return compiled.js;
    });
    return `f_${fn.name}(${args.join(', ')})`;
  }

  private method(e: Extract<Expression, { kind: 'method' }>, scope: Scope): string {
    if (!this.delays.has(e.object)) throw this.error(e, `"${e.object}" has no methods (only a Delay has read and write)`);
    if (scope.fn) throw this.error(e, `Delay ${e.object} is not visible inside function ${scope.fn.name}`);
    const args = e.args.map((a) => this.number(a, scope));
    if (e.method === 'write') {
      if (args.length !== 1) throw this.error(e, `${e.object}.write takes 1 argument, got ${args.length}`);
      const writes = (this.delayWrites.get(e.object) ?? 0) + 1;
      if (writes > 1) throw this.error(e, `Delay ${e.object} is written twice; gen~ allows one write per Delay`);
      this.delayWrites.set(e.object, writes);
      return `delayWrite(q_${e.object}, ${args[0]})`;
    }
    if (e.method === 'read') {
      if (args.length !== 1) throw this.error(e, `${e.object}.read takes 1 argument (the delay in samples), got ${args.length}`);
      return `delayRead(q_${e.object}, ${args[0]})`;
    }
    throw this.error(e, `Delay has no method "${e.method}" (read or write)`);
  }

  private error(at: Position, message: string): GenExprError {
    return new GenExprError(message, at.line, at.column);
  }
}

/** Calls `visit` on every expression in `statements`, depth first. */
function forEachExpression(statements: Statement[], visit: (e: Expression) => void): void {
  const expression = (e: Expression): void => {
    visit(e);
    switch (e.kind) {
      case 'unary':
        expression(e.operand);
        break;
      case 'binary':
        expression(e.left);
        expression(e.right);
        break;
      case 'ternary':
        expression(e.test);
        expression(e.then);
        expression(e.otherwise);
        break;
      case 'call':
        e.args.forEach(expression);
        e.named.forEach((n) => expression(n.value));
        break;
      case 'method':
        e.args.forEach(expression);
        break;
    }
  };
  const statement = (s: Statement): void => {
    switch (s.kind) {
      case 'assign':
        expression(s.value);
        break;
      case 'expression':
        expression(s.expression);
        break;
      case 'if':
        expression(s.test);
        s.then.forEach(statement);
        s.otherwise.forEach(statement);
        break;
      case 'for':
        if (s.init) statement(s.init);
        if (s.test) expression(s.test);
        if (s.update) statement(s.update);
        s.body.forEach(statement);
        break;
      case 'while':
        expression(s.test);
        s.body.forEach(statement);
        break;
      case 'return':
        s.values.forEach(expression);
        break;
    }
  };
  statements.forEach(statement);
}

function assignedNames(statements: Statement[]): Set<string> {
  const names = new Set<string>();
  const visit = (s: Statement): void => {
    if (s.kind === 'assign') s.targets.forEach((t) => names.add(t.name));
    if (s.kind === 'if') [...s.then, ...s.otherwise].forEach(visit);
    if (s.kind === 'for') [s.init, s.update, ...s.body].forEach((x) => x && visit(x));
    if (s.kind === 'while') s.body.forEach(visit);
  };
  statements.forEach(visit);
  return names;
}
