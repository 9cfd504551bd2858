import { GenExprError, tokenize, type Token } from './tokenizer';

/** GenExpr syntax tree: declarations and functions first, then the per-sample body. */

export interface Position {
  line: number;
  column: number;
}

export type Expression =
  | ({ kind: 'number'; value: number } & Position)
  | ({ kind: 'name'; name: string } & Position)
  | ({ kind: 'unary'; op: '-' | '!' | '+'; operand: Expression } & Position)
  | ({ kind: 'binary'; op: string; left: Expression; right: Expression } & Position)
  | ({ kind: 'ternary'; test: Expression; then: Expression; otherwise: Expression } & Position)
  | ({ kind: 'call'; name: string; args: Expression[]; named: NamedArgument[] } & Position)
  | ({ kind: 'method'; object: string; method: string; args: Expression[] } & Position);

export interface NamedArgument extends Position {
  name: string;
  value: Expression;
}

export type Statement =
  | ({ kind: 'assign'; targets: ({ name: string } & Position)[]; op: '=' | '+=' | '-=' | '*=' | '/='; value: Expression } & Position)
  | ({ kind: 'expression'; expression: Expression } & Position)
  | ({ kind: 'if'; test: Expression; then: Statement[]; otherwise: Statement[] } & Position)
  | ({ kind: 'for'; init: Statement | null; test: Expression | null; update: Statement | null; body: Statement[] } & Position)
  | ({ kind: 'while'; test: Expression; body: Statement[] } & Position)
  | ({ kind: 'return'; values: Expression[] } & Position)
  | ({ kind: 'break' } & Position)
  | ({ kind: 'continue' } & Position);

export type DeclarationKind = 'Param' | 'History' | 'Data' | 'Delay';

export interface Declaration extends Position {
  kind: DeclarationKind;
  name: string;
  args: Expression[];
  named: NamedArgument[];
}

export interface FunctionDefinition extends Position {
  name: string;
  params: string[];
  body: Statement[];
}

export interface Program {
  declarations: Declaration[];
  functions: FunctionDefinition[];
  body: Statement[];
}

const DECLARATION_KINDS = new Set<string>(['Param', 'History', 'Data', 'Delay']);
const KEYWORDS = new Set(['if', 'else', 'for', 'while', 'return', 'break', 'continue', ...DECLARATION_KINDS]);
const ASSIGNMENT_OPS = new Set(['=', '+=', '-=', '*=', '/=']);

/** Binary operators by precedence, loosest first (C's order). */
const BINARY_LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

