import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FileSystem } from '../source/fs.js';

/** Everything the CLI reaches outside itself, so tests can run it in-process with a fake. */
export interface OutStream {
  write(text: string): void;
  readonly isTTY?: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /**
   * All of standard input; with maxBytes, no more than one byte past it before an error with code
   * ERR_FS_FILE_TOO_LARGE (FileSystem.readFile): an endless stream costs the limit, never more.
   */
  readonly readStdin: (maxBytes?: number) => Promise<Uint8Array>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are read from. */
  readonly cwd: string;
  readonly fs: FileSystem;
  /**
   * Writes a whole file (an absolute path), atomically: a reader sees the old file or the new
   * one, never half of it, and a failed run leaves no partial file behind.
   */
  readonly writeFile: (path: string, bytes: Uint8Array) => void;
  /** `go env GOROOT GOMODCACHE` when a Go toolchain is installed; null without one. Never required. */
  readonly goEnv?: () => Promise<{ readonly GOROOT?: string; readonly GOMODCACHE?: string } | null>;
}

/** The real process. */
export function nodeIo(proc: NodeJS.Process = process): Io {
  // `mapbloat … | head` closes the pipe early; that is not an error worth a stack trace.
  proc.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') proc.exit(proc.exitCode ?? 0);
    throw err;
  });
  return {
    stdout: {
      write: (text) => void proc.stdout.write(text),
      isTTY: proc.stdout.isTTY === true,
      get columns() {
        return proc.stdout.columns;
      },
    },
    stderr: { write: (text) => void proc.stderr.write(text), isTTY: proc.stderr.isTTY === true },
    readStdin: async (maxBytes = Infinity) => {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of proc.stdin) {
        chunks.push(chunk as Buffer);
        total += (chunk as Buffer).length;
        // Leaving the loop destroys the stream: nothing more is read.
        if (total > maxBytes) throw tooLarge(maxBytes);
      }
      return Buffer.concat(chunks);
    },
    env: proc.env,
    cwd: proc.cwd(),
    fs: nodeFileSystem,
    writeFile: writeFileAtomically,
    goEnv: () =>
      new Promise((resolve) => {
        execFile('go', ['env', '-json', 'GOROOT', 'GOMODCACHE'], { timeout: 5000 }, (err, stdout) => {
          try {
            resolve(err === null ? (JSON.parse(stdout) as { GOROOT?: string; GOMODCACHE?: string }) : null);
          } catch {
            resolve(null);
          }
        });
      }),
  };
}

/** The disk, through node:fs. */
export const nodeFileSystem: FileSystem = {
  stat(path) {
    try {
      const s = statSync(path);
      return { kind: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other', size: s.size };
    } catch {
      return null;
    }
  },
  readDir(path) {
    return readdirSync(path, { withFileTypes: true }).map((e) => ({
      name: e.name,
      kind: e.isFile() ? 'file' : e.isDirectory() ? 'directory' : e.isSymbolicLink() ? 'symlink' : 'other',
    }));
  },
  readFile: (path, maxBytes) => (maxBytes === undefined ? readFileSync(path) : readAtMost(path, maxBytes)),
  realPath: (path) => realpathSync(path),
};

/** An error like the one node:fs throws for a file past 2 GiB: the file holds more than maxBytes. */
function tooLarge(maxBytes: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`more than ${maxBytes} bytes`), { code: 'ERR_FS_FILE_TOO_LARGE' });
}

/**
 * A file's bytes, read no further than one byte past maxBytes: a regular file by its size, in one
 * read; anything else (a FIFO, /dev/zero, /dev/stdin) in chunks until it ends or passes the limit.
 */
function readAtMost(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isFile()) {
      if (stat.size > maxBytes) throw tooLarge(maxBytes);
      return readFileSync(fd);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return Buffer.concat(chunks, total);
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge(maxBytes);
    }
  } finally {
    closeSync(fd);
  }
}

/** A temporary name beside the file, then a rename over it: atomic on one file system. */
function writeFileAtomically(path: string, bytes: Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, bytes, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}

/** NO_COLOR (https://no-color.org): present and not empty turns colours off. */
export function colorAllowed(io: Io): boolean {
  const noColor = io.env.NO_COLOR;
  return io.stdout.isTTY === true && (noColor === undefined || noColor === '');
}

/**
 * The width a table must fit: COLUMNS when set (as in `COLUMNS=80 mapbloat …`), else the
 * terminal's. null off a terminal (a pipe, a file, a CI log): nothing wraps there, and full rows
 * are worth more than fitting a guess.
 */
export function outputWidth(io: Io): number | null {
  const columns = Number(io.env.COLUMNS);
  if (io.env.COLUMNS !== undefined && Number.isInteger(columns) && columns > 0) return Math.max(columns, 40);
  return io.stdout.isTTY === true && io.stdout.columns !== undefined && io.stdout.columns > 0 ? io.stdout.columns : null;
}
