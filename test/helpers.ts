import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { attributeMaps, type Attribution, type Granularity } from '../src/analysis/attribute.js';
import { nodeFetch, nodeFileSystem, nodeOpenStream, type Clock, type Io } from '../src/cli/io.js';
import type { DirEntry, FileSystem } from '../src/source/fs.js';
import { run } from '../src/cli/run.js';
import { BinaryError } from '../src/errors.js';
import type { Profile } from '../src/pprof/profile.js';
import type { AnalyzeJson } from '../src/report/schema.js';
import { recoverStacks } from '../src/stacks/recover.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'fixtures');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FakeIoOptions {
  /** Standard input: its bytes, a stream (one that fails, one that never ends), or the error reading it fails with. */
  readonly stdin?: Uint8Array | AsyncIterable<Uint8Array> | Error;
  readonly isTTY?: boolean;
  readonly env?: Record<string, string | undefined>;
  /** The file system itself, for a test of what a disk does that files cannot show. */
  readonly fileSystem?: FileSystem;
  /** Files that exist only for this run (absolute paths), over the real disk. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** Watch's schedule; by default a FakeClock, so that no test sleeps. */
  readonly clock?: Clock;
  /** Ctrl-C, pressed by the test. */
  readonly interrupt?: FakeInterrupt;
}

/** Runs the CLI in-process, the way bin/mapbloat.js does, with captured output. */
export async function runCli(argv: readonly string[], options: FakeIoOptions = {}): Promise<CliResult> {
  const { code, stdout, stderr } = await runCliWriting(argv, options);
  return { code, stdout, stderr };
}

/** A run with --json that must succeed quietly (exit 0, nothing on stderr): its report, parsed. */
export async function runJson<T = AnalyzeJson>(argv: readonly string[], options: FakeIoOptions = {}): Promise<T> {
  const { code, stdout, stderr } = await runCli([...argv, '--json'], options);
  expect([code, stderr]).toEqual([0, '']);
  return JSON.parse(stdout) as T;
}

/** runCli, and the files the run wrote (absolute path → bytes), kept in memory. */
export async function runCliWriting(
  argv: readonly string[],
  options: FakeIoOptions = {},
): Promise<CliResult & { readonly written: Readonly<Record<string, Uint8Array>> }> {
  let stdout = '';
  let stderr = '';
  const written: Record<string, Uint8Array> = {};
  const io: Io = {
    stdout: { write: (t) => void (stdout += t), isTTY: options.isTTY ?? false },
    stderr: { write: (t) => void (stderr += t), isTTY: options.isTTY ?? false },
    openStream: (path) => {
      if (path === null) return stdinStream(options.stdin);
      const file = options.files?.[path];
      return file === undefined ? nodeOpenStream(path) : chunked(typeof file === 'string' ? Buffer.from(file) : file);
    },
    env: options.env ?? {},
    cwd: process.cwd(),
    fs: options.fileSystem ?? (options.files === undefined ? nodeFileSystem : overlayFileSystem(options.files)),
    writeFile: (path, bytes) => void (written[path] = bytes),
    // The real fetch: the tests that use it talk to a local server (test/profile-server.ts).
    fetch: nodeFetch,
    clock: options.clock ?? new FakeClock(),
    onInterrupt: (options.interrupt ?? new FakeInterrupt()).onInterrupt,
    mkdir: () => {},
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, written };
}

function stdinStream(stdin: FakeIoOptions['stdin']): AsyncIterable<Uint8Array> {
  if (stdin instanceof Error) return failing(stdin);
  return stdin === undefined || stdin instanceof Uint8Array ? chunked(stdin ?? new Uint8Array()) : stdin;
}

function failing(error: Error): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) };
}

/** Bytes as a stream delivers them: in 64 KiB chunks, as Node reads a pipe. */
async function* chunked(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 65536) yield bytes.subarray(at, at + 65536);
}

/**
 * Virtual time from 2026-11-22 06:30:00 UTC: a sleep moves it on and returns at once, so that a
 * watch of hours takes as long as its fetches. onSleep(n) runs as the n-th sleep starts.
 */
export class FakeClock implements Clock {
  #now: number;
  /** Every sleep asked for, in milliseconds. */
  readonly sleeps: number[] = [];

