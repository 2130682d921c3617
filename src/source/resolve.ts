import { posix } from 'node:path';
import { escapeModulePath } from '../go/modules.js';

/**
 * Where a profile's file name lives in a source tree, the way pprof's -source_path and
 * -trim_path find it: absolute build paths with a prefix trimmed, module-relative names
 * (`-trimpath` builds: `example.com/app/cache.go`) through the go.mod that declares the module,
 * then the longest matching path suffix. Pure: the caller lists the tree and checks existence.
 */
export interface SourceLayout {
  /** Directories to look in (--source-path, else the current directory). */
  readonly roots: readonly string[];
  /** Prefixes of build paths to cut (--trim-path). */
  readonly trimPaths: readonly string[];
  /** Modules found in the tree: module path → directory holding its go.mod. */
  readonly modules: ReadonlyArray<{ readonly path: string; readonly dir: string }>;
  /** The local module cache ($GOMODCACHE, else $GOPATH/pkg/mod, else ~/go/pkg/mod), if any. */
  readonly modCache: string | null;
  /** $GOROOT, for the standard library's files, if known. */
  readonly goRoot: string | null;
}

/**
 * Where a file was found: the tree itself, its vendor/ directory, the module cache, $GOROOT/src, or
 * elsewhere at the very path the profile names (a build on this machine: an absolute path outside
 * them all).
 */
export type SourcePlace = 'tree' | 'vendor' | 'module-cache' | 'goroot' | 'profile-path';

/**
 * Local paths to try for a profile file name, most specific first: the tree (as pprof looks),
 * then where a Go developer has a dependency's files — vendor/ under a root, the module cache
 * (a module version lives in `path@version`, its path spelled with "!" before capitals), and for
 * the standard library $GOROOT/src.
 */
export function candidatePaths(file: string, std: boolean, layout: SourceLayout): string[] {
  const out = treePaths(file, layout);
  // -trimpath names a dependency's file module@version/rest; the module cache's own paths carry
  // the escaped spelling already.
  // Each `.+$` with the s flag: without it a name holding a line break (a crafted profile) makes
  // every earlier match fail only at that break, and the search quadratic in the name's length.
  const trimmed = file.startsWith('/') ? null : /^((?:[^/]+\/)*?[^/@]+)@(v[^/]+)\/(.+)$/s.exec(file);
  const cached = file.includes('/pkg/mod/')
    ? file.slice(file.lastIndexOf('/pkg/mod/') + '/pkg/mod/'.length)
    : cacheRelative(file);
  const inCache = cached ?? (trimmed === null ? null : `${escapeModulePath(trimmed[1])}@${trimmed[2]}/${trimmed[3]}`);
  const vendored =
    /(?:^|\/)vendor\/(.+)$/s.exec(file)?.[1] ?? (trimmed === null ? null : `${trimmed[1]}/${trimmed[3]}`);
  if (vendored !== null) out.push(...layout.roots.map((root) => posix.join(root, 'vendor', vendored)));
  if (inCache !== null && layout.modCache !== null) out.push(posix.join(layout.modCache, inCache));
  if (std && layout.goRoot !== null) {
    const inSrc = file.startsWith('/') ? /\/src\/(.+)$/s.exec(file)?.[1] : file;
    if (inSrc !== undefined) out.push(posix.join(layout.goRoot, 'src', inSrc));
  }
  return [...new Set(out)];
}

/** Which kind of place a local file is in. */
export function placeOf(path: string, layout: SourceLayout): SourcePlace {
  const under = (dir: string | null) => dir !== null && path.startsWith(`${dir.replace(/\/$/, '')}/`);
  if (under(layout.goRoot)) return 'goroot';
  if (under(layout.modCache)) return 'module-cache';
  if (/\/vendor\//.test(path)) return 'vendor';
  const inTree = [...layout.roots, ...layout.modules.map((m) => m.dir)].some((dir) => under(dir));
  return inTree ? 'tree' : 'profile-path';
}

/**
 * A module-cache file of another machine whose cache is not …/pkg/mod ($GOMODCACHE set): from the
 * module path on, which starts at the last element with a dot (a domain: github.com, go.uber.org)
 * before the `@version` element.
 */
function cacheRelative(file: string): string | null {
  if (!file.startsWith('/')) return null;
  const parts = file.split('/');
  const at = parts.findIndex((p) => /@v\d/.test(p));
  if (at < 0) return null;
  let start = at - 1;
  while (start > 0 && !parts[start].includes('.')) start--;
  return start > 0 ? parts.slice(start).join('/') : null;
}

/** pprof's -source_path / -trim_path: the tree's own candidates for a file name. */
function treePaths(file: string, layout: SourceLayout): string[] {
  const out: string[] = [];
  for (const prefix of layout.trimPaths) {
    const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
    if (file.startsWith(p)) for (const root of layout.roots) out.push(posix.join(root, file.slice(p.length)));
  }
  // The longest module path first: example.com/app/sub before example.com/app.
  for (const m of [...layout.modules].sort((a, b) => b.path.length - a.path.length)) {
    if (file.startsWith(`${m.path}/`)) out.push(posix.join(m.dir, file.slice(m.path.length + 1)));
  }
  if (posix.isAbsolute(file)) out.push(file);
  else for (const root of layout.roots) out.push(posix.join(root, file));
  return out;
}

/**
 * The listed file sharing the longest run of trailing path elements with `file`, at least the
 * base name; null when none does, or when two share the longest run (the match would be a guess).
 */
export function longestSuffixMatch(file: string, listed: readonly string[]): string | null {
  const want = file.split('/').reverse();
  let best: string | null = null;
  let bestLength = 0;
  let tie = false;
  for (const candidate of listed) {
    const have = candidate.split('/').reverse();
    let n = 0;
    while (n < want.length && n < have.length && want[n] === have[n]) n++;
    if (n > bestLength) {
      best = candidate;
      bestLength = n;
      tie = false;
    } else if (n === bestLength && n > 0) {
      tie = true;
    }
  }
  return tie || bestLength === 0 ? null : best;
}

const MODULE_LINE = /^\s*module\s+("?)([^\s"]+)\1\s*$/;
const LINE_END = /[\n\r\u2028\u2029]/g;

/**
 * The module path a go.mod declares, on the first line that declares one. Line by line: one
 * pattern over the whole text (^…$ with the m flag) tries `^\s*` at every line start across all
 * the blank lines after it, quadratic in a file of blank lines.
 */
export function modulePath(goMod: string): string | null {
  for (let start = 0; ;) {
    LINE_END.lastIndex = start;
    const end = LINE_END.exec(goMod)?.index ?? goMod.length;
    const m = MODULE_LINE.exec(goMod.slice(start, end));
    if (m !== null) return m[2];
    if (end === goMod.length) return null;
    start = end + 1;
  }
}
