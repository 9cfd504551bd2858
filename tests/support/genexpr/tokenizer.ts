/**
 * GenExpr tokens. Test tooling: it accepts the subset of gen~'s GenExpr language the LiveBlend
 * kernels use and names the line and column of anything else.
 */

export type TokenKind = 'number' | 'identifier' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  value: number;
  line: number;
  column: number;
}

export class GenExprError extends Error {
  constructor(message: string, line: number, column: number) {
    super(`${line}:${column}: ${message}`);
    this.name = 'GenExprError';
  }
}

// Longest first, so "<=" is not read as "<" then "=".
const PUNCTUATION = ['+=', '-=', '*=', '/=', '==', '!=', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '=', '<', '>', '!', '?', ':', '(', ')', '{', '}', ',', ';', '.'];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const column = (at: number) => at - lineStart + 1;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new GenExprError('unterminated /* comment', line, column(i));
      for (let j = i; j < end; j++) {
        if (source[j] === '\n') {
          line++;
          lineStart = j + 1;
        }
      }
      i = end + 2;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i, i + 64));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], value: Number(number[0]), line, column: column(i) });
      i += number[0].length;
      continue;
    }
    const identifier = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256));
    if (identifier) {
      tokens.push({ kind: 'identifier', text: identifier[0], value: 0, line, column: column(i) });
      i += identifier[0].length;
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (!punct) throw new GenExprError(`unexpected character "${ch}"`, line, column(i));
    tokens.push({ kind: 'punct', text: punct, value: 0, line, column: column(i) });
    i += punct.length;
  }
  tokens.push({ kind: 'end', text: 'end of code', value: 0, line, column: column(i) });
  return tokens;
}
