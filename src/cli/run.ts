import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { analyzeSnapshot } from '../analysis/analyze.js';
import { diffSnapshots } from '../analysis/diff.js';
import { findBreaches, requireSnapshotsNotDeltas, requireVisibleMaps } from '../analysis/gate.js';
import { mapProfile, type MapProfile } from '../analysis/map-profile.js';
import { mapStacks } from '../analysis/map-stacks.js';
import { takeSnapshot, type Snapshot } from '../analysis/snapshot.js';
import type { Focus } from '../analysis/select.js';
import { MapbloatError, OutputError, UsageError } from '../errors.js';
import { encodeProfile } from '../pprof/encode.js';
import { gzip } from '../pprof/gzip.js';
import { printable } from '../report/format.js';
import { plural } from '../report/phrases.js';
import { renderers, type Format } from '../report/index.js';
import { analyzeModel, diffModel } from '../report/model.js';
import { evidenceInputs, inContext, loadProfile } from './input.js';
import { colorAllowed, outputWidth, type Io } from './io.js';
import {
  addExportOptions,
  addGateOptions,
  addReportOptions,
  DEFAULT_TOP,
  type AnalyzeCliOptions,
  type DiffCliOptions,
  type ReportOptions,
} from './options.js';
import { checkThresholdUnit, parseThreshold } from './thresholds.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The whole CLI: argv in, exit code out (docs/attribution.md §8); io is the only way out of it.
 * Every line on stderr goes through printable(): a message quotes file names, arguments and names
 * from the input, and none of them may move the cursor or start another line.
 */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  let commanderOutput = '';
  const program = new Command('mapbloat')
    .description('Find the Go maps that hold your heap: map memory in pprof heap profiles, by the code that owns each map.')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => (commanderOutput += text),
      outputError: () => {},
      // A fixed width keeps the help identical everywhere, as the README shows it.
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
    });

  addExportOptions(
    addReportOptions(
      program
        .command('analyze')
        .description('rank map memory in a heap profile by the code that owns each map')
        .argument('<profile>', 'heap profile: pprof protobuf (gzipped or raw) or the legacy text form (?debug=1); "-" reads stdin'),
    ),
  ).action(async (path: string, options: AnalyzeCliOptions) => {
    exitCode = await analyzeCommand(path, options, io);
  });

  addGateOptions(
    addReportOptions(
      program
        .command('diff')
        .description('compare heap profiles taken over time: which maps grew, which keep growing; gate CI on growth')
        .argument('<profiles...>', 'two or more heap profiles (protobuf or text, as for analyze); "-" reads one from stdin'),
    ),
  ).action(async (paths: string[], options: DiffCliOptions) => {
    exitCode = await diffCommand(paths, options, io);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // `--help`, `help [command]`, `--version`: asked for, so a success.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0)) return 0;
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') {
        io.stderr.write(commanderOutput);
        return 2;
      }
      io.stderr.write(`mapbloat: ${printable(err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '))} (see mapbloat --help)\n`);
      return 2;
    }
    if (err instanceof MapbloatError) {
      io.stderr.write(`mapbloat: ${printable(err.line)}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

async function analyzeCommand(path: string, options: AnalyzeCliOptions, io: Io): Promise<number> {
  const format = outputFormat(options);
  if (options.outputProfile === '-') throw new UsageError('--output-profile takes a file name: stdout has the report');
  const { source, recovered } = await loadProfile(path, io, await evidenceInputs(options, io));
  const attributionOptions = { granularity: options.granularity, owner: options.owner };
  const snapshot = inContext(source, () => takeSnapshot(source, recovered, attributionOptions));
  const query = { sampleIndex: options.sampleIndex, focus: focusOption(options.focus), top: options.top ?? defaultTop(format) };
  const result = inContext(source, () => analyzeSnapshot(snapshot, query));
  // The flame graph walks the map samples once more: only for the format that draws it.
  const stacks = format === 'html' ? mapStacks(recovered, snapshot.attribution) : null;
  const model = analyzeModel(result, stacks);
  // Written before the report: when it fails, the run ends with exit 2 and nothing on stdout.
  if (options.outputProfile !== undefined) {
    writeMapProfile(options.outputProfile, mapProfile(recovered, snapshot.attribution), io);
  }
  io.stdout.write((await renderers[format]()).analyze(model, { color: useColor(options, format, io), width: outputWidth(io) }));
  if (format === 'table') for (const note of model.notes) io.stderr.write(`note: ${printable(note.message)}\n`);
  return 0;
}

async function diffCommand(paths: readonly string[], options: DiffCliOptions, io: Io): Promise<number> {
  const format = outputFormat(options);
  if (paths.length < 2) throw new UsageError(`diff needs two or more profiles to compare, got ${paths.length}`);
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('"-" (stdin) can be given only once');
  const gate = {
    maxGrowth: options.maxGrowth === undefined ? null : parseThreshold('--max-growth', options.maxGrowth),
    maxSiteGrowth: options.maxSiteGrowth === undefined ? null : parseThreshold('--max-site-growth', options.maxSiteGrowth),
  };
  // One profile at a time: only its attribution stays, never two decoded profiles at once.
  const inputs = await evidenceInputs(options, io);
  const snapshots: Snapshot[] = [];
  for (const path of paths) {
    const { source, recovered } = await loadProfile(path, io, inputs);
    snapshots.push(inContext(source, () => takeSnapshot(source, recovered, { granularity: options.granularity, owner: options.owner })));
  }
  const diff = diffSnapshots(snapshots, {
    sampleIndex: options.sampleIndex,
    focus: focusOption(options.focus),
    top: options.top ?? defaultTop(format),
  });
  const type = diff.snapshots[0].profile.sampleTypes[diff.sampleIndex];
  for (const [option, threshold] of [['--max-growth', gate.maxGrowth], ['--max-site-growth', gate.maxSiteGrowth]] as const) {
    if (threshold === null) continue;
    checkThresholdUnit(option, threshold, type);
    requireSnapshotsNotDeltas(diff, option);
    requireVisibleMaps(diff, option);
  }
  const model = diffModel(diff, { ...gate, breaches: findBreaches(diff, gate) });

  io.stdout.write((await renderers[format]()).diff(model, { color: useColor(options, format, io), width: outputWidth(io) }));
  for (const note of model.notes) {
    if (format === 'table' || note.code === 'ordered-by-arguments') io.stderr.write(`note: ${printable(note.message)}\n`);
  }
  for (const breach of model.breaches) io.stderr.write(`mapbloat: threshold exceeded: ${printable(breach)}\n`);
  return model.breaches.length > 0 ? 1 : 0;
}

/** --output-profile: the map samples as a gzipped pprof profile. */
function writeMapProfile(path: string, { profile, labels }: MapProfile, io: Io): void {
  const bytes = gzip(encodeProfile(profile, (i) => labels[i]));
  try {
    io.writeFile(isAbsolute(path) ? path : join(io.cwd, path), bytes);
  } catch (err) {
    throw new OutputError(`cannot write it (${(err as Error).message})`, { cause: err, subject: path });
  }
  io.stderr.write(`mapbloat: wrote ${printable(path)}: ${plural(profile.samples.count, 'map sample')}\n`);
}

/** A terminal table or a comment shows the top sites; JSON and HTML, made to be searched, all of them. */
function defaultTop(format: Format): number {
  return format === 'json' || format === 'html' ? 0 : DEFAULT_TOP;
}

/** Colours on a terminal only, never with NO_COLOR, --no-color or JSON. */
function useColor(options: ReportOptions, format: Format, io: Io): boolean {
  return options.color && format !== 'json' && colorAllowed(io);
}

function outputFormat(options: ReportOptions): Format {
  if (options.json === true) {
    if (options.format !== 'table' && options.format !== 'json') {
      throw new UsageError(`--json and --format ${options.format} contradict each other: choose one`);
    }
    return 'json';
  }
  return options.format;
}

/** --focus REGEX, compiled once. */
function focusOption(text: string | undefined): Focus | undefined {
  if (text === undefined) return undefined;
  try {
    return { text, re: new RegExp(text) };
  } catch (err) {
    throw new UsageError(`invalid --focus regular expression ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}
