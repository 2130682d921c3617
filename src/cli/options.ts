import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Granularity, OwnerRule } from '../analysis/attribute.js';
import { DEFAULT_LIMITS, limitsOf, type Limits } from '../limits.js';
import { FORMATS, type Format } from '../report/index.js';
import { parseDuration } from './duration.js';
import type { UrlOptions } from './input.js';
import { sizeBytes } from './thresholds.js';

/**
 * The options of `analyze` (and, with their own additions, of `diff` and `watch`), defined once: the
 * help text comes from here and the README shows that help (test/cli/help.test.ts keeps them equal).
 */
export interface ReportOptions {
  readonly sampleIndex?: string;
  readonly top?: number;
  readonly granularity: Granularity;
  readonly owner: OwnerRule;
  readonly focus?: string;
  readonly format: Format;
  readonly json?: boolean;
  readonly color: boolean;
  readonly binary?: string;
  readonly sourcePath?: string;
  readonly trimPath?: string;
}

export const DEFAULT_TOP = 20;

/** The --max-* options: each raises (or lowers) one of the bounds on what input may cost. */
export interface LimitOptions {
  readonly maxProfileSize?: number;
  readonly maxStackDepth?: number;
  readonly maxBinarySize?: number;
  readonly maxSourceFileSize?: number;
  readonly maxSourceFiles?: number;
}

/** The limits of a run: those given, the defaults for the rest (src/limits.ts). */
export function limitsFrom(options: LimitOptions): Limits {
  return limitsOf({
    ...(options.maxProfileSize === undefined ? {} : { profileBytes: options.maxProfileSize }),
    ...(options.maxStackDepth === undefined ? {} : { stackDepth: options.maxStackDepth }),
    ...(options.maxBinarySize === undefined ? {} : { binaryBytes: options.maxBinarySize }),
    ...(options.maxSourceFileSize === undefined ? {} : { sourceFileBytes: options.maxSourceFileSize }),
    ...(options.maxSourceFiles === undefined ? {} : { sourceFiles: options.maxSourceFiles }),
  });
}

/** --max-*: the limits on input, each with its default in the help. */
export function addLimitOptions(cmd: Command): Command {
  const size = (name: string, text: string, bytes: number) =>
    new Option(`${name} <size>`, text).argParser((value: string) => parseSize(value)).default(bytes, exactSize(bytes));
  const count = (name: string, text: string, n: number) =>
    new Option(`${name} <n>`, text).argParser(parsePositive).default(n, String(n));
  return cmd
    .addOption(
      size(
        '--max-profile-size',
        'refuse a profile larger than this once gunzipped (or a stdin or URL body past it)',
        DEFAULT_LIMITS.profileBytes,
      ),
    )
    .addOption(
      count(
        '--max-stack-depth',
        'refuse a profile with a deeper stack (Go records at most 1024 frames)',
        DEFAULT_LIMITS.stackDepth,
      ),
    )
    .addOption(
      size('--max-binary-size', 'refuse a --binary larger than this once gunzipped', DEFAULT_LIMITS.binaryBytes),
    )
    .addOption(
      size(
        '--max-source-file-size',
        'skip (and count) Go source files larger than this under --source-path',
        DEFAULT_LIMITS.sourceFileBytes,
      ),
    )
    .addOption(
      count(
        '--max-source-files',
        'stop listing --source-path after this many files, and say so',
        DEFAULT_LIMITS.sourceFiles,
      ),
    );
}

export interface AnalyzeCliOptions extends ReportOptions, UrlOptions, LimitOptions {
  readonly outputProfile?: string;
}

/** Options of analyze alone. */
export function addExportOptions(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--output-profile <file>',
      'also write the map samples as a gzipped pprof profile, runtime frames recovered and labelled by ' +
        'phase and evidence: a flame graph of map memory in go tool pprof, speedscope, Pyroscope or Parca',
    ),
  );
}

export interface DiffCliOptions extends ReportOptions, UrlOptions, LimitOptions {
  readonly maxGrowth?: string;
  readonly maxSiteGrowth?: string;
}

export interface WatchCliOptions extends DiffCliOptions {
  /** Milliseconds between snapshots. */
  readonly every: number;
  /** Snapshots to take; undefined: until Ctrl-C. */
  readonly count?: number;
  readonly out?: string;
}

/** --gc and --timeout: how an input given as a URL is fetched. */
export function addUrlOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--gc',
        'for a URL: the program runs a garbage collection first (?gc=1), so inuse is its live heap now, ' +
          'not at the last GC; that costs it a full collection per fetch (CPU, and latency while it runs)',
      ),
    )
    .addOption(
      new Option(
        '--timeout <duration>',
        'for a URL: give up when the whole profile has not arrived within this time (500ms, 10s, 1m)',
      )
        .argParser(parseDuration)
        .default(30_000, '30s'),
    );
}

