import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SourceLineOp, SourceLookup } from '../analysis/attribute.js';
import type { SourceStats, WantedFile } from '../analysis/source-lines.js';
import { mapLines } from '../source/map-lines.js';
import { candidatePaths, longestSuffixMatch, modulePath, type SourceLayout } from '../source/resolve.js';

export interface SourceOptions {
  /** --source-path: directories, ":"-separated as for pprof; undefined: the current directory. */
  readonly sourcePath?: string;
  /** --trim-path: build path prefixes, ":"-separated. */
  readonly trimPath?: string;
}

export interface SourceIndex {
  readonly lookup: SourceLookup;
  readonly stats: SourceStats;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn', 'testdata']);
const MAX_FILES = 200_000;

type PackageOps = Map<string, Map<number, SourceLineOp>>;

/**
 * The source tree of one run, opened once: `diff` reads it for every snapshot, and listing the
 * tree, reading go.mod files and scanning packages is done the first time only. Without
 * --source-path only the names as they are, the current directory and its go.mod are tried; with
 * it the tree is listed, so that module-relative and suffix matches work too.
 */
export class SourceTree {
  readonly #options: SourceOptions;
  readonly #cwd: string;
  #layout: { layout: SourceLayout; goFiles: string[] } | null = null;
  readonly #packages = new Map<string, PackageOps | null>();

  constructor(options: SourceOptions, cwd: string) {
    this.#options = options;
    this.#cwd = cwd;
  }

  /** Whether --source-path was given. */
  get explicit(): boolean {
    return this.#options.sourcePath !== undefined;
  }

  /** What the profile's leaf lines do to maps, and how well its files were found. */
  index(wanted: ReadonlyMap<string, WantedFile>): SourceIndex {
    const { layout, goFiles } = this.#open();
    const opsByFile = new Map<string, Map<number, SourceLineOp>>();
    const unresolved: Array<{ file: string; std: boolean }> = [];
    let resolvedLines = 0;
    let unresolvedLines = 0;
    let unresolvedStdLines = 0;
    for (const [file, { lines, std }] of wanted) {
      const local = candidatePaths(file, layout).find(isFile) ?? (this.explicit ? longestSuffixMatch(file, goFiles) : null);
      const pkg = local === null ? null : this.#package(dirname(local));
      if (local === null || pkg === null) {
        unresolved.push({ file, std });
        unresolvedLines += lines.size;
        if (std) unresolvedStdLines += lines.size;
        continue;
      }
      resolvedLines += lines.size;
      opsByFile.set(file, pkg.get(local) ?? new Map());
    }
    return {
      lookup: (file, line) => opsByFile.get(file)?.get(line),
      stats: {
        // The roots as the user named them: reports and golden files stay free of this machine's paths.
        roots: this.explicit ? splitList(this.#options.sourcePath) : ['.'],
        resolvedFiles: opsByFile.size,
        resolvedLines,
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
    const listed = this.explicit ? listGoFiles(roots) : [];
    const goMods = this.explicit ? listed.filter((f) => f.endsWith('/go.mod')) : roots.map((r) => join(r, 'go.mod')).filter(isFile);
    const layout: SourceLayout = {
      roots,
      trimPaths: splitList(this.#options.trimPath),
      modules: goMods.flatMap((f) => {
        let path: string | null = null;
        try {
          path = modulePath(readFileSync(f, 'utf8'));
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
        const files = readdirSync(dir)
          .filter((f) => f.endsWith('.go'))
          .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
        pkg = mapLines(files);
      } catch {
        pkg = null; // unreadable: reported with the files that were not found
      }
      this.#packages.set(dir, pkg);
    }
    return pkg;
  }
}

/** pprof's list form: ":"-separated, empty parts ignored. */
function splitList(list: string | undefined): string[] {
  return (list ?? '').split(':').filter(Boolean);
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

function listGoFiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable or missing: the report says which files were not found
    }
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(join(dir, e.name));
      } else if (e.name.endsWith('.go') || e.name === 'go.mod') {
        out.push(join(dir, e.name));
      }
    }
  };
  roots.forEach(walk);
  return out;
}
