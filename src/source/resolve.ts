import { posix } from 'node:path';

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
}

/** Local paths to try for a profile file name, most specific first. */
export function candidatePaths(file: string, layout: SourceLayout): string[] {
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
  return [...new Set(out)];
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

/** The module path a go.mod declares. */
export function modulePath(goMod: string): string | null {
  const m = /^\s*module\s+("?)([^\s"]+)\1\s*$/m.exec(goMod);
  return m === null ? null : m[2];
}
