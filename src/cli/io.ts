import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FileSystem } from '../source/fs.js';

/** Everything the CLI reaches outside itself, so tests can run it in-process with a fake. */
export interface OutStream {
  write(text: string): void;
  readonly isTTY?: boolean;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
  /** The terminal's height, when it is one. */
  readonly rows?: number;
}

export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /**
   * A file's bytes as they come (null: standard input), for what may never end: stdin, a pipe
   * (`<(curl …)`), a device. The reader stops when it has enough; errors surface as it reads.
   */
  readonly openStream: (path: string | null) => AsyncIterable<Uint8Array>;
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
  /** An HTTP GET (redirects followed), ended by the signal or after timeoutMs, body included. */
  readonly fetch: (url: string, init: FetchInit) => Promise<Response>;
  /** Time for watch's schedule: tests give a clock that never really sleeps. */
  readonly clock: Clock;
  /**
   * Calls handler on Ctrl-C (SIGINT) or SIGTERM (how CI runners and container runtimes cancel a
   * job) until the returned function is called. While one is set, a second signal ends the
   * process at once (exit code 130), as a user pressing Ctrl-C twice expects.
   */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** mkdir -p: watch --out creates its directory. */
  readonly mkdir: (path: string) => void;
}

export interface FetchInit {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after ms milliseconds, or as soon as the signal aborts; never rejects. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
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
      get rows() {
        return proc.stdout.rows;
      },
    },
    stderr: { write: (text) => void proc.stderr.write(text), isTTY: proc.stderr.isTTY === true },
    openStream: (path) => (path === null ? stdinStream(proc) : nodeOpenStream(path)),
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
    fetch: nodeFetch,
    clock: nodeClock,
    onInterrupt(handler) {
      let count = 0;
      const listener = () => {
        if (++count > 1) proc.exit(130);
        handler();
      };
      proc.on('SIGINT', listener);
      proc.on('SIGTERM', listener);
      return () => {
        proc.off('SIGINT', listener);
        proc.off('SIGTERM', listener);
      };
    },
    mkdir: (path) => void mkdirSync(path, { recursive: true }),
  };
}

/** A file read in chunks: a FIFO or a device is read as far as the reader goes, no further. */
export function nodeOpenStream(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path);
}

/** Standard input; a directory redirected to it (`< dir`) reads as empty in Node, so it fails here. */
function stdinStream(proc: NodeJS.Process): AsyncIterable<Uint8Array> {
  let directory = false;
  try {
    directory = fstatSync(0).isDirectory();
  } catch {
    // No stat (a closed descriptor): reading tells.
  }
  if (!directory) return proc.stdin;
  const error = Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
}

/** Node's own fetch, redirects followed (up to its limit of 20); the timeout covers the body too. */
export const nodeFetch: Io['fetch'] = (url, { timeoutMs, signal }) => {
  const timeout = AbortSignal.timeout(timeoutMs);
  const either = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  return fetch(url, { signal: either, redirect: 'follow' });
};

const nodeClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done);
    }),
};

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
function fileTooLarge(maxBytes: number): NodeJS.ErrnoException {
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
      if (stat.size > maxBytes) throw fileTooLarge(maxBytes);
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
      if (total > maxBytes) throw fileTooLarge(maxBytes);
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
  return io.stdout.isTTY === true && io.stdout.columns !== undefined && io.stdout.columns > 0
    ? io.stdout.columns
    : null;
}
