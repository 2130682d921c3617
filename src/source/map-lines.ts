import { tokenize, type Token } from './lexer.js';

/** What a source line does to a map, as far as its Go source tells (docs/attribution.md §9 evidence "source"). */
export interface LineOp {
  /** Source cannot tell growth from assignment: only create, assign or clone. */
  readonly phase: 'create' | 'assign' | 'clone';
  /** The line also allocates something that is not the map (its bytes are counted whole). */
  readonly mixed: boolean;
}

/**
 * The map operations of one package's files: path → line → op. Names known to be maps come from
 * every file of the package (a struct field declared in one file, assigned in another).
 */
export function mapLines(files: ReadonlyArray<{ readonly path: string; readonly text: string }>): Map<string, Map<number, LineOp>> {
  const tokens = files.map((f) => tokenize(f.text));
  const mapTypes = new Set<string>();
  for (const t of tokens) collectMapTypes(t, mapTypes);
  const mapNames = new Set<string>();
  for (const t of tokens) collectMapNames(t, mapTypes, mapNames);
  return new Map(files.map((f, i) => [f.path, lineOps(tokens[i], mapTypes, mapNames)]));
}

const is = (t: Token | undefined, text: string): boolean => t !== undefined && t.text === text && t.kind !== 'string' && t.kind !== 'rune';
const isIdent = (t: Token | undefined): t is Token => t !== undefined && t.kind === 'ident';

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
function closing(t: readonly Token[], open: number): number {
  let table = closers.get(t);
  if (table === undefined) closers.set(t, (table = closerTable(t)));
  return table[open];
}

/**
 * Index after the Go type starting at i, or -1 when no type starts there. Prefixes (pointers,
 * slices, arrays, maps, channels, func results) are walked in a loop, not by recursion: a crafted
 * file of 100,000 stars must not exhaust the stack.
 */
function skipType(t: readonly Token[], start: number): number {
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

/** Where an expression can start: a composite literal here is a value, not a type or a body. */
function exprStart(prev: Token | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.kind === 'keyword') return ['return', 'case', 'go', 'defer', 'range'].includes(prev.text);
  return prev.kind === 'op' && ![')', ']', '}', '.'].includes(prev.text);
}

/** `type T map[…]…` and `type ( T map[…]… )`. */
function collectMapTypes(t: readonly Token[], out: Set<string>): void {
  let groupDepth = -1;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (is(t[i], '(')) depth++;
    if (is(t[i], ')') && --depth < groupDepth) groupDepth = -1;
    if (is(t[i], 'type') && is(t[i + 1], '(')) groupDepth = depth + 1;
    const declared = is(t[i - 1], 'type') || (groupDepth >= 0 && depth === groupDepth);
    if (declared && isIdent(t[i])) {
      const k = is(t[i + 1], '=') ? i + 2 : i + 1;
      if (is(t[k], 'map')) out.add(t[i].text);
    }
  }
}

/** A map type: `map[…]…` or a named map type. */
function isMapType(t: readonly Token[], i: number, mapTypes: ReadonlySet<string>): boolean {
  return is(t[i], 'map') || (isIdent(t[i]) && mapTypes.has(t[i].text) && !is(t[i + 1], '.'));
}

/** An expression that makes a map: make(map…), make(T), map[…]…{…}, T{…}. */
function makesMap(t: readonly Token[], i: number, mapTypes: ReadonlySet<string>): boolean {
  if (is(t[i], 'make') && is(t[i + 1], '(')) return isMapType(t, i + 2, mapTypes);
  if (is(t[i], 'map')) return is(t[skipType(t, i)], '{');
  return isIdent(t[i]) && mapTypes.has(t[i].text) && is(t[i + 1], '{');
}

/**
 * Names declared or assigned as maps: `x map[…]…` (var, field, parameter: two names side by
 * side happen only in declarations), `x := make(map…)`, `x = map[…]…{}`, `x: make(map…)`.
 */
function collectMapNames(t: readonly Token[], mapTypes: ReadonlySet<string>, out: Set<string>): void {
  for (let i = 1; i < t.length; i++) {
    if (isMapType(t, i, mapTypes) && isIdent(t[i - 1])) {
      for (let k = i - 1; isIdent(t[k]); k -= 2) {
        out.add(t[k].text);
        if (!is(t[k - 1], ',')) break;
      }
    }
    if (isIdent(t[i - 1]) && (is(t[i], ':=') || is(t[i], '=') || is(t[i], ':')) && makesMap(t, i + 1, mapTypes)) out.add(t[i - 1].text);
  }
}

