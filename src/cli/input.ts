import { isAbsolute, join } from 'node:path';
import { symbolizerFor, type Symbolizer } from '../binary/symbolize.js';
import { BinaryError, InputError, MapbloatError, UsageError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { sizeText } from '../pprof/bounds.js';
import { gunzip, isGzip } from '../pprof/gzip.js';
import { decodeInput } from '../pprof/input.js';
import { SourceTree, type SourceOptions } from '../source/tree.js';
import { recoverStacks, type EvidenceInputs, type RecoveredProfile } from '../stacks/recover.js';
import type { Io } from './io.js';

/** How much of an input is read, and what to say past it. */
export interface InputLimit {
  readonly bytes: number;
  /** The option that raises it, e.g. "--max-profile-size". */
  readonly option: string;
  /** What is read, e.g. "the profile". */
  readonly what: string;
}

export const PROFILE_LIMIT: InputLimit = { bytes: DEFAULT_LIMITS.profileBytes, option: '--max-profile-size', what: 'the profile' };

/**
 * The bytes of a file named on the command line; "-" is standard input. Never more than the
 * limit: a FIFO, a device or a stream that does not end is read up to it, then refused.
 */
export async function readInput(path: string, io: Io, limit: InputLimit = PROFILE_LIMIT): Promise<Uint8Array> {
  const subject = sourceName(path);
  const failed = (err: unknown): InputError => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_FS_FILE_TOO_LARGE') {
      return new InputError(`${limit.what} is more than ${sizeText(limit.bytes)} (${limit.option}): raise the limit if it is real`, { cause: err, subject });
    }
    if (code === 'EACCES') return new InputError('permission denied', { cause: err, subject });
    return new InputError(`cannot read it (${(err as Error).message})`, { cause: err, subject });
  };
  if (path === '-') {
    try {
      return await io.readStdin(limit.bytes);
    } catch (err) {
      throw failed(err);
    }
  }
  const local = isAbsolute(path) ? path : join(io.cwd, path);
  const stat = io.fs.stat(local);
  if (stat === null) throw new InputError('no such file', { subject: path });
  if (stat.kind === 'directory') throw new InputError(`${path} is a directory, not a profile file`);
  try {
    return io.fs.readFile(local, limit.bytes);
  } catch (err) {
    throw failed(err);
  }
}

/** How an input is named in messages and reports. */
export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** --binary: the program that wrote the profile, gzipped or not, no larger than limits.binaryBytes. */
export async function readBinary(path: string, io: Io, limits: Limits = DEFAULT_LIMITS): Promise<Symbolizer> {
  if (path === '-') throw new UsageError('--binary takes a file, not stdin');
  const limit = { bytes: limits.binaryBytes, option: '--max-binary-size', what: 'the binary' };
  const bytes = await readInput(path, io, limit);
  return inContext(path, () => symbolizerFor(isGzip(bytes) ? gunzip(bytes, limit) : bytes, limits));
}

/** --binary read once, the source tree opened once: shared by every profile of the run. */
export async function evidenceInputs(options: SourceOptions & { readonly binary?: string }, io: Io): Promise<EvidenceInputs & { readonly binary?: string }> {
  const symbolizer = options.binary === undefined ? null : await readBinary(options.binary, io);
  const places = symbolizer === null ? await goPlaces(io) : { modCache: null, goRoot: null };
  return { symbolizer, binary: options.binary, sourceTree: new SourceTree({ ...options, ...places }, io.fs, io.cwd) };
}

/**
 * Where a Go developer has the files of dependencies and of the standard library: $GOMODCACHE
 * (else $GOPATH/pkg/mod, else ~/go/pkg/mod) and $GOROOT, from the environment or `go env`.
 */
async function goPlaces(io: Io): Promise<{ modCache: string | null; goRoot: string | null }> {
  const { env } = io;
  const asked = env.GOROOT !== undefined && env.GOMODCACHE !== undefined ? null : ((await io.goEnv?.()) ?? null);
  const gopath = env.GOPATH?.split(':')[0];
  const modCache =
    env.GOMODCACHE || asked?.GOMODCACHE || (gopath ? `${gopath}/pkg/mod` : env.HOME ? `${env.HOME}/go/pkg/mod` : null);
  return { modCache: modCache || null, goRoot: env.GOROOT || asked?.GOROOT || null };
}

/** A profile file (protobuf or text, by content) with what recovers its hidden frames. */
export async function loadProfile(path: string, io: Io, inputs: EvidenceInputs & { readonly binary?: string }): Promise<{ source: string; recovered: RecoveredProfile }> {
  const source = sourceName(path);
  const bytes = await readInput(path, io);
  const decoded = inContext(source, () => decodeInput(bytes));
  const recovered = inContext(source, () => {
    try {
      return recoverStacks(decoded, inputs);
    } catch (err) {
      // "does not match the profile" is said of the binary, and names it.
      if (err instanceof BinaryError && inputs.binary !== undefined) throw err.about(inputs.binary);
      throw err;
    }
  });
  return { source, recovered };
}

/** Errors about an input name that input, unless a closer reader did; usage errors stand as they are. */
export function inContext<T>(label: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MapbloatError && !(err instanceof UsageError)) throw err.about(label);
    throw err;
  }
}
