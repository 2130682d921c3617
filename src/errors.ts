/**
 * Errors a user can act on. Each carries the one line the CLI prints and the exit code it maps
 * to (SPEC §8: 2 for usage errors and unreadable or unsupported input). Anything that is not a
 * MapbloatError is a bug and keeps its stack.
 */
export class MapbloatError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 2;
  }
}

/** Bad arguments or options: the message says what is valid. */
export class UsageError extends MapbloatError {}

/** The input could not be read (missing file, a directory, empty stdin). */
export class InputError extends MapbloatError {}

/** The bytes are not a well-formed profile (truncated gzip, garbage, broken protobuf). */
export class DecodeError extends MapbloatError {}

/** A well-formed profile mapbloat cannot analyse (a CPU or goroutine profile). */
export class UnsupportedProfileError extends MapbloatError {}

/** The --binary file is not a Go executable mapbloat can read, or not the one that wrote the profile. */
export class BinaryError extends MapbloatError {}
