import type { Token } from './lexer.js';

/** Reading Go syntax from tokens: brackets and types, each in linear time. */

export const is = (t: Token | undefined, text: string): boolean =>
  t !== undefined && t.text === text && t.kind !== 'string' && t.kind !== 'rune';
export const isIdent = (t: Token | undefined): t is Token => t !== undefined && t.kind === 'ident';

const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Per token, the index after the bracket that closes it (each kind nested on its own, an unclosed
 * one closing at the end): computed once per file, so that finding a closer is O(1) and a file of
 * unclosed brackets is read in linear time.
 */
const closers = new WeakMap<readonly Token[], Int32Array>();

function closerTable(t: readonly Token[]): Int32Array {
  const table = new Int32Array(t.length).fill(t.length);
  const open: Record<string, number[]> = { '(': [], '[': [], '{': [] };
  const opener: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  t.forEach((tok, i) => {
    if (tok.kind !== 'op') return;
    if (tok.text in PAIRS) open[tok.text].push(i);
    else if (tok.text in opener) {
      const at = open[opener[tok.text]].pop();
      if (at !== undefined) table[at] = i + 1;
    }
  });
  return table;
}

/** Index after the bracket that closes the one at `open`. */
export function closing(t: readonly Token[], open: number): number {
  let table = closers.get(t);
  if (table === undefined) closers.set(t, (table = closerTable(t)));
  return table[open];
}

/**
 * Index after the Go type starting at i, or -1 when no type starts there. Prefixes (pointers,
 * slices, arrays, maps, channels, func results) are walked in a loop, not by recursion: a crafted
 * file of 100,000 stars must not exhaust the stack.
 */
export function skipType(t: readonly Token[], start: number): number {
  let i = start;
  // Past a func type's parameters, the index to fall back on when no result type follows.
  let funcEnd = -1;
  const none = () => funcEnd;
  for (;;) {
    const tok = t[i];
    if (tok === undefined) return none();
    if (tok.kind === 'ident') {
      let k = i + 1;
      if (is(t[k], '.') && isIdent(t[k + 1])) k += 2;
      if (is(t[k], '[') && !is(t[k + 1], ']')) k = closing(t, k); // generic instantiation
      return k;
    }
    switch (tok.text) {
      case '*':
        i++;
        continue;
      case '[':
        i = closing(t, i);
        continue;
      case 'map':
        if (!is(t[i + 1], '[')) return none();
        i = closing(t, i + 1);
        continue;
      case 'chan':
        i = is(t[i + 1], '<-') ? i + 2 : i + 1;
        continue;
      case '<-':
        if (!is(t[i + 1], 'chan')) return none();
        i += 2;
        continue;
      case '(':
        return closing(t, i);
      case 'struct':
      case 'interface':
        return is(t[i + 1], '{') ? closing(t, i + 1) : none();
      case 'func': {
        if (!is(t[i + 1], '(')) return none();
        const k = closing(t, i + 1);
        if (is(t[k], '(')) return closing(t, k);
        if (is(t[k], '{')) return k; // a body: no result type
        funcEnd = k;
        i = k;
        continue;
      }
      default:
        return none();
    }
  }
}
