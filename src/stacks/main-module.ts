import type { BuildInfo } from '../binary/buildinfo.js';
import { inModule, isDependencyFile } from '../go/modules.js';
import { isStdFunction, packagePath } from '../go/names.js';
import type { Frame } from '../pprof/profile.js';

/**
 * The program's own code, as far as it can be known (docs/attribution.md §5): the main module's
 * path and what told it, best source first — the binary's build info (its `mod` line, or its
 * `path` line in a GOPATH build), the go.mod of the source tree, or the profile's own file names
 * (module-cache `@v` and `vendor/` elements mark dependencies, the path stays unknown).
 */
export interface MainModule {
  readonly path: string | null;
  readonly source: 'build-info' | 'go.mod' | 'file-names';
}

export function findMainModule(
  buildInfo: BuildInfo | null,
  goModules: ReadonlyArray<{ readonly path: string; readonly depth: number }>,
  frames: readonly Frame[],
): MainModule | null {
  const built = buildInfo?.mainModule?.path ?? buildInfo?.path ?? null;
  if (built !== null) return { path: built, source: 'build-info' };
  const goMod = treeModule(goModules, frames);
  if (goMod !== null) return { path: goMod, source: 'go.mod' };
  return frames.some((f) => isDependencyFile(f.file)) ? { path: null, source: 'file-names' } : null;
}

/**
 * Which of a source tree's modules is the program's. A tree may hold several (a workspace of
 * services, nested modules, tools): the shallowest one whose packages the profile's frames show
 * (by function name, or by file name under -trimpath);
 * when no frame names a module package (a program of package main alone), the tree's one
 * shallowest module; when that is a tie, none — a guess would make another program's code "own".
 */
function treeModule(
  modules: ReadonlyArray<{ readonly path: string; readonly depth: number }>,
  frames: readonly Frame[],
): string | null {
  if (modules.length === 0) return null;
  // A module shows in a frame's package, or in its file's name as -trimpath writes it (module/file.go):
  // package main's files name the module that way too.
  const own = frames.filter((f) => !isStdFunction(f.function));
  const packages = new Set([
    ...own.map((f) => packagePath(f.function)),
    ...own.filter((f) => !f.file.startsWith('/')).map((f) => f.file.slice(0, Math.max(0, f.file.lastIndexOf('/')))),
  ]);
  const shown = modules.filter((m) => [...packages].some((p) => inModule(p, m.path)));
  const pool = shown.length > 0 ? shown : modules;
  const top = pool.filter((m) => m.depth === pool[0].depth);
  if (top.length === 1) return top[0].path;
  // Of modules at one depth, the one with the most packages in the profile; a tie tells nothing.
  const count = (m: { readonly path: string }) => [...packages].filter((p) => inModule(p, m.path)).length;
  const ranked = top.map((m) => ({ path: m.path, n: count(m) })).sort((a, b) => b.n - a.n);
  return ranked[0].n > ranked[1].n ? ranked[0].path : null;
}

/** Whether a frame is the program's own code: package main, or the main module's. */
export function isOwnFrame(frame: Frame, main: MainModule): boolean {
  if (isStdFunction(frame.function)) return false;
  if (packagePath(frame.function) === 'main') return true;
  return main.path === null ? !isDependencyFile(frame.file) : inModule(packagePath(frame.function), main.path);
}
