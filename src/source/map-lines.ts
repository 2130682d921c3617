import { tokenize, type Token } from './lexer.js';
import type { TypeLayout } from '../go/type-layout.js';
import { closing, is, isIdent, skipType } from './syntax.js';
import { PackageTypes } from './types.js';

/** What a source line does to a map, as far as its Go source tells (docs/attribution.md §9 evidence "source"). */
export interface LineOp {
  /** Source cannot tell growth from assignment: only create, assign or clone. */
  readonly phase: 'create' | 'assign' | 'clone';
  /** The line also allocates something that is not the map (its bytes are counted whole). */
  readonly mixed: boolean;
  /** The map's key and elem layouts, when its declared type can be sized; null otherwise. */
  readonly types: MapOperands | null;
}

export interface MapOperands {
  readonly key: TypeLayout;
  readonly elem: TypeLayout;
  /**
   * The key and elem types as the source spells them ("string", "[]byte", "*Entry"); null where
   * a line's operations name types of one layout but different spellings.
   */
  readonly keyName: string | null;
  readonly elemName: string | null;
}

/**
 * The map operations of one package's files: path → line → op. Names known to be maps come from
 * every file of the package (a struct field declared in one file, assigned in another).
 */
export function mapLines(
  files: ReadonlyArray<{ readonly path: string; readonly text: string }>,
): Map<string, Map<number, LineOp>> {
  const tokens = files.map((f) => tokenize(f.text));
  const mapTypes = new Set<string>();
  for (const t of tokens) collectMapTypes(t, mapTypes);
  const mapNames = new Map<string, TypeAt>();
  for (const t of tokens) collectMapNames(t, mapTypes, mapNames);
  const operands = mapOperands(new PackageTypes(tokens));
  return new Map(files.map((f, i) => [f.path, lineOps(tokens[i], mapTypes, mapNames, operands)]));
}

/** Where a name's map type is written: tokens and the index its type starts at. */
interface TypeAt {
  readonly t: readonly Token[];
  readonly at: number;
}

/**
 * The key and elem layouts of the map type at t[i] (`map[K]V` or a named map type), each place
 * sized once: every write to a map asks for the type it was declared with, and a file of 100,000
 * writes to a map of a struct key of 100,000 fields must not size that struct 100,000 times.
 */
function mapOperands(types: PackageTypes): (where: TypeAt | undefined) => MapOperands | null {
  const sized = new Map<readonly Token[], Map<number, MapOperands | null>>();
  const cached = (where: TypeAt | undefined): MapOperands | null => {
    if (where === undefined) return null;
    let byIndex = sized.get(where.t);
    if (byIndex === undefined) sized.set(where.t, (byIndex = new Map()));
    let found = byIndex.get(where.at);
    if (found === undefined) byIndex.set(where.at, (found = operands(where, 0)));
    return found;
  };
  const operands = (where: TypeAt | undefined, depth: number): MapOperands | null => {
    if (where === undefined || depth > 8) return null;
    const { t, at } = where;
    if (is(t[at], 'map') && is(t[at + 1], '[')) {
      const elemAt = closing(t, at + 1);
      const [key, elem] = [types.layout(t, at + 2), types.layout(t, elemAt)];
      if (key === null || elem === null) return null;
      return { key, elem, keyName: spell(t, at + 2, elemAt - 1), elemName: spell(t, elemAt, skipType(t, elemAt)) };
    }
    return isIdent(t[at]) ? operands(types.declaration(t[at].text), depth + 1) : null;
  };
  return cached;
}

/**
 * A type's tokens t[from, to) as Go source spells them: no spaces but between words
 * (`chan int`, `map[string][]byte`); a struct or interface body is `{…}`.
 */
function spell(t: readonly Token[], from: number, to: number): string {
  let out = '';
  const word = (tok: Token | undefined) => tok !== undefined && tok.kind !== 'op' && tok.kind !== 'string';
  for (let k = from; k < to && k < t.length; k++) {
    if (is(t[k], '{') && !is(t[k + 1], '}')) {
      out += '{…}';
      k = closing(t, k) - 1;
      continue;
    }
    if (word(t[k - 1]) && word(t[k]) && k > from) out += ' ';
    out += t[k].text;
    if (out.length > 200) return `${out.slice(0, 200)}…`;
  }
  return out;
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
function collectMapNames(t: readonly Token[], mapTypes: ReadonlySet<string>, out: Map<string, TypeAt>): void {
  // A name declared (or made) twice with different map types has no one type.
  const add = (name: string, where: TypeAt) => {
    const known = out.get(name);
    out.set(name, known === undefined || sameType(known, where) ? where : { t: [], at: 0 });
  };
  for (let i = 1; i < t.length; i++) {
    if (isMapType(t, i, mapTypes) && isIdent(t[i - 1])) {
      for (let k = i - 1; isIdent(t[k]); k -= 2) {
        add(t[k].text, { t, at: i });
        if (!is(t[k - 1], ',')) break;
      }
    }
    if (isIdent(t[i - 1]) && (is(t[i], ':=') || is(t[i], '=') || is(t[i], ':')) && makesMap(t, i + 1, mapTypes)) {
      add(t[i - 1].text, { t, at: is(t[i + 1], 'make') ? i + 3 : i + 1 });
    }
  }
}

/** Two places that spell the same type, token by token. */
function sameType(a: TypeAt, b: TypeAt): boolean {
  const [ea, eb] = [skipType(a.t, a.at), skipType(b.t, b.at)];
  if (ea < 0 || eb < 0 || ea - a.at !== eb - b.at) return false;
  for (let k = 0; k < ea - a.at; k++) if (a.t[a.at + k].text !== b.t[b.at + k].text) return false;
  return true;
}

const ASSIGN = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '&^=', '++', '--']);
const STATEMENT_END = new Set([';', '{', '}']);

