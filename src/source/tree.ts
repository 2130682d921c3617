import { posix } from 'node:path';
import type { FileSystem } from './fs.js';
import type { SourceIndex, WantedFile } from './index.js';
import { mapLines, type LineOp } from './map-lines.js';
import { candidatePaths, longestSuffixMatch, modulePath, placeOf, type SourceLayout, type SourcePlace } from './resolve.js';

const { dirname, join, resolve } = posix;

export interface SourceOptions {
  /** --source-path: directories, ":"-separated as for pprof; undefined: the current directory. */
  readonly sourcePath?: string;
  /** --trim-path: build path prefixes, ":"-separated. */
  readonly trimPath?: string;
  /** Where dependencies' and the standard library's files are, from the environment. */
  readonly modCache?: string | null;
  readonly goRoot?: string | null;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', 'testdata']);
const MAX_FILES = 200_000;

type PackageOps = Map<string, Map<number, LineOp>>;

/**
 * The source tree of one run, opened once: `diff` reads it for every snapshot, and listing the
 * tree, reading go.mod files and scanning packages is done the first time only. Without
 * --source-path only the names as they are, the current directory and its go.mod are tried; with
 * it the tree is listed, so that module-relative and suffix matches work too.
 */
export class SourceTree {
  readonly #options: SourceOptions;
  readonly #fs: FileSystem;
  readonly #cwd: string;
  #layout: { layout: SourceLayout; goFiles: string[] } | null = null;
  readonly #packages = new Map<string, PackageOps | null>();

  constructor(options: SourceOptions, fs: FileSystem, cwd: string) {
    this.#options = options;
    this.#fs = fs;
    this.#cwd = cwd;
  }

  /** Whether --source-path was given. */
  get explicit(): boolean {
    return this.#options.sourcePath !== undefined;
  }

  /**
   * The module the tree is: the go.mod nearest a root (--source-path, else the current
   * directory). A tree also holding other modules' go.mod files (nested modules, tools) has its
   * main one at the top.
   */
  mainModule(): string | null {
    const { modules } = this.#open().layout;
    const depth = (dir: string) => dir.split('/').length;
    return [...modules].sort((a, b) => depth(a.dir) - depth(b.dir))[0]?.path ?? null;
  }

  /** What the profile's leaf lines do to maps, and how well its files were found. */
  index(wanted: ReadonlyMap<string, WantedFile>): SourceIndex {
    const { layout, goFiles } = this.#open();
    const opsByFile = new Map<string, Map<number, LineOp>>();
    const unresolved: Array<{ file: string; std: boolean }> = [];
    const byPlace: Record<SourcePlace, number> = { tree: 0, vendor: 0, 'module-cache': 0, goroot: 0 };
    let resolvedLines = 0;
    let unresolvedLines = 0;
    let unresolvedStdLines = 0;
    for (const [file, { lines, std }] of wanted) {
      const local = candidatePaths(file, std, layout).find((p) => this.#isFile(p)) ?? (this.explicit ? longestSuffixMatch(file, goFiles) : null);
      const pkg = local === null ? null : this.#package(dirname(local));
      if (local === null || pkg === null) {
        unresolved.push({ file, std });
        unresolvedLines += lines.size;
        if (std) unresolvedStdLines += lines.size;
        continue;
      }
      resolvedLines += lines.size;
      byPlace[placeOf(local, layout)] += lines.size;
      opsByFile.set(file, pkg.get(local) ?? new Map());
    }
    return {
      lookup: (file, line) => opsByFile.get(file)?.get(line),
      stats: {
        // The roots as the user named them: reports and golden files stay free of this machine's paths.
        roots: this.explicit ? splitList(this.#options.sourcePath) : ['.'],
        resolvedFiles: opsByFile.size,
        resolvedLines,
        resolvedLinesByPlace: byPlace,
        unresolvedLines,
        unresolvedStdLines,
        // The files a user can fix the path of first.
        unresolvedFiles: [...unresolved.filter((u) => !u.std), ...unresolved.filter((u) => u.std)].map((u) => u.file),
      },
    };
  }

  #open(): { layout: SourceLayout; goFiles: string[] } {
    if (this.#layout !== null) return this.#layout;
    const roots = this.explicit ? splitList(this.#options.sourcePath).map((r) => resolve(this.#cwd, r)) : [this.#cwd];
    const listed = this.explicit ? this.#listGoFiles(roots) : [];
    const goMods = this.explicit ? listed.filter((f) => f.endsWith('/go.mod')) : roots.map((r) => join(r, 'go.mod')).filter((f) => this.#isFile(f));
    const layout: SourceLayout = {
      roots,
      trimPaths: splitList(this.#options.trimPath),
      modCache: this.#options.modCache ?? null,
      goRoot: this.#options.goRoot ?? null,
      modules: goMods.flatMap((f) => {
        let path: string | null = null;
        try {
          path = modulePath(this.#readText(f));
        } catch {
          // an unreadable go.mod declares nothing
        }
        return path === null ? [] : [{ path, dir: dirname(f) }];
      }),
    };
    this.#layout = { layout, goFiles: listed.filter((f) => f.endsWith('.go')) };
    return this.#layout;
  }

  /** The map lines of every file of a package directory; null when it cannot be read. */
  #package(dir: string): PackageOps | null {
    let pkg = this.#packages.get(dir);
    if (pkg === undefined) {
      try {
        const files = this.#fs
          .readDir(dir)
          .filter((e) => e.name.endsWith('.go'))
          .map((e) => ({ path: join(dir, e.name), text: this.#readText(join(dir, e.name)) }));
        pkg = mapLines(files);
      } catch {
        pkg = null; // unreadable: reported with the files that were not found
      }
      this.#packages.set(dir, pkg);
    }
    return pkg;
  }

  #readText(path: string): string {
    return Buffer.from(this.#fs.readFile(path)).toString('utf8');
  }

  #isFile(path: string): boolean {
    return this.#fs.stat(path)?.kind === 'file';
  }

  #listGoFiles(roots: readonly string[]): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      let entries;
      try {
        entries = this.#fs.readDir(dir);
      } catch {
        return; // unreadable or missing: the report says which files were not found
      }
      // Symlinked directories are not followed: a link to an ancestor would never end.
      for (const { name, kind } of entries) {
        if (out.length >= MAX_FILES) return;
        const path = join(dir, name);
        if (kind === 'directory') {
          if (!SKIP_DIRS.has(name) && !name.startsWith('.')) walk(path);
        } else if (name.endsWith('.go') || name === 'go.mod') {
          out.push(path);
        }
      }
    };
    roots.forEach(walk);
    return out;
  }
}

/** pprof's list form: ":"-separated, empty parts ignored. */
function splitList(list: string | undefined): string[] {
  return (list ?? '').split(':').filter(Boolean);
}