  constructor(
    private readonly onSleep?: (n: number) => void,
    start = Date.UTC(2026, 10, 22, 6, 30, 0),
  ) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.onSleep?.(this.sleeps.length);
    if (signal.aborted) return;
    this.#now += Math.max(0, ms);
    // A turn of the event loop, as a real timer would give.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Ctrl-C for an in-process run: fire() calls the handlers the run has set. */
export class FakeInterrupt {
  readonly #handlers = new Set<() => void>();

  readonly onInterrupt = (handler: () => void): (() => void) => {
    this.#handlers.add(handler);
    return () => void this.#handlers.delete(handler);
  };

  fire(): void {
    for (const handler of [...this.#handlers]) handler();
  }
}

/** Fixture path relative to the project root, as a user would type it there. */
export function fixture(path: string): string {
  return relative(process.cwd(), join(FIXTURES, path)) || '.';
}

/** Every bundled profile with a reference attribution next to it: [profile, expected]. */
export function profilesWithExpected(): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const dir of readdirSync(FIXTURES)
    .filter((d) => d.startsWith('go1.'))
    .sort()) {
    for (const file of readdirSync(join(FIXTURES, dir)).sort()) {
      if (!file.endsWith('.pb.gz')) continue;
      pairs.push([`${dir}/${file}`, `${dir}/${file.replace(/\.pb\.gz$/, '.expected.json')}`]);
    }
  }
  return pairs;
}

/** The shape of the corpus' *.expected.json files. */
export interface Expected {
  totals: { heap: Record<string, number>; map: Record<string, number> };
  sites: Array<{
    function: string;
    file: string;
    line: number;
    via: string | null;
    values: Record<string, number>;
    phases: Record<string, Record<string, number>>;
  }>;
  sampleTypes: string[];
  defaultSampleType: string | null;
  runtime: 'swiss' | 'hmap' | 'unknown';
}

export function readExpected(path: string): Expected {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as Expected;
}

/** What reading a damaged binary ends in: null when `read` returns, else the BinaryError's message. */
export function binaryErrorOf(read: () => void): string | null {
  try {
    read();
    return null;
  } catch (err) {
    if (err instanceof BinaryError) return err.message;
    throw err;
  }
}

/** A report's site as the expected files hold it: owner, via, values and phases. */
export const siteFacts = (s: Omit<Expected['sites'][number], 'line'> & { line: number | null }) => ({
  function: s.function,
  file: s.file,
  line: s.line,
  via: s.via,
  values: s.values,
  phases: s.phases,
});

/** A decoded profile's attribution with no evidence beyond its own frames. */
export function attribute(profile: Profile, granularity: Granularity = 'line'): Attribution {
  return attributeMaps(recoverStacks({ kind: 'protobuf', profile }, { symbolizer: null, sourceTree: null }), {
    granularity,
    owner: 'app',
  });
}

/** The real disk with some files added in memory: tests need no temporary directories. */
export function overlayFileSystem(files: Readonly<Record<string, string | Uint8Array>>): FileSystem {
  const bytes = (content: string | Uint8Array) => (typeof content === 'string' ? Buffer.from(content) : content);
  const isDir = (path: string) => Object.keys(files).some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`));
  return {
    stat: (path) =>
      path in files
        ? { kind: 'file', size: bytes(files[path]).length }
        : isDir(path)
          ? { kind: 'directory', size: 0 }
          : nodeFileSystem.stat(path),
    readDir(path) {
      if (!isDir(path)) return nodeFileSystem.readDir(path);
      const prefix = `${path.replace(/\/$/, '')}/`;
      const names = new Map<string, DirEntry['kind']>();
      for (const f of Object.keys(files).filter((f) => f.startsWith(prefix))) {
        const [name, ...rest] = f.slice(prefix.length).split('/');
        names.set(name, rest.length > 0 ? 'directory' : 'file');
      }
      return [...names].map(([name, kind]) => ({ name, kind }));
    },
    readFile: (path) => (path in files ? bytes(files[path]) : nodeFileSystem.readFile(path)),
    realPath: (path) => (path in files || isDir(path) ? path : nodeFileSystem.realPath(path)),
  };
}