/** --every, --count, --out: the schedule of watch and where its snapshots go. */
export function addWatchOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--every <duration>', 'time from one snapshot to the next: 500ms, 10s, 1m, 1h')
        .argParser(parseDuration)
        .default(30_000, '30s'),
    )
    .addOption(
      new Option(
        '--count <n>',
        'snapshots to take, 2 or more; a failed fetch counts, is reported and is retried at the next ' +
          '(default: until Ctrl-C)',
      ).argParser(parseCount),
    )
    .addOption(
      new Option(
        '--out <dir>',
        'save each snapshot in dir as it arrives, as fetched, named by its UTC time ' +
          '(heap-20261122T063000.000Z.pb.gz; .txt with --binary): `mapbloat diff dir/*` prints the same report ' +
          'later (default: in memory only)',
      ),
    );
}

export function addGateOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--max-growth <limit>',
        'exit 1 when the map total of the sample type grew by more than this, last snapshot against the ' +
          'first: a size (5MiB, 512KB; B, KB, KiB, MB, MiB, GB, GiB) or a percentage (10%)',
      ),
    )
    .addOption(
      new Option(
        '--max-site-growth <limit>',
        'exit 1 when any one site grew by more than this (same forms; growth from zero exceeds any percentage)',
      ),
    );
}

export function addReportOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--binary <path>',
        'the Go program that wrote the profile (ELF, may be gzipped): recovers the runtime frames a stock profile ' +
          'hides; exact with the text profile (debug=1), which a URL is then fetched as',
      ),
    )
    .addOption(
      new Option(
        '--source-path <dirs>',
        'the Go source tree (":"-separated directories, or the option repeated): reads each allocating line of a ' +
          'stock profile to tell map operations (default: names as they are, and the current directory)',
      ).argParser(joinRepeated),
    )
    .addOption(
      new Option(
        '--trim-path <prefixes>',
        "build path prefixes to cut from the profile's file names before looking under --source-path " +
          '(":"-separated, or the option repeated)',
      ).argParser(joinRepeated),
    )
    .addOption(
      new Option(
        '--sample-index <type>',
        "sample type to rank by, e.g. inuse_space, alloc_space, inuse_objects (default: the profile's " +
          'default, else inuse_space)',
      ),
    )
    .addOption(
      new Option(
        '--top <n>',
        `sites in the table and markdown (default: ${DEFAULT_TOP}; 0 = all); JSON and HTML list every site ` +
          `unless --top is given`,
      ).argParser(parseTop),
    )
    .addOption(
      new Option('--granularity <g>', 'group map memory by owner source line or by owner function')
        .choices(['line', 'function'])
        .default('line'),
    )
    .addOption(
      new Option(
        '--owner <rule>',
        'who owns a map: "app", the first frame of the program\'s own code (package main or its module), ' +
          'with the library it went through as via; "lib", the first frame outside the standard library',
      )
        .choices(['app', 'lib'])
        .default('app'),
    )
    .addOption(
      new Option('--focus <regex>', 'keep the sites whose owner function or file matches the regular expression'),
    )
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .addOption(new Option('--json', 'same as --format json'))
    .addOption(
      new Option(
        '--no-color',
        'no colours (they are off anyway when stdout is not a terminal, NO_COLOR is set, or with JSON)',
      ),
    );
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 2) {
    throw new InvalidArgumentError(
      'Expected a whole number ≥ 2: a diff needs two snapshots (mapbloat analyze takes one).',
    );
  }
  return Number(value);
}

/** 2147483648 → "2GiB": a default as the option takes it. */
function exactSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (u < units.length - 1 && bytes % 1024 ** (u + 1) === 0) u++;
  return `${bytes / 1024 ** u}${units[u]}`;
}

function parsePositive(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('Expected a whole number ≥ 1.');
  return Number(value);
}

/** "2GiB", "512MB", "4096": a size in bytes (units as for --max-growth). */
function parseSize(value: string): number {
  const bytes = sizeBytes(value);
  if (bytes === null || bytes < 1) {
    throw new InvalidArgumentError(
      'Expected a size: a number of bytes with an optional unit (B, KB, KiB, MB, MiB, GB, GiB).',
    );
  }
  return bytes;
}

function parseTop(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Expected a whole number ≥ 0.');
  return Number(value);
}

/** A list option given twice adds to the list, as pprof's does, rather than the last one winning. */
function joinRepeated(value: string, previous: string | undefined): string {
  return previous === undefined ? value : `${previous}:${value}`;
}