function lineOps(
  t: readonly Token[],
  mapTypes: ReadonlySet<string>,
  mapNames: ReadonlyMap<string, TypeAt>,
  operands: (where: TypeAt | undefined) => MapOperands | null,
): Map<number, LineOp> {
  interface Found {
    create: boolean;
    assign: boolean;
    clone: boolean;
    other: boolean;
    /** The map types the line's operations name: one sized type, or none the report can use. */
    types: MapOperands | null | undefined;
  }
  const found = new Map<number, Found>();
  const at = (line: number) => {
    let f = found.get(line);
    if (f === undefined) {
      f = { create: false, assign: false, clone: false, other: false, types: undefined };
      found.set(line, f);
    }
    return f;
  };
  const typed = (f: Found, where: TypeAt | undefined) => {
    const types = operands(where);
    if (f.types === undefined || f.types === types) f.types = types;
    else if (f.types === null || types === null || !sameOperands(f.types, types)) f.types = null;
    else if (f.types.keyName !== types.keyName || f.types.elemName !== types.elemName) {
      const { keyName, elemName } = f.types;
      f.types = {
        ...types,
        keyName: keyName === types.keyName ? keyName : null,
        elemName: elemName === types.elemName ? elemName : null,
      };
    }
    return f;
  };
  for (let i = 0; i < t.length; i++) {
    const tok = t[i];
    const prev = t[i - 1];
    if (is(tok, 'maps') && is(t[i + 1], '.') && isIdent(t[i + 2]) && is(t[i + 3], '(')) {
      // maps.Clone(src) and maps.Copy(dst, src): the map is the first argument.
      const source = isIdent(t[i + 4]) ? mapNames.get(t[i + 4].text) : undefined;
      if (t[i + 2].text === 'Clone') typed(at(tok.line), source).clone = true;
      if (t[i + 2].text === 'Copy') typed(at(tok.line), source).assign = true;
    } else if (is(tok, 'make') && is(t[i + 1], '(')) {
      if (isMapType(t, i + 2, mapTypes)) typed(at(tok.line), { t, at: i + 2 }).create = true;
      else at(tok.line).other = true;
    } else if (
      (is(tok, 'map') || (isIdent(tok) && mapTypes.has(tok.text))) &&
      exprStart(prev) &&
      makesMap(t, i, mapTypes)
    ) {
      typed(at(tok.line), { t, at: i }).create = true;
    } else if (isIdent(tok) && mapNames.has(tok.text) && is(t[i + 1], '[') && assignedTo(t, closing(t, i + 1))) {
      typed(at(tok.line), mapNames.get(tok.text)).assign = true;
    } else if (allocates(t, i)) {
      at(tok.line).other = true;
    }
  }
  const ops = new Map<number, LineOp>();
  for (const [line, f] of found) {
    // docs/attribution.md §4 order: clone before create before assign.
    const phase = f.clone ? 'clone' : f.create ? 'create' : f.assign ? 'assign' : null;
    if (phase !== null) ops.set(line, { phase, mixed: f.other, types: f.types ?? null });
  }
  return ops;
}

function sameOperands(a: MapOperands, b: MapOperands): boolean {
  const same = (x: TypeLayout, y: TypeLayout) => x.size === y.size && x.align === y.align && x.pointers === y.pointers;
  return same(a.key, b.key) && same(a.elem, b.elem);
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
    if (
      depth === 0 &&
      (tok.text === ':=' || STATEMENT_END.has(tok.text) || (k > after && tok.line !== t[after - 1].line))
    )
      return false;
    if (k === after && tok.text !== ',') return false;
    if (tok.text === '(' || tok.text === '[') depth++;
    if (tok.text === ')' || tok.text === ']') depth--;
  }
  return false;
}

/**
 * Other allocations a line can make itself: new, append, &T{…}, []T{…}, conversions to string or
 * bytes, closures, string concatenation.
 */
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
