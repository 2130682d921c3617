import { posix } from 'node:path';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { DirEntry, FileStat, FileSystem } from '../../src/source/fs.js';
import type { WantedFile } from '../../src/source/index.js';
import { tokenize } from '../../src/source/lexer.js';
import { mapLines } from '../../src/source/map-lines.js';
import { candidatePaths, longestSuffixMatch, modulePath } from '../../src/source/resolve.js';
import { SourceTree } from '../../src/source/tree.js';
import { property } from './budget.js';
import { repeated } from './mutate.js';

// The source evidence (src/source): the Go tokenizer and map-line scanner take any text, in time
// linear in it (unclosed brackets, strings and comments, generics, 100,000 of anything); path
// resolution takes any file name a profile holds; the tree walker lists and reads only regular
// files, never a FIFO, a device or /proc, never a file over the size limit, and ends on cycles.

// --- Go-ish text ----------------------------------------------------------------------------------

const ident = fc.constantFrom(
  'm',
  'n',
  'cache',
  'T',
  'U',
  'K',
  'V',
  'k',
  'v',
  'x',
  'y',
  'maps',
  'make',
  'new',
  'append',
  'string',
  'int',
  'Δx',
  '_',
  'p',
);
const number = fc.constantFrom('0', '1', '8', '1_000', '0x10', '1e9', '99999999999999999999', '.5');

const goType: fc.Arbitrary<string> = fc.letrec<{ type: string }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    ident,
    fc.tuple(tie('type'), tie('type')).map(([k, v]) => `map[${k}]${v}`),
    tie('type').map((t) => `[]${t}`),
    tie('type').map((t) => `*${t}`),
    fc.tuple(number, tie('type')).map(([n, t]) => `[${n}]${t}`),
    fc
      .array(fc.tuple(ident, tie('type')), { maxLength: 4 })
      .map((fs) => `struct{ ${fs.map(([n, t]) => `${n} ${t}`).join('; ')} }`),
    fc
      .tuple(fc.array(tie('type'), { maxLength: 3 }), fc.option(tie('type')))
      .map(([ps, r]) => `func(${ps.join(', ')})${r === null ? '' : ` ${r}`}`),
    tie('type').map((t) => `chan ${t}`),
    tie('type').map((t) => `<-chan ${t}`),
    fc.tuple(ident, fc.array(tie('type'), { minLength: 1, maxLength: 2 })).map(([n, ts]) => `${n}[${ts.join(', ')}]`),
    fc.constant('interface{}'),
  ),
})).type;

const expr = fc.oneof(ident, number, fc.constantFrom('"k"', "'x'", '`raw`', 'k+"x"', 'f(x)', 'x.y', 'len(m)', 'nil'));

const statement = fc.oneof(
  fc.tuple(ident, goType).map(([n, t]) => `var ${n} ${t}`),
  fc.tuple(ident, goType).map(([n, t]) => `${n} := make(${t})`),
  fc.tuple(ident, goType).map(([n, t]) => `${n} := make(${t}, 10)`),
  fc.tuple(ident, goType).map(([n, t]) => `${n} = ${t}{}`),
  fc.tuple(ident, expr, expr).map(([n, k, v]) => `${n}[${k}] = ${v}`),
  fc.tuple(ident, expr).map(([n, k]) => `${n}[${k}]++`),
  fc.tuple(ident, expr, expr).map(([n, k, v]) => `${n}[${k}], x = ${v}, 1`),
  fc.tuple(ident, goType).map(([n, t]) => `type ${n} ${t}`),
  fc
    .array(fc.tuple(ident, goType), { maxLength: 3 })
    .map((ds) => `type (\n${ds.map(([n, t]) => `\t${n} ${t}`).join('\n')}\n)`),
  fc
    .tuple(ident, fc.array(fc.tuple(ident, goType), { maxLength: 3 }))
    .map(([n, fs]) => `type ${n} struct {\n${fs.map(([f, t]) => `\t${f} ${t} \`json:"x"\``).join('\n')}\n}`),
  fc.tuple(ident, ident).map(([a, b]) => `${a} := maps.Clone(${b})`),
  fc.tuple(ident, ident).map(([a, b]) => `maps.Copy(${a}, ${b})`),
  fc.tuple(ident, ident).map(([a, b]) => `func ${a}[K comparable, V any](${b} map[K]V) {`),
  fc.constantFrom(
    '}',
    '{',
    '(',
    ')',
    '[',
    ']',
    '"',
    "'",
    '`',
    '/*',
    '*/',
    '//',
    '\\',
    'm[',
    'map[',
    'struct{',
    'func(',
    '&T{',
    '[]byte("x")',
    'append(s, 1)',
    'new(T)',
    's + "x"',
  ),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

