/**
 * Go's module facts: which files belong to a dependency, which packages to a module, and how the
 * module cache spells a module path on disk.
 */

/**
 * A file of a dependency, by its path: the module cache puts every module version in a directory
 * `path@version` (`/go/pkg/mod/github.com/x/y@v1.2.3/…`, or `github.com/x/y@v1.2.3/…` under
 * -trimpath), and `go mod vendor` copies dependencies under `vendor/`.
 */
export function isDependencyFile(file: string): boolean {
  return /(^|\/)[^/@]+@v\d[^/]*\//.test(file) || /(^|\/)vendor\//.test(file);
}

/** A package of module `module`: the module's root package or one below it. */
export function inModule(pkg: string, module: string): boolean {
  return pkg === module || pkg.startsWith(`${module}/`);
}

/**
 * A module path as the module cache writes it on disk: capital letters become "!" and the lower
 * case letter (golang.org/x/mod/module.EscapePath), so that case-insensitive file systems work.
 */
export function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}
