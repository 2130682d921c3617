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
