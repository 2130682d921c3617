import { posix } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import type { FileSystem } from './fs.js';
import type { SourceIndex, WantedFile } from './index.js';
import { mapLines, type LineOp } from './map-lines.js';
import {
  candidatePaths,
  longestSuffixMatch,
  modulePath,
  placeOf,
  type SourceLayout,
  type SourcePlace,
} from './resolve.js';

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
/** Kernel pseudo file systems: endless or blocking files, never Go source. */
const PSEUDO = /^\/(proc|sys|dev)(\/|$)/;

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
  readonly #limits: Pick<Limits, 'sourceFileBytes' | 'sourceFiles'>;
  /** Files passed over: larger than the limit, unreadable, not regular files; and a walk cut short. */
  readonly #skipped = { tooLarge: 0, unreadable: 0, walkStopped: false };

  constructor(
    options: SourceOptions,
    fs: FileSystem,
    cwd: string,
    limits: Pick<Limits, 'sourceFileBytes' | 'sourceFiles'> = DEFAULT_LIMITS,
  ) {
    this.#options = options;
    this.#fs = fs;
    this.#cwd = cwd;
    this.#limits = limits;
  }

  /** Whether --source-path was given. */
  get explicit(): boolean {
    return this.#options.sourcePath !== undefined;
  }

  /**
   * The modules of the tree's go.mod files, each with its depth below the root (0: the root's
   * own), shallowest first: which one is the program's is for the profile's frames to tell.
   */
  goModules(): ReadonlyArray<{ readonly path: string; readonly depth: number }> {
    const { layout } = this.#open();
    const depth = (dir: string) =>
      Math.min(
        ...layout.roots.map((r) =>
          dir === r ? 0 : dir.startsWith(`${r}/`) ? dir.slice(r.length).split('/').length - 1 : Infinity,
        ),
      );
    return layout.modules.map((m) => ({ path: m.path, depth: depth(m.dir) })).sort((a, b) => a.depth - b.depth);
  }

  /** What the profile's leaf lines do to maps, and how well its files were found. */
  index(wanted: ReadonlyMap<string, WantedFile>): SourceIndex {
    const { layout, goFiles } = this.#open();
    const opsByFile = new Map<string, Map<number, LineOp>>();
    const unresolved: Array<{ file: string; std: boolean }> = [];
    const byPlace: Record<SourcePlace, number> = {
      tree: 0,
      vendor: 0,
      'module-cache': 0,
      goroot: 0,
      'profile-path': 0,
    };
    let resolvedLines = 0;
    let mapLineCount = 0;
    let unresolvedLines = 0;
    let unresolvedStdLines = 0;
    for (const [file, { lines, std }] of wanted) {
      // Only Go files, never in /proc, /sys or /dev: a profile's file names are untrusted paths.
      const local =
        candidatePaths(file, std, layout).find((p) => p.endsWith('.go') && !PSEUDO.test(p) && this.#isFile(p)) ??
        (this.explicit ? longestSuffixMatch(file, goFiles) : null);
      const pkg = local === null ? null : this.#package(dirname(local));
      if (local === null || pkg === null) {
        unresolved.push({ file, std });
        unresolvedLines += lines.size;
        if (std) unresolvedStdLines += lines.size;
        continue;
      }
      resolvedLines += lines.size;
      byPlace[placeOf(local, layout)] += lines.size;
      const ops = pkg.get(local) ?? new Map<number, LineOp>();
      for (const line of lines) if (ops.has(line)) mapLineCount++;
      opsByFile.set(file, ops);
    }
    return {
      lookup: (file, line) => opsByFile.get(file)?.get(line),
      stats: {
        // The roots as the user named them: reports and golden files stay free of this machine's paths.
        roots: this.explicit ? splitList(this.#options.sourcePath) : ['.'],
        resolvedFiles: opsByFile.size,
        resolvedLines,
        mapLines: mapLineCount,
        resolvedLinesByPlace: byPlace,
        skipped: { ...this.#skipped, fileLimit: this.#limits.sourceFileBytes, walkLimit: this.#limits.sourceFiles },
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
    const goMods = this.explicit
      ? listed.filter((f) => f.endsWith('/go.mod'))
      : roots.map((r) => join(r, 'go.mod')).filter((f) => this.#isFile(f));
    const layout: SourceLayout = {
      roots,
      trimPaths: splitList(this.#options.trimPath),
      modCache: this.#options.modCache ?? null,
      goRoot: this.#options.goRoot ?? null,
      modules: goMods.flatMap((f) => {
        const text = this.#readText(f);
        const path = text === null ? null : modulePath(text);
        return path === null ? [] : [{ path, dir: dirname(f) }];
      }),
    };
    this.#layout = { layout, goFiles: listed.filter((f) => f.endsWith('.go')) };
    return this.#layout;
  }

  /**
   * The map lines of every file of a package directory; null when the directory cannot be read.
   * A file that cannot be read, or is too large, is counted and left out: the package's other
   * files still tell their lines (and the map names they declare).
   */
  #package(dir: string): PackageOps | null {
    let pkg = this.#packages.get(dir);
    if (pkg === undefined) {
      let names: string[];
      try {
        names = this.#fs.readDir(dir).flatMap((e) => (e.name.endsWith('.go') ? [e.name] : []));
      } catch {
        names = [];
        pkg = null; // unreadable: reported with the files that were not found
      }
      if (pkg === undefined) {
        const files = names.flatMap((name) => {
          const text = this.#readText(join(dir, name));
          return text === null ? [] : [{ path: join(dir, name), text }];
        });
        pkg = mapLines(files);
      }
      this.#packages.set(dir, pkg);
    }
    return pkg;
  }

  /** A regular file's text, or null (counted) when it is too large or cannot be read. */
  #readText(path: string): string | null {
    const stat = this.#fs.stat(path);
    // A FIFO or a device would block or never end: only regular files are read.
    if (stat?.kind !== 'file') return null;
    if (stat.size > this.#limits.sourceFileBytes) {
      this.#skipped.tooLarge++;
      return null;
    }
    try {
      // Bounded again: a file may grow between stat and read.
      return Buffer.from(this.#fs.readFile(path, this.#limits.sourceFileBytes)).toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_FS_FILE_TOO_LARGE') this.#skipped.tooLarge++;
      else this.#skipped.unreadable++;
      return null;
    }
  }

  #isFile(path: string): boolean {
    return this.#fs.stat(path)?.kind === 'file';
  }

  /**
   * The .go and go.mod files under the roots, as far as --max-source-files allows. Symlinks are
   * followed, each real directory walked once (a link to an ancestor ends there); /proc, /sys
   * and /dev are never entered.
   */
  #listGoFiles(roots: readonly string[]): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const walk = (dir: string): void => {
      let real: string;
      let entries;
      try {
        real = this.#fs.realPath(dir);
        if (seen.has(real) || PSEUDO.test(real)) return;
        seen.add(real);
        entries = this.#fs.readDir(dir);
      } catch {
        return; // unreadable or missing: the report says which files were not found
      }
      for (const { name, kind } of entries) {
        if (out.length >= this.#limits.sourceFiles) {
          this.#skipped.walkStopped = true;
          return;
        }
        const path = join(dir, name);
        const target = kind === 'symlink' ? this.#fs.stat(path)?.kind : kind;
        if (target === 'directory') {
          if (!SKIP_DIRS.has(name) && !name.startsWith('.')) walk(path);
        } else if (target === 'file' && (name.endsWith('.go') || name === 'go.mod')) {
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
