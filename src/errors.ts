/**
 * Errors a user can act on. Each carries the one line the CLI prints, the exit code it maps to
 * (2 for usage errors and unreadable or unsupported input) and, once known, its subject: the
 * file, URL or option the message is about, printed before it by the CLI. Readers of untrusted
 * bytes throw these without a subject; whoever knows which input they were reading adds it.
 * Anything that is not a MapbloatError is a bug and keeps its stack.
 */
export class MapbloatError extends Error {
  readonly exitCode: number;
  #subject: string | null;

  constructor(message: string, options: { cause?: unknown; exitCode?: number; subject?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 2;
    this.#subject = options.subject ?? null;
  }

  /** The file, URL or option the message is about; null when it is about the whole run. */
  get subject(): string | null {
    return this.#subject;
  }

  /** Names the input the error is about, unless a closer reader already did. */
  about(subject: string): this {
    this.#subject ??= subject;
    return this;
  }

  /** The line the CLI prints after "mapbloat: ". */
  get line(): string {
    return this.#subject === null ? this.message : `${this.#subject}: ${this.message}`;
  }
}

/** Bad arguments or options: the message says what is valid. */
export class UsageError extends MapbloatError {}

/** The input could not be read (missing file, a directory, empty stdin, a limit reached). */
export class InputError extends MapbloatError {}

/** The bytes are not a well-formed profile (truncated gzip, garbage, broken protobuf). */
export class DecodeError extends MapbloatError {}

/** A well-formed profile mapbloat cannot analyse (a CPU or goroutine profile, another language's heap). */
export class UnsupportedProfileError extends MapbloatError {}

/** The --binary file is not a Go executable mapbloat can read, or not the one that wrote the profile. */
export class BinaryError extends MapbloatError {}

/** A file mapbloat was asked to write (--output-profile, watch --out) could not be written. */
export class OutputError extends MapbloatError {}
