import { isAbsolute, join } from 'node:path';
import { symbolizerFor, type Symbolizer } from '../binary/symbolize.js';
import { BinaryError, InputError, MapbloatError, UsageError } from '../errors.js';
import { checkBinaryHead } from '../binary/elf.js';
import { tooLarge, type Limits } from '../limits.js';
import { gunzip, isGzip } from '../pprof/gzip.js';
import { checkProfileHead, decodeInput, type DecodedInput } from '../pprof/input.js';
import { SourceTree, type SourceOptions } from '../source/tree.js';
import { recoverStacks, type EvidenceInputs, type RecoveredProfile } from '../stacks/recover.js';
import { fetchProfile } from './fetch.js';
import type { Io } from './io.js';
import { limitsFrom, type LimitOptions } from './options.js';
import { profileUrl, requestUrl } from './url.js';

/** What a file on the command line must be: how large it may be, what its first bytes must say. */
interface Expected {
  /** "the profile", "the binary": for messages. */
  readonly what: string;
  /** "a profile file", "an executable": what a directory is not. */
  readonly noun: string;
  readonly maxBytes: number;
  /** The option that raises maxBytes. */
  readonly option: string;
  /** Refuses a stream whose first bytes cannot start one (throws a MapbloatError). */
  readonly checkHead: (head: Uint8Array) => void;
}

function profileFile(limits: Limits): Expected {
  return {
    what: 'the profile',
    noun: 'a profile file',
    maxBytes: limits.profileBytes,
    option: '--max-profile-size',
    checkHead: checkProfileHead,
  };
}

/**
 * The bytes of a file named on the command line; "-" is standard input. A regular file larger
 * than the limit is refused before it is read; stdin, a pipe or a device is read up to the limit,
 * and refused as soon as its first bytes show it is not what was expected (`/dev/zero`).
 */
async function readInput(path: string, io: Io, expected: Expected): Promise<Uint8Array> {
  if (path === '-')
    return readStream(io.openStream(null), expected).catch((err: unknown) => rethrowAbout(err, 'stdin'));
  const local = localPath(path, io);
  const stat = io.fs.stat(local);
  if (stat === null) throw new InputError('no such file', { subject: path });
  if (stat.kind === 'directory') throw new InputError(`is a directory, not ${expected.noun}`, { subject: path });
  if (stat.kind === 'other')
    return readStream(io.openStream(local), expected).catch((err: unknown) => rethrowAbout(err, path));
  if (stat.size > expected.maxBytes)
    throw tooLarge(expected.what, stat.size, expected.maxBytes, expected.option).about(path);
  try {
    // Bounded again: a file may grow between stat and read.
    return io.fs.readFile(local, expected.maxBytes);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_FS_FILE_TOO_LARGE') {
      throw tooLarge(expected.what, null, expected.maxBytes, expected.option).about(path);
    }
    throw readError(err, path);
  }
}

function localPath(path: string, io: Io): string {
  return isAbsolute(path) ? path : join(io.cwd, path);
}

// Enough for gzip's header and the first bytes it inflates to, or an ELF header.
const HEAD_BYTES = 4096;

/** A stream's bytes, at most maxBytes of them, its head checked once HEAD_BYTES are in. */
async function readStream(stream: AsyncIterable<Uint8Array>, expected: Expected): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  let checked = false;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      length += chunk.length;
      if (length > expected.maxBytes) throw tooLarge(expected.what, null, expected.maxBytes, expected.option);
      if (!checked && length >= HEAD_BYTES) {
        expected.checkHead(Buffer.concat(chunks));
        checked = true;
      }
    }
  } catch (err) {
    if (err instanceof MapbloatError) throw err;
    throw readError(err, null);
  }
  return Buffer.concat(chunks);
}

function readError(err: unknown, subject: string | null): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  const options = { cause: err, ...(subject === null ? {} : { subject }) };
  if (code === 'EACCES') return new InputError('permission denied', options);
  if (code === 'EISDIR') return new InputError('is a directory, not a file', options);
  return new InputError(`cannot read it (${(err as Error).message})`, options);
}

function rethrowAbout(err: unknown, subject: string): never {
  if (err instanceof MapbloatError) throw err.about(subject);
  throw err;
}

/** How an input is named in messages and reports. */
function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** --binary: the program that wrote the profile, gzipped or not. */
export async function readBinary(path: string, io: Io, limits: Limits): Promise<Symbolizer> {
  if (path === '-') throw new UsageError('--binary takes a file, not stdin');
  const limit = { bytes: limits.binaryBytes, option: '--max-binary-size', what: 'the binary' };
  const bytes = await readInput(path, io, {
    what: limit.what,
    noun: "the program's executable (--binary)",
    maxBytes: limit.bytes,
    option: limit.option,
    checkHead: checkBinaryHead,
  });
  return inContext(path, () => symbolizerFor(isGzip(bytes) ? gunzip(bytes, limit) : bytes, limits));
}

/** --binary read once, the source tree opened once, the limits: shared by every profile of the run. */
export async function evidenceInputs(
  options: SourceOptions & LimitOptions & { readonly binary?: string },
  io: Io,
): Promise<ProfileInputs> {
  const limits = limitsFrom(options);
  const symbolizer = options.binary === undefined ? null : await readBinary(options.binary, io, limits);
  const places = symbolizer === null ? await goPlaces(io) : { modCache: null, goRoot: null };
  const sourceTree = new SourceTree({ ...options, ...places }, io.fs, io.cwd, limits);
  return { symbolizer, binary: options.binary, sourceTree, limits };
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

/** What recovers a profile's hidden frames, and the limits on reading one: shared by every profile of the run. */
export type ProfileInputs = EvidenceInputs & { readonly binary?: string; readonly limits: Limits };

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
  // A file named like host:port is read, as go tool pprof does: a local file comes first.
  const isFile = !/^https?:\/\//i.test(path) && path !== '-' && io.fs.stat(localPath(path, io)) !== null;
  const url = isFile ? null : profileUrl(path);
  if (url === null) {
    const source = sourceName(path);
    return {
      source,
      recovered: decodeProfile(source, await readInput(path, io, profileFile(inputs.limits)), inputs).recovered,
    };
  }
  const source = requestUrl(url, { text: inputs.binary !== undefined, gc: urlOptions.gc === true });
  const bytes = await fetchProfile(source, io.fetch, {
    timeoutMs: urlOptions.timeout,
    maxBytes: inputs.limits.profileBytes,
  });
  return { source, recovered: decodeProfile(source, bytes, inputs).recovered };
}

/** The one path from bytes to stacks, for files and fetched profiles alike; kind: what the bytes were. */
export function decodeProfile(
  source: string,
  bytes: Uint8Array,
  inputs: ProfileInputs,
): { kind: DecodedInput['kind']; recovered: RecoveredProfile } {
  const decoded = inContext(source, () => decodeInput(bytes, inputs.limits));
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
