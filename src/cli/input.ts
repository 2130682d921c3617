import { readFile, stat } from 'node:fs/promises';
import type { Evidence } from '../analysis/attribute.js';
import { symbolizerFor, type Symbolizer } from '../binary/symbolize.js';
import { BinaryError, InputError, MapbloatError, UsageError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { profileFor } from '../model/input-profile.js';
import { gunzip, isGzip } from '../pprof/gzip.js';
import { decodeInput } from '../pprof/input.js';
import type { Profile } from '../pprof/profile.js';
import { sourceLeafLines } from '../analysis/source-lines.js';
import type { Io } from './io.js';
import { SourceTree, type SourceIndex, type SourceOptions } from './source-tree.js';

/** The bytes of a file named on the command line; "-" is standard input. */
export async function readInput(path: string, io: Io): Promise<Uint8Array> {
  if (path === '-') return io.readStdin();
  try {
    if ((await stat(path)).isDirectory()) throw new InputError(`${path} is a directory, not a profile file`);
    return await readFile(path);
  } catch (err) {
    if (err instanceof MapbloatError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`, { cause: err });
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`, { cause: err });
    throw new InputError(`${path}: cannot read it (${(err as Error).message})`, { cause: err });
  }
}

/** How an input is named in messages and reports. */
export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** --binary: the program that wrote the profile, gzipped or not. */
export async function readBinary(path: string, io: Io): Promise<Symbolizer> {
  if (path === '-') throw new UsageError('--binary takes a file, not stdin');
  const bytes = await readInput(path, io);
  return inContext(path, () => symbolizerFor(isGzip(bytes) ? gunzip(bytes) : bytes, DEFAULT_LIMITS));
}

export interface LoadedProfile {
  readonly source: string;
  readonly profile: Profile;
  readonly evidence: Evidence;
  /** The source tree's map lines for a stock profile, or null. */
  readonly sourceIndex: SourceIndex | null;
}

export interface Evidences {
  /** --binary, read. */
  readonly symbolizer: Symbolizer | null;
  readonly binary?: string;
  /** The run's source tree (--source-path, --trim-path). */
  readonly sourceTree: SourceTree;
}

/** --binary read once, the source tree opened once: shared by every profile of the run. */
export async function evidencesFor(options: SourceOptions & { readonly binary?: string }, io: Io): Promise<Evidences> {
  const symbolizer = options.binary === undefined ? null : await readBinary(options.binary, io);
  return { symbolizer, binary: options.binary, sourceTree: new SourceTree(options, process.cwd()) };
}

/**
 * A profile file (protobuf or text, by content) with what recovers its hidden frames: the
 * binary's, or else the source tree's word on its leaf lines. Not both: the binary tells a line's
 * map calls from its other allocations exactly, and a line must never count twice.
 */
export async function loadProfile(path: string, io: Io, evidences: Evidences): Promise<LoadedProfile> {
  const source = sourceName(path);
  const bytes = await readInput(path, io);
  let loaded: { profile: Profile; evidence: Evidence };
  try {
    loaded = profileFor(inContext(source, () => decodeInput(bytes)), evidences.symbolizer);
  } catch (err) {
    // "does not match the profile" is said of the binary, and names it.
    if (err instanceof BinaryError && evidences.binary !== undefined) throw err.about(evidences.binary);
    throw err;
  }
  return { source, ...loaded, sourceIndex: evidences.symbolizer === null ? sourceFor(loaded.profile, evidences.sourceTree) : null };
}

/** Without --source-path the current directory is tried, and mentioned only when it held the files. */
function sourceFor(profile: Profile, tree: SourceTree): SourceIndex | null {
  const wanted = sourceLeafLines(profile);
  if (wanted.size === 0) return null;
  const index = tree.index(wanted);
  return !tree.explicit && index.stats.resolvedLines === 0 ? null : index;
}

/** Errors about an input name that input; usage errors stand as they are. */
export function inContext<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MapbloatError && !(err instanceof UsageError)) throw err.about(label);
    throw err;
  }
}