/** How often a statement is repeated: mostly once, sometimes thousands of times. */
const times = fc.oneof(
  { weight: 30, arbitrary: fc.constant(1) },
  { weight: 6, arbitrary: fc.integer({ min: 2, max: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 30_000 }) },
);

/** A map declared with a type of any size (a struct of thousands of fields), then written to any number of times. */
const declaredAndUsed = fc
  .tuple(
    ident,
    fc.oneof(
      { weight: 2, arbitrary: goType },
      { weight: 1, arbitrary: fc.nat(30_000).map((n) => `struct{ ${'f int; '.repeat(n)}}`) },
    ),
    goType,
    fc.oneof({ weight: 2, arbitrary: fc.nat(10) }, { weight: 1, arbitrary: fc.nat(30_000) }),
  )
  .map(([name, key, elem, n]) => `var ${name} map[${key}]${elem}\n${`${name}[k] = v\n`.repeat(n)}`);

/** A Go-ish file: statements, some of them repeated thousands of times, joined by newlines or ";". */
const goText = fc
  .tuple(
    fc.array(
      fc.oneof(
        { weight: 9, arbitrary: fc.tuple(statement, times) },
        { weight: 1, arbitrary: fc.tuple(declaredAndUsed, fc.constant(1)) },
      ),
      { maxLength: 12 },
    ),
    fc.constantFrom('\n', '\n', '; ', '\r\n'),
  )
  .map(
    ([parts, sep]) =>
      `package main\n${parts.map(([s, n]) => Array.from({ length: n }, () => s).join(sep)).join(sep)}\n`,
  );

/** Pieces whose runs make a scanner quadratic when it is not linear. */
const goSoup = repeated(
  [
    'm[',
    'map[',
    '(',
    '[',
    '{',
    'struct{',
    'f int; ',
    'm[k] = 1\n',
    '*',
    '"',
    '`',
    '/*',
    "'",
    'T[',
    'func(',
    'a, ',
    'x map[int]int\n',
    ']',
  ],
  100_000,
);

describe('Go source', () => {
  property(
    'tokenize and mapLines take any Go-ish text; a comment added at the end changes no line',
    { runs: 120, file: import.meta.url },
    fc.array(fc.oneof(goText, goSoup), { minLength: 1, maxLength: 3 }),
    (texts) => {
      const files = texts.map((text, i) => ({ path: `/src/app/f${i}.go`, text }));
      const ops = mapLines(files);
      for (const [i, { text }] of files.entries()) {
        const lines = text.split('\n').length;
        for (const line of ops.get(files[i].path)!.keys()) expect(line >= 1 && line <= lines).toBe(true);
        expect(tokenize(text).every((t) => t.line >= 1 && t.line <= lines)).toBe(true);
      }
      // A comment makes no token: the scanner sees the same code, on the same lines (checked on
      // the smaller cases: it doubles the cost).
      if (texts.reduce((n, t) => n + t.length, 0) > 100_000) return;
      const commented = mapLines(files.map((f) => ({ ...f, text: `${f.text}\n// m[k] = 1; x := make(map[int]int)` })));
      for (const f of files) expect(commented.get(f.path)).toEqual(ops.get(f.path));
    },
  );

  property(
    'resolving any file name a profile holds: candidate paths, suffix matches, go.mod module paths',
    { runs: 300, file: import.meta.url },
    fc.record({ file: fileName, goMod: goModText, listed: fc.array(fileName, { maxLength: 5 }), std: fc.boolean() }),
    ({ file, goMod, listed, std }) => {
      const module = modulePath(goMod);
      const layout = {
        roots: ['/src/app'],
        trimPaths: ['/build/'],
        modules: module === null ? [] : [{ path: module, dir: '/src/app' }],
        modCache: '/home/u/go/pkg/mod',
        goRoot: '/usr/lib/go',
      };
      for (const p of candidatePaths(file, std, layout)) expect(typeof p).toBe('string');
      longestSuffixMatch(file, listed);
    },
  );

  property(
    'the tree walker: odd entries, cycles, FIFOs, /proc, unreadable and oversized files',
    { runs: 200, file: import.meta.url },
    fc.record({
      tree: fakeTree,
      wanted: fc.array(fc.tuple(fileName, fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 3 }), fc.boolean()), {
        maxLength: 6,
      }),
      root: fc.constantFrom('/src/app', '/src/app:/src/other', '/', '/src', '.'),
    }),
    ({ tree, wanted, root }) => {
      const fs = new FakeFileSystem(tree);
      const source = new SourceTree(
        { sourcePath: root, trimPath: '/build', modCache: '/gomod', goRoot: '/goroot' },
        fs,
        '/src/app',
        { sourceFileBytes: 4096, sourceFiles: 50 },
      );
      const files = new Map<string, WantedFile>();
      // Profile file names: the tree's own files, their module-relative names, and anything.
      for (const [name, lines, std] of wanted) files.set(name, { lines: new Set(lines), std });
      for (const path of [...tree.keys()].slice(0, 3))
        files.set(path.replace('/src/app/', 'example.com/app/'), { lines: new Set([1, 2, 3]), std: false });
      const index = source.index(files);
      const total = [...files.values()].reduce((n, f) => n + f.lines.size, 0);
      expect(index.stats.resolvedLines + index.stats.unresolvedLines).toBe(total);
      for (const [file, { lines }] of files) for (const line of lines) index.lookup(file, line);
      source.goModules();
      fs.checkNothingForbidden();
    },
  );
});

