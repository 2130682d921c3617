import { readFile, stat } from 'node:fs/promises';
import type { Evidence } from '../analysis/attribute.js';
import { symbolizerFor, type Symbolizer } from '../binary/symbolize.js';
import { BinaryError, InputError, MapbloatError, UsageError } from '../errors.js';
import { profileFor } from '../model/input-profile.js';
import { gunzip, isGzip } from '../pprof/gzip.js';
import { decodeInput } from '../pprof/input.js';
import type { Profile } from '../pprof/profile.js';
import type { Io } from './io.js';

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
  return inContext(path, () => symbolizerFor(isGzip(bytes) ? gunzip(bytes) : bytes));
}

export interface LoadedProfile {
  readonly source: string;
  readonly profile: Profile;
  readonly evidence: Evidence;
}

/** A profile file (protobuf or text, by content), with the binary's frames when one is given. */
export async function loadProfile(path: string, io: Io, symbolizer: Symbolizer | null, binaryPath?: string): Promise<LoadedProfile> {
  const source = sourceName(path);
  const bytes = await readInput(path, io);
  try {
    return { source, ...inContext(source, () => profileFor(decodeInput(bytes), symbolizer)) };
  } catch (err) {
    // "does not match the profile" is said of the binary, and names it.
    if (err instanceof BinaryError && binaryPath !== undefined) throw new BinaryError(`${binaryPath}: ${err.message.slice(source.length + 2)}`, { cause: err });
    throw err;
  }
}

/** Errors about an input name that input; usage errors stand as they are. */
export function inContext<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MapbloatError && !(err instanceof UsageError)) {
      const Ctor = err.constructor as new (message: string, options: { cause: unknown; exitCode: number }) => MapbloatError;
      throw new Ctor(`${label}: ${err.message}`, { cause: err, exitCode: err.exitCode });
    }
    throw err;
  }
}
