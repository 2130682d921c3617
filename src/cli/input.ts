import { isAbsolute, join } from 'node:path';
import { symbolizerFor, type Symbolizer } from '../binary/symbolize.js';
import { BinaryError, InputError, MapbloatError, UsageError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { gunzip, isGzip } from '../pprof/gzip.js';
import { decodeInput, type DecodedInput } from '../pprof/input.js';
import { SourceTree, type SourceOptions } from '../source/tree.js';
import { recoverStacks, type EvidenceInputs, type RecoveredProfile } from '../stacks/recover.js';
import { fetchProfile } from './fetch.js';
import type { Io } from './io.js';
import { profileUrl, requestUrl } from './url.js';

/** The bytes of a file named on the command line; "-" is standard input. */
export async function readInput(path: string, io: Io): Promise<Uint8Array> {
  if (path === '-') return io.readStdin();
  const local = isAbsolute(path) ? path : join(io.cwd, path);
  const stat = io.fs.stat(local);
  if (stat === null) throw new InputError('no such file', { subject: path });
  if (stat.kind === 'directory') throw new InputError(`${path} is a directory, not a profile file`);
  try {
    return io.fs.readFile(local);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw new InputError('permission denied', { cause: err, subject: path });
    throw new InputError(`cannot read it (${(err as Error).message})`, { cause: err, subject: path });
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

/** --binary read once, the source tree opened once: shared by every profile of the run. */
export async function evidenceInputs(
  options: SourceOptions & { readonly binary?: string },
  io: Io,
): Promise<ProfileInputs> {
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

/** How URL inputs are fetched: --gc and --timeout (with --binary: the text profile). */
export interface UrlOptions {
  readonly gc?: boolean;
  /** Milliseconds. */
  readonly timeout: number;
}

/** What recovers a profile's hidden frames, shared by every profile of the run. */
export type ProfileInputs = EvidenceInputs & { readonly binary?: string };

/**
 * A profile (protobuf or text, by content) from a file, stdin or a running server, with what
 * recovers its hidden frames. A URL is named in reports as fetched, query included.
 */
export async function loadProfile(
  path: string,
  io: Io,
  inputs: ProfileInputs,
  urlOptions: UrlOptions,
): Promise<{ source: string; recovered: RecoveredProfile }> {
  const url = profileUrl(path);
  if (url === null) {
    const source = sourceName(path);
    return { source, recovered: decodeProfile(source, await readInput(path, io), inputs).recovered };
  }
  const source = requestUrl(url, { text: inputs.binary !== undefined, gc: urlOptions.gc === true });
  const bytes = await fetchProfile(source, io.fetch, {
    timeoutMs: urlOptions.timeout,
    maxBytes: DEFAULT_LIMITS.profileBytes,
  });
  return { source, recovered: decodeProfile(source, bytes, inputs).recovered };
}

/** The one path from bytes to stacks, for files and fetched profiles alike; kind: what the bytes were. */
export function decodeProfile(
  source: string,
  bytes: Uint8Array,
  inputs: ProfileInputs,
): { kind: DecodedInput['kind']; recovered: RecoveredProfile } {
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
  return { kind: decoded.kind, recovered };
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