// --- names a profile may hold -------------------------------------------------------------------

const fileName = fc.oneof(
  fc.constantFrom(
    'main.go',
    '/build/app/main.go',
    'example.com/app/main.go',
    'github.com/x/y@v1.2.3/z.go',
    '/home/u/go/pkg/mod/github.com/x/y@v1.2.3/z.go',
    '/usr/lib/go/src/sync/map.go',
    'vendor/github.com/x/y/z.go',
    '',
  ),
  fc
    .array(
      fc.constantFrom(
        'src',
        'vendor',
        'pkg',
        'mod',
        'x@v1.2.3',
        'github.com',
        'a.go',
        '..',
        '.',
        '',
        'app',
        'example.com',
      ),
      { maxLength: 6 },
    )
    .map((p) => p.join('/')),
  repeated(['/vendor/', '/src/', 'vendor/', '/pkg/mod/', '@v1', '/', 'a', '\n', '@', 'x@v1.2.3/'], 100_000),
  fc.string({ unit: 'binary', maxLength: 16 }),
);

const goModText = fc.oneof(
  fc.constantFrom('module example.com/app\n\ngo 1.22\n', 'module "example.com/app"\n', '// comment\nmodule a\n', ''),
  repeated(['\n', ' ', '\t', 'module', ' x', '"', '\r\n'], 100_000),
  fc.string({ maxLength: 40 }),
);

// --- a file system with everything a real one may hold ------------------------------------------------

type Entry =
  | { readonly kind: 'file'; readonly text: string; readonly claimedSize: number | null; readonly unreadable: boolean }
  | { readonly kind: 'directory'; readonly unreadable: boolean }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'other' };

const segment = fc.constantFrom(
  'a',
  'b',
  'pkg',
  'vendor',
  '.git',
  'node_modules',
  'testdata',
  'x@v1.2.3',
  'internal',
  '.hidden',
);
const fileLeaf = fc.constantFrom('main.go', 'util.go', 'go.mod', 'x.go', 'fifo.go', 'README');

const entry: fc.Arbitrary<Entry> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('file' as const),
      text: fc.oneof(goText, goModText),
      claimedSize: fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constantFrom(60 * 1024 * 1024, 4097, 2 ** 40) },
      ),
      unreadable: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('directory' as const), unreadable: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('symlink' as const),
      target: fc.constantFrom(
        '/src/app',
        '/src',
        '/',
        '/proc',
        '/dev/zero',
        '/src/app/a',
        '../..',
        'missing',
        '/src/app/a/b',
        '/src/other',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'other' as const }) },
);