const ASSIGN = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '&^=', '++', '--']);
const STATEMENT_END = new Set([';', '{', '}']);

function lineOps(t: readonly Token[], mapTypes: ReadonlySet<string>, mapNames: ReadonlySet<string>): Map<number, LineOp> {
  const found = new Map<number, { create: boolean; assign: boolean; clone: boolean; other: boolean }>();
  const at = (line: number) => {
    let f = found.get(line);
    if (f === undefined) {
      f = { create: false, assign: false, clone: false, other: false };
      found.set(line, f);
    }
    return f;
  };
  for (let i = 0; i < t.length; i++) {
    const tok = t[i];
    const prev = t[i - 1];
    if (is(tok, 'maps') && is(t[i + 1], '.') && isIdent(t[i + 2]) && is(t[i + 3], '(')) {
      if (t[i + 2].text === 'Clone') at(tok.line).clone = true;
      if (t[i + 2].text === 'Copy') at(tok.line).assign = true;
    } else if (is(tok, 'make') && is(t[i + 1], '(')) {
      if (isMapType(t, i + 2, mapTypes)) at(tok.line).create = true;
      else at(tok.line).other = true;
    } else if ((is(tok, 'map') || (isIdent(tok) && mapTypes.has(tok.text))) && exprStart(prev) && makesMap(t, i, mapTypes)) {
      at(tok.line).create = true;
    } else if (isIdent(tok) && mapNames.has(tok.text) && is(t[i + 1], '[') && assignedTo(t, closing(t, i + 1))) {
      at(tok.line).assign = true;
    } else if (allocates(t, i)) {
      at(tok.line).other = true;
    }
  }
  const ops = new Map<number, LineOp>();
  for (const [line, f] of found) {
    // docs/attribution.md §4 order: clone before create before assign.
    const phase = f.clone ? 'clone' : f.create ? 'create' : f.assign ? 'assign' : null;
    if (phase !== null) ops.set(line, { phase, mixed: f.other });
  }
  return ops;
}

/** A statement's tokens before its assignment operator: more is not Go anyone writes. */
const MAX_LHS_TOKENS = 1000;

/** `m[k] = …`, `m[k] += …`, `m[k]++`, or `m[k], x = …`: the element is written. */
function assignedTo(t: readonly Token[], after: number): boolean {
  let depth = 0;
  for (let k = after; k < t.length && k < after + MAX_LHS_TOKENS; k++) {
    const tok = t[k];
    if (tok.kind !== 'op') continue;
    if (depth === 0 && ASSIGN.has(tok.text)) return true;
    if (depth === 0 && (tok.text === ':=' || STATEMENT_END.has(tok.text) || (k > after && tok.line !== t[after - 1].line))) return false;
    if (k === after && tok.text !== ',') return false;
    if (tok.text === '(' || tok.text === '[') depth++;
    if (tok.text === ')' || tok.text === ']') depth--;
  }
  return false;
}

/** Other allocations a line can make itself: new, append, &T{…}, []T{…}, conversions to string or bytes, closures, string concatenation. */
function allocates(t: readonly Token[], i: number): boolean {
  const tok = t[i];
  if ((is(tok, 'new') || is(tok, 'append')) && is(t[i + 1], '(')) return true;
  if (is(tok, '&') && exprStart(t[i - 1])) {
    const end = skipType(t, i + 1);
    return end > 0 && is(t[end], '{');
  }
  if (is(tok, '[') && is(t[i + 1], ']') && exprStart(t[i - 1])) {
    const end = skipType(t, i);
    return end > 0 && (is(t[end], '{') || is(t[end], '('));
  }
  if (is(tok, 'string') && tok.kind === 'ident' && is(t[i + 1], '(') && exprStart(t[i - 1])) return true;
  if (is(tok, 'func') && is(t[i + 1], '(') && exprStart(t[i - 1])) return true;
  if (tok.kind === 'string' && (is(t[i + 1], '+') || is(t[i - 1], '+'))) return true;
  return false;
}
