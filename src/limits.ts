import { InputError } from './errors.js';

/**
 * Bounds on what untrusted input may cost. Each has a command-line option to raise it and a line
 * in the README's "Limits" section; reaching one is an InputError naming the option.
 */
export interface Limits {
  /** Bytes of a profile after gunzip (and of stdin or a URL body before it). --max-profile-size */
  readonly profileBytes: number;
  /** Frames in one sample's stack. --max-stack-depth */
  readonly stackDepth: number;
  /** Bytes of a --binary file after gunzip. --max-binary-size */
  readonly binaryBytes: number;
  /** Bytes of one Go source file; larger files are skipped and counted, not read. --max-source-file-size */
  readonly sourceFileBytes: number;
  /** Files listed under --source-path before the walk stops with a message. --max-source-files */
  readonly sourceFiles: number;
}

const MiB = 1024 ** 2;

export const DEFAULT_LIMITS: Limits = {
  // The largest real heap profiles seen are a few hundred MB raw; Node's buffers end at 4 GiB.
  profileBytes: 2048 * MiB,
  stackDepth: 65_536,
  binaryBytes: 2048 * MiB,
  sourceFileBytes: 16 * MiB,
  sourceFiles: 200_000,
};

/** The limits given on the command line, the defaults for the rest. */
export function limitsOf(limits: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...limits };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 2147483648 → "2.0 GiB", the way the report prints sizes. */
export function sizeText(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}

/**
 * Input past a size limit: `what` ("the profile", "stdin", "the binary") is `size` bytes, or more
 * than the limit when it was not read to its end.
 */
export function tooLarge(what: string, size: number | null, limit: number, option: string): InputError {
  const is = size === null ? `is larger than ${sizeText(limit)}` : `is ${sizeText(size)}, past ${sizeText(limit)}`;
  return new InputError(`${what} ${is} (${option}): raise the limit if it is real`);
}

/** A stack deeper than --max-stack-depth; `what` names it ("sample 3", "the record at line 9"). */
export function tooDeep(what: string, limit: number): InputError {
  // The runtime records at most maxProfStackDepth = 1024 PCs per stack (runtime/mprof.go).
  return new InputError(
    `${what} has a stack of more than ${limit} frames (--max-stack-depth): Go records at most 1024; ` +
      'raise the limit if the profile is right',
  );
}
