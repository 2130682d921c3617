import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attributeMaps, type Attribution, type Granularity } from '../src/analysis/attribute.js';
import { nodeFileSystem, type Io } from '../src/cli/io.js';
import type { DirEntry, FileSystem } from '../src/source/fs.js';
import { run } from '../src/cli/run.js';
import type { Profile } from '../src/pprof/profile.js';
import { recoverStacks } from '../src/stacks/recover.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'fixtures');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FakeIoOptions {
  /** Standard input's bytes, or the error reading it fails with. */
  readonly stdin?: Uint8Array | Error;
  readonly isTTY?: boolean;
  readonly env?: Record<string, string | undefined>;
  /** Files that exist only for this run (absolute paths), over the real disk. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

/** Runs the CLI in-process, the way bin/mapbloat.js does, with captured output. */
export async function runCli(argv: readonly string[], options: FakeIoOptions = {}): Promise<CliResult> {
  const { code, stdout, stderr } = await runCliWriting(argv, options);
  return { code, stdout, stderr };
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
    readStdin: async () => {
      if (options.stdin instanceof Error) throw options.stdin;
      return options.stdin ?? new Uint8Array();
    },
    env: options.env ?? {},
    cwd: process.cwd(),
    fs: options.files === undefined ? nodeFileSystem : overlayFileSystem(options.files),
    writeFile: (path, bytes) => void (written[path] = bytes),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, written };
}

/** Fixture path relative to the project root, as a user would type it there. */
export function fixture(path: string): string {
  return relative(process.cwd(), join(FIXTURES, path)) || '.';
}

/** Every bundled profile with a reference attribution next to it: [profile, expected]. */
export function profilesWithExpected(): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const dir of readdirSync(FIXTURES).filter((d) => d.startsWith('go1.')).sort()) {
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

/** A decoded profile's attribution with no evidence beyond its own frames. */
export function attribute(profile: Profile, granularity: Granularity = 'line'): Attribution {
  return attributeMaps(recoverStacks({ kind: 'protobuf', profile }, { symbolizer: null, sourceTree: null }), { granularity, owner: 'app' });
}

/** The real disk with some files added in memory: tests need no temporary directories. */
export function overlayFileSystem(files: Readonly<Record<string, string | Uint8Array>>): FileSystem {
  const bytes = (content: string | Uint8Array) => (typeof content === 'string' ? Buffer.from(content) : content);
  const isDir = (path: string) => Object.keys(files).some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`));
  return {
    stat: (path) =>
      path in files ? { kind: 'file', size: bytes(files[path]).length } : isDir(path) ? { kind: 'directory', size: 0 } : nodeFileSystem.stat(path),
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