export function parse(source: string): Program {
  return new Parser(tokenize(source)).program();
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  program(): Program {
    const program: Program = { declarations: [], functions: [], body: [] };
    while (!this.isEnd()) {
      const token = this.peek();
      if (token.kind === 'identifier' && DECLARATION_KINDS.has(token.text)) {
        if (program.body.length > 0) throw this.error(token, `${token.text} ${this.peek(1).text} is declared after the first statement; gen~ wants declarations at the top`);
        program.declarations.push(this.declaration());
      } else if (this.startsFunction()) {
        if (program.body.length > 0) throw this.error(token, `function ${token.text} is defined after the first statement; define functions above the body`);
        program.functions.push(this.functionDefinition());
      } else {
        program.body.push(this.statement());
      }
    }
    return program;
  }

  private startsFunction(): boolean {
    if (this.peek().kind !== 'identifier' || KEYWORDS.has(this.peek().text) || !this.isPunct('(', 1)) return false;
    let depth = 0;
    for (let j = this.at + 1; j < this.tokens.length; j++) {
      const t = this.tokens[j];
      if (t.kind === 'punct' && t.text === '(') depth++;
      if (t.kind === 'punct' && t.text === ')' && --depth === 0) return this.tokens[j + 1]?.kind === 'punct' && this.tokens[j + 1].text === '{';
    }
    return false;
  }

  private declaration(): Declaration {
    const kindToken = this.next();
    const name = this.expectIdentifier('a name after ' + kindToken.text);
    const args: Expression[] = [];
    const named: NamedArgument[] = [];
    if (this.acceptPunct('(')) this.argumentList(args, named);
    this.expectPunct(';');
    return { kind: kindToken.text as DeclarationKind, name: name.text, args, named, line: kindToken.line, column: kindToken.column };
  }

  private functionDefinition(): FunctionDefinition {
    const name = this.next();
    this.expectPunct('(');
    const params: string[] = [];
    if (!this.acceptPunct(')')) {
      do params.push(this.expectIdentifier('a parameter name').text);
      while (this.acceptPunct(','));
      this.expectPunct(')');
    }
    return { name: name.text, params, body: this.block(), line: name.line, column: name.column };
  }

  private block(): Statement[] {
    this.expectPunct('{');
    const body: Statement[] = [];
    while (!this.acceptPunct('}')) {
      if (this.isEnd()) throw this.error(this.peek(), 'missing "}"');
      body.push(this.statement());
    }
    return body;
  }

  /** A braced block or a single statement (as after if, else, for and while). */
  private body(): Statement[] {
    return this.isPunct('{') ? this.block() : [this.statement()];
  }

  private statement(): Statement {
    const token = this.peek();
    if (token.kind === 'identifier') {
      switch (token.text) {
        case 'if': {
          this.next();
          this.expectPunct('(');
          const test = this.expression();
          this.expectPunct(')');
          const then = this.body();
          let otherwise: Statement[] = [];
          if (this.peek().kind === 'identifier' && this.peek().text === 'else') {
            this.next();
            otherwise = this.body();
          }
          return { kind: 'if', test, then, otherwise, line: token.line, column: token.column };
        }
        case 'for': {
          this.next();
          this.expectPunct('(');
          const init = this.isPunct(';') ? null : this.simpleStatement();
          this.expectPunct(';');
          const test = this.isPunct(';') ? null : this.expression();
          this.expectPunct(';');
          const update = this.isPunct(')') ? null : this.simpleStatement();
          this.expectPunct(')');
          return { kind: 'for', init, test, update, body: this.body(), line: token.line, column: token.column };
        }
        case 'while': {
          this.next();
          this.expectPunct('(');
          const test = this.expression();
          this.expectPunct(')');
          return { kind: 'while', test, body: this.body(), line: token.line, column: token.column };
        }
        case 'return': {
          this.next();
          const values: Expression[] = [];
          if (!this.isPunct(';')) {
            do values.push(this.expression());
            while (this.acceptPunct(','));
          }
          this.expectPunct(';');
          return { kind: 'return', values, line: token.line, column: token.column };
        }
        case 'break':
        case 'continue':
          this.next();
          this.expectPunct(';');
          return { kind: token.text, line: token.line, column: token.column };
        case 'else':
          throw this.error(token, '"else" without an "if"');
        default:
          if (DECLARATION_KINDS.has(token.text)) throw this.error(token, `${token.text} must be declared at the top level, above the body`);
      }
    }
    const statement = this.simpleStatement();
    this.expectPunct(';');
    return statement;
  }

  /** An assignment (possibly to several names, from a function returning several values) or an expression. */
  private simpleStatement(): Statement {
    const start = this.peek();
    if (start.kind === 'identifier' && !KEYWORDS.has(start.text)) {
      const targets: ({ name: string } & Position)[] = [];
      let j = this.at;
      for (;;) {
        const t = this.tokens[j];
        if (t.kind !== 'identifier') break;
        const after = this.tokens[j + 1];
        if (after.kind === 'punct' && after.text === ',') {
          targets.push({ name: t.text, line: t.line, column: t.column });
          j += 2;
          continue;
        }
        if (after.kind === 'punct' && ASSIGNMENT_OPS.has(after.text)) {
          targets.push({ name: t.text, line: t.line, column: t.column });
          this.at = j + 2;
          const op = after.text as '=' | '+=' | '-=' | '*=' | '/=';
          if (targets.length > 1 && op !== '=') throw this.error(after, `"${op}" cannot assign several names at once`);
          return { kind: 'assign', targets, op, value: this.expression(), line: start.line, column: start.column };
        }
        break;
      }
    }
    return { kind: 'expression', expression: this.expression(), line: start.line, column: start.column };
  }

  private expression(): Expression {
    const test = this.binary(0);
    if (!this.isPunct('?')) return test;
    const token = this.next();
    const then = this.expression();
    this.expectPunct(':');
    const otherwise = this.expression();
    return { kind: 'ternary', test, then, otherwise, line: token.line, column: token.column };
  }

  private binary(level: number): Expression {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'punct' || !BINARY_LEVELS[level].includes(token.text)) return left;
      this.next();
      const right = this.binary(level + 1);
      left = { kind: 'binary', op: token.text, left, right, line: token.line, column: token.column };
    }
  }

  private unary(): Expression {
    const token = this.peek();
    if (token.kind === 'punct' && (token.text === '-' || token.text === '!' || token.text === '+')) {
      this.next();
      return { kind: 'unary', op: token.text, operand: this.unary(), line: token.line, column: token.column };
    }
    return this.primary();
  }

  private primary(): Expression {
    const token = this.next();
    if (token.kind === 'number') return { kind: 'number', value: token.value, line: token.line, column: token.column };
    if (token.kind === 'punct' && token.text === '(') {
      const inner = this.expression();
      this.expectPunct(')');
      return inner;
    }
    if (token.kind === 'identifier' && !KEYWORDS.has(token.text)) {
      if (this.acceptPunct('(')) {
        const args: Expression[] = [];
        const named: NamedArgument[] = [];
        this.argumentList(args, named);
        return { kind: 'call', name: token.text, args, named, line: token.line, column: token.column };
      }
      if (this.acceptPunct('.')) {
        const method = this.expectIdentifier('a method name after "."');
        this.expectPunct('(');
        const args: Expression[] = [];
        const named: NamedArgument[] = [];
        this.argumentList(args, named);
        if (named.length > 0) throw this.error(named[0], `${token.text}.${method.text}() takes no named arguments here`);
        return { kind: 'method', object: token.text, method: method.text, args, line: token.line, column: token.column };
      }
      return { kind: 'name', name: token.text, line: token.line, column: token.column };
    }
    throw this.error(token, `unexpected ${describe(token)}`);
  }

  /** Arguments up to and including ")"; `name=value` pairs are named arguments (Param min=, max=). */
  private argumentList(args: Expression[], named: NamedArgument[]): void {
    if (this.acceptPunct(')')) return;
    do {
      const token = this.peek();
      if (token.kind === 'identifier' && this.isPunct('=', 1)) {
        this.at += 2;
        named.push({ name: token.text, value: this.expression(), line: token.line, column: token.column });
      } else {
        if (named.length > 0) throw this.error(token, 'a positional argument after a named one');
        args.push(this.expression());
      }
    } while (this.acceptPunct(','));
    this.expectPunct(')');
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.at++;
    return token;
  }

  private isEnd(): boolean {
    return this.peek().kind === 'end';
  }

  private isPunct(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'punct' && token.text === text;
  }

  private acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.at++;
    return true;
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) throw this.error(this.peek(), `expected "${text}" but found ${describe(this.peek())}`);
  }

  private expectIdentifier(what: string): Token {
    const token = this.next();
    if (token.kind !== 'identifier' || KEYWORDS.has(token.text)) throw this.error(token, `expected ${what} but found ${describe(token)}`);
    return token;
  }

  private error(at: Position, message: string): GenExprError {
    return new GenExprError(message, at.line, at.column);
  }
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the code' : `"${token.text}"`;
}
