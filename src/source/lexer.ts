/**
 * A Go tokenizer, just enough to read source lines safely: comments, interpreted and raw strings
 * and runes are single tokens (so `m[k] = 1` inside a string or comment is never code), every
 * token knows its line. Not a full scanner: numbers are loose, no automatic semicolons.
 */
export type TokenKind = 'ident' | 'keyword' | 'op' | 'string' | 'rune' | 'number';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
}

const KEYWORDS = new Set([
  'break',
  'case',
  'chan',
  'const',
  'continue',
  'default',
  'defer',
  'else',
  'fallthrough',
  'for',
  'func',
  'go',
  'goto',
  'if',
  'import',
  'interface',
  'map',
  'package',
  'range',
  'return',
  'select',
  'struct',
  'switch',
  'type',
  'var',
]);

// Longest first, so that ":=" wins over ":" and "<<=" over "<<".
const OPERATORS = [
  '<<=',
  '>>=',
  '&^=',
  '...',
  '&&',
  '||',
  '<-',
  '++',
  '--',
  '==',
  '!=',
  '<=',
  '>=',
  ':=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '<<',
  '>>',
  '&^',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '<',
  '>',
  '=',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  ';',
  '.',
  ':',
  '~',
];

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{Nd}_]/u;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (source[k] === '\n') line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < n && source[k] !== c && source[k] !== '\n') k += source[k] === '\\' ? 2 : 1;
      tokens.push({ kind: c === '"' ? 'string' : 'rune', text: source.slice(i, k + 1), line });
      i = k + 1;
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      const stop = end < 0 ? n : end + 1;
      tokens.push({ kind: 'string', text: source.slice(i, stop), line });
      for (let k = i; k < stop; k++) if (source[k] === '\n') line++;
      i = stop;
    } else if (IDENT_START.test(c)) {
      let k = i + 1;
      while (k < n && IDENT_PART.test(source[k])) k++;
      const text = source.slice(i, k);
      tokens.push({ kind: KEYWORDS.has(text) ? 'keyword' : 'ident', text, line });
      i = k;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      let k = i + 1;
      while (k < n && /[0-9a-zA-Z_.]/.test(source[k])) k++;
      tokens.push({ kind: 'number', text: source.slice(i, k), line });
      i = k;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i)) ?? c;
      tokens.push({ kind: 'op', text: op, line });
      i += op.length;
    }
  }
  return tokens;
}
