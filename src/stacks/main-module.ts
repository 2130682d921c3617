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
  goMod: string | null,
  frames: readonly Frame[],
): MainModule | null {
  const built = buildInfo?.mainModule?.path ?? buildInfo?.path ?? null;
  if (built !== null) return { path: built, source: 'build-info' };
  if (goMod !== null) return { path: goMod, source: 'go.mod' };
  return frames.some((f) => isDependencyFile(f.file)) ? { path: null, source: 'file-names' } : null;
}

/** Whether a frame is the program's own code: package main, or the main module's. */
export function isOwnFrame(frame: Frame, main: MainModule): boolean {
  if (isStdFunction(frame.function)) return false;
  if (packagePath(frame.function) === 'main') return true;
  return main.path === null ? !isDependencyFile(frame.file) : inModule(packagePath(frame.function), main.path);
}
