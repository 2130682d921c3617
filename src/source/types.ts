import { arrayOf, BASIC, INTERFACE, POINTER, SLICE, structOf, type TypeLayout } from '../go/type-layout.js';
import type { Token } from './lexer.js';
import { closing, is, isIdent, skipType } from './syntax.js';

/**
 * The layouts of the types a package declares, from its tokens: `type T struct{…}`, `type T
 * int`, … Only what the scanner can size is sized: predeclared types, pointers, slices, maps,
 * channels, funcs, interfaces, arrays of literal length and structs of those, and the package's
 * own named types; anything from another package is unknown.
 */
export class PackageTypes {
  readonly #decls = new Map<string, { readonly t: readonly Token[]; readonly at: number }>();
  readonly #sized = new Map<string, TypeLayout | null>();

  constructor(files: ReadonlyArray<readonly Token[]>) {
    for (const t of files) collectTypeDecls(t, this.#decls);
  }

  /** The declaration of a named type, as tokens and the index its type starts at. */
  declaration(name: string): { readonly t: readonly Token[]; readonly at: number } | undefined {
    return this.#decls.get(name);
  }

  /** The layout of the type starting at t[i]; null when it cannot be sized. */
  layout(t: readonly Token[], i: number): TypeLayout | null {
    return this.#layout(t, i, 0);
  }

  #layout(t: readonly Token[], i: number, depth: number): TypeLayout | null {
    // A type that refers to itself through a pointer is sized by the pointer; through a value it
    // would not compile. The depth bound keeps a crafted file from recursing without end.
    if (depth > 32) return null;
    const tok = t[i];
    if (tok === undefined) return null;
    if (tok.kind === 'ident') {
      if (is(t[i + 1], '.'))
        return t[i].text === 'unsafe' && t[i + 2]?.text === 'Pointer' ? BASIC['unsafe.Pointer'] : null;
      if (is(t[i + 1], '[') && !is(t[i + 2], ']')) return null; // a generic instantiation
      return BASIC[tok.text] ?? this.#named(tok.text, depth);
    }
    switch (tok.text) {
      case '*':
      case 'map':
      case 'chan':
      case 'func':
      case '<-':
        return POINTER;
      case 'interface':
        return INTERFACE;
      case '(':
        return this.#layout(t, i + 1, depth + 1);
      case '[': {
        if (is(t[i + 1], ']')) return SLICE;
        const length = t[i + 1]?.kind === 'number' && is(t[i + 2], ']') ? Number(t[i + 1].text.replace(/_/g, '')) : NaN;
        if (!Number.isSafeInteger(length)) return null;
        const elem = this.#layout(t, i + 3, depth + 1);
        return elem === null ? null : arrayOf(length, elem);
      }
      case 'struct':
        return is(t[i + 1], '{') ? this.#struct(t, i + 1, depth) : null;
      default:
        return null;
    }
  }

  #named(name: string, depth: number): TypeLayout | null {
    if (this.#sized.has(name)) return this.#sized.get(name)!;
    const decl = this.#decls.get(name);
    this.#sized.set(name, null); // a cycle through values reads as unknown
    const layout = decl === undefined ? null : this.#layout(decl.t, decl.at, depth + 1);
    this.#sized.set(name, layout);
    return layout;
  }

  /** `{ a, b T; C; *D "tag" }`: fields one per line or per ";", names then a type, or embedded. */
  #struct(t: readonly Token[], open: number, depth: number): TypeLayout | null {
    const end = closing(t, open) - 1;
    const fields: TypeLayout[] = [];
    let k = open + 1;
    while (k < end) {
      if (is(t[k], ';')) {
        k++;
        continue;
      }
      let names = 1;
      let typeAt = k;
      // Names: an identifier list followed by a type on the same line.
      if (
        isIdent(t[k]) &&
        !is(t[k + 1], '.') &&
        t[k + 1] !== undefined &&
        t[k + 1].line === t[k].line &&
        !is(t[k + 1], ';')
      ) {
        let n = k;
        names = 1;
        while (is(t[n + 1], ',') && isIdent(t[n + 2])) {
          n += 2;
          names++;
        }
        typeAt = n + 1;
        if (t[typeAt]?.kind === 'string' || typeAt >= end) {
          // An embedded type with a tag: `T "json"`.
          typeAt = k;
          names = 1;
        }
      }
      const layout = this.#layout(t, typeAt, depth + 1);
      if (layout === null) return null;
      for (let n = 0; n < names; n++) fields.push(layout);
      const after = skipType(t, typeAt);
      if (after <= k) return null;
      k = after;
      if (t[k]?.kind === 'string') k++; // a tag
    }
    return structOf(fields);
  }
}

/** `type T …` and `type ( T …; U … )`, aliases (`type T = U`) included. */
function collectTypeDecls(t: readonly Token[], out: Map<string, { t: readonly Token[]; at: number }>): void {
  for (let i = 0; i < t.length; i++) {
    if (!is(t[i], 'type')) continue;
    if (is(t[i + 1], '(')) {
      const end = closing(t, i + 1) - 1;
      let k = i + 2;
      while (k < end) {
        const next = declare(t, k, out);
        if (next <= k) break;
        k = next;
        while (is(t[k], ';')) k++;
      }
      i = end;
    } else {
      declare(t, i + 1, out);
    }
  }
}

/** One `T [=] type` at k, generic ones (`T[K any]`) left out; the index after it. */
function declare(t: readonly Token[], k: number, out: Map<string, { t: readonly Token[]; at: number }>): number {
  if (!isIdent(t[k]) || (is(t[k + 1], '[') && !is(t[k + 2], ']') && !/^\d/.test(t[k + 2]?.text ?? ''))) return k + 1;
  const at = is(t[k + 1], '=') ? k + 2 : k + 1;
  out.set(t[k].text, { t, at });
  const end = skipType(t, at);
  return end < 0 ? at + 1 : end;
}
