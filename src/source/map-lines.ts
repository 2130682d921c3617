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

/** Index after the bracket that closes the one at `open`. */
function closing(t: readonly Token[], open: number): number {
  const pair: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const close = pair[t[open].text];
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (is(t[i], t[open].text)) depth++;
    else if (is(t[i], close) && --depth === 0) return i + 1;
  }
  return t.length;
}

/** Index after the Go type starting at i, or -1 when no type starts there. */
function skipType(t: readonly Token[], i: number): number {
  const tok = t[i];
  if (tok === undefined) return -1;
  if (tok.kind === 'ident') {
    let k = i + 1;
    if (is(t[k], '.') && isIdent(t[k + 1])) k += 2;
    if (is(t[k], '[') && !is(t[k + 1], ']')) k = closing(t, k); // generic instantiation
    return k;
  }
  switch (tok.text) {
    case '*':
      return skipType(t, i + 1);
    case '(':
      return closing(t, i);
    case '[':
      return skipType(t, closing(t, i));
    case 'map':
      return is(t[i + 1], '[') ? skipType(t, closing(t, i + 1)) : -1;
    case 'chan':
      return skipType(t, is(t[i + 1], '<-') ? i + 2 : i + 1);
    case '<-':
      return is(t[i + 1], 'chan') ? skipType(t, i + 2) : -1;
    case 'struct':
    case 'interface':
      return is(t[i + 1], '{') ? closing(t, i + 1) : -1;
    case 'func': {
      if (!is(t[i + 1], '(')) return -1;
      const k = closing(t, i + 1);
      if (is(t[k], '(')) return closing(t, k);
      const result = is(t[k], '{') ? -1 : skipType(t, k);
      return result < 0 ? k : result;
    }
    default:
      return -1;
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

/** `m[k] = …`, `m[k] += …`, `m[k]++`, or `m[k], x = …`: the element is written. */
function assignedTo(t: readonly Token[], after: number): boolean {
  let depth = 0;
  for (let k = after; k < t.length; k++) {
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