/** path → entry; every ancestor directory exists; /proc, /sys and /dev are there too, endless. */
const fakeTree: fc.Arbitrary<Map<string, Entry>> = fc
  .array(
    fc.tuple(fc.constantFrom('/src/app', '/src/other', '/src'), fc.array(segment, { maxLength: 4 }), fileLeaf, entry),
    { maxLength: 25 },
  )
  .map((entries) => {
    const tree = new Map<string, Entry>();
    const dir = (path: string) => {
      for (let p = path; p !== '/' && !tree.has(p); p = posix.dirname(p))
        tree.set(p, { kind: 'directory', unreadable: false });
    };
    dir('/src/app');
    dir('/src/other');
    for (const special of ['/proc/self', '/sys/kernel', '/dev']) dir(special);
    tree.set('/proc/self/fd.go', { kind: 'other' });
    tree.set('/dev/zero', { kind: 'other' });
    for (const [root, segments, leaf, e] of entries) {
      const path = posix.join(root, ...segments, leaf);
      if (tree.has(path)) continue;
      dir(posix.dirname(path));
      tree.set(path, e);
    }
    return tree;
  });

const FORBIDDEN = /^\/(proc|sys|dev)(\/|$)/;

/** The FileSystem port over the tree: symlinks followed as the disk would, errors as fs throws them. */
class FakeFileSystem implements FileSystem {
  readonly #tree: ReadonlyMap<string, Entry>;
  readonly forbidden: string[] = [];

  constructor(tree: ReadonlyMap<string, Entry>) {
    this.#tree = tree;
  }

  /** The entry at path with every symlink followed, or undefined; throws ELOOP on a cycle. */
  #resolve(path: string, hops = 0): { path: string; entry: Entry | undefined } {
    if (hops > 40) throw Object.assign(new Error(`ELOOP: too many symbolic links: ${path}`), { code: 'ELOOP' });
    // Linux's PATH_MAX: a longer name is refused before any lookup.
    if (path.length >= 4096)
      throw Object.assign(new Error(`ENAMETOOLONG: ${path.slice(0, 40)}…`), { code: 'ENAMETOOLONG' });
    const parts = posix.normalize(path).split('/').filter(Boolean);
    let at = '/';
    for (let k = 0; k < parts.length; k++) {
      const next = posix.join(at, parts[k]);
      const e = this.#tree.get(next);
      if (e?.kind === 'symlink') {
        const target = posix.isAbsolute(e.target) ? e.target : posix.join(at, e.target);
        const resolved = this.#resolve(posix.join(target, ...parts.slice(k + 1)), hops + 1);
        return resolved;
      }
      at = next;
    }
    return { path: at, entry: at === '/' ? { kind: 'directory', unreadable: false } : this.#tree.get(at) };
  }

  stat(path: string): FileStat | null {
    try {
      const { entry: e } = this.#resolve(path);
      if (e === undefined) return null;
      if (e.kind === 'file') return { kind: 'file', size: e.claimedSize ?? Buffer.byteLength(e.text) };
      return { kind: e.kind === 'directory' ? 'directory' : 'other', size: 0 };
    } catch {
      return null;
    }
  }

  readDir(path: string): readonly DirEntry[] {
    const { path: real, entry: e } = this.#resolve(path);
    if (FORBIDDEN.test(real)) this.forbidden.push(`readDir ${path} (${real})`);
    if (e?.kind !== 'directory') throw Object.assign(new Error(`ENOTDIR: ${path}`), { code: 'ENOTDIR' });
    if (e.unreadable) throw Object.assign(new Error(`EACCES: ${path}`), { code: 'EACCES' });
    const prefix = real === '/' ? '/' : `${real}/`;
    const out: DirEntry[] = [];
    for (const [p, child] of this.#tree) {
      if (!p.startsWith(prefix) || p.slice(prefix.length).includes('/') || p === real) continue;
      out.push({ name: p.slice(prefix.length), kind: child.kind });
    }
    return out;
  }

  readFile(path: string): Uint8Array {
    const { path: real, entry: e } = this.#resolve(path);
    if (e?.kind === 'other' || FORBIDDEN.test(real))
      this.forbidden.push(`readFile ${path} (${real}): it would block or never end`);
    if (e?.kind === 'file' && e.claimedSize !== null && e.claimedSize > 4096)
      this.forbidden.push(`readFile ${path}: ${e.claimedSize} bytes, over the limit`);
    if (e?.kind !== 'file') throw Object.assign(new Error(`EISDIR or ENOENT: ${path}`), { code: 'ENOENT' });
    if (e.unreadable) throw Object.assign(new Error(`EACCES: ${path}`), { code: 'EACCES' });
    return Buffer.from(e.text);
  }

  realPath(path: string): string {
    const { path: real, entry } = this.#resolve(path);
    if (entry === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return real;
  }

  checkNothingForbidden(): void {
    expect(this.forbidden).toEqual([]);
  }
}
