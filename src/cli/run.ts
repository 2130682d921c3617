import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { mapProfile, type MapProfile } from '../analysis/map-profile.js';
import { mapStacks } from '../analysis/map-stacks.js';
import { takeSnapshot, type Snapshot } from '../analysis/snapshot.js';
import { MapbloatError, OutputError, UsageError } from '../errors.js';
import { encodeProfile } from '../pprof/encode.js';
import { gzip } from '../pprof/gzip.js';
import { printable } from '../report/format.js';
import { plural } from '../report/phrases.js';
import { evidenceInputs, inContext, loadProfile } from './input.js';
import type { Io } from './io.js';
import {
  addExportOptions,
  addGateOptions,
  addLimitOptions,
  addReportOptions,
  addUrlOptions,
  addWatchOptions,
  type AnalyzeCliOptions,
  type DiffCliOptions,
  type WatchCliOptions,
} from './options.js';
import { analyzeReport, diffReport, gateOption, outputFormat, printAnalyze, printDiff, query } from './report.js';
import { watchCommand } from './watch.js';

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
    .description(
      'Find the Go maps that hold your heap: map memory in pprof heap profiles, by the code that owns each map.',
    )
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

  addLimitOptions(
    addExportOptions(
      addUrlOptions(
        addReportOptions(
          program
            .command('analyze')
            .description('rank map memory in a heap profile by the code that owns each map')
            .argument(
              '<profile>',
              'heap profile: pprof protobuf (gzipped or raw) or the legacy text form (?debug=1); "-" reads stdin; ' +
                'a URL (http://host:port/debug/pprof/heap, or host:port) fetches it from the running program',
            ),
        ),
      ),
    ),
  ).action(async (path: string, options: AnalyzeCliOptions) => {
    exitCode = await analyzeCommand(path, options, io);
  });

  addLimitOptions(
    addGateOptions(
      addUrlOptions(
        addReportOptions(
          program
            .command('diff')
            .description(
              'compare heap profiles taken over time: which maps grew, which keep growing; gate CI on growth',
            )
            .argument(
              '<profiles...>',
              'two or more heap profiles (files or URLs, as for analyze); "-" reads one from stdin',
            ),
        ),
      ),
    ),
  ).action(async (paths: string[], options: DiffCliOptions) => {
    exitCode = await diffCommand(paths, options, io);
  });

  addLimitOptions(
    addGateOptions(
      addUrlOptions(
        addReportOptions(
          addWatchOptions(
            program
              .command('watch')
              .description(
                'take heap profiles of a running Go program at intervals and diff them as they arrive; ' +
                  'gate a soak test on growth',
              )
              .argument(
                '<url>',
                "the program's heap profile: http(s)://host:port/debug/pprof/heap, or host:port (and a path)",
              ),
          ),
        ),
      ),
    ),
  ).action(async (url: string, options: WatchCliOptions) => {
    exitCode = await watchCommand(url, options, io);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // `--help`, `help [command]`, `--version`: asked for, so a success.
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        (err.code === 'commander.help' && err.exitCode === 0)
      )
        return 0;
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') {
        io.stderr.write(commanderOutput);
        return 2;
      }
      io.stderr.write(
        `mapbloat: ${printable(err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '))} (see mapbloat --help)\n`,
      );
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
  const q = query(options, format);
  if (options.outputProfile === '-') throw new UsageError('--output-profile takes a file name: stdout has the report');
  const { source, recovered } = await loadProfile(path, io, await evidenceInputs(options, io), options);
  const attributionOptions = { granularity: options.granularity, owner: options.owner };
  const snapshot = inContext(source, () => takeSnapshot(source, recovered, attributionOptions));
  // The flame graph walks the map samples once more: only for the format that draws it.
  const stacks = format === 'html' ? mapStacks(recovered, snapshot.attribution, q.focus?.re) : null;
  const model = inContext(source, () => analyzeReport(snapshot, q, stacks));
  // Written before the report: when it fails, the run ends with exit 2 and nothing on stdout.
  if (options.outputProfile !== undefined) {
    writeMapProfile(options.outputProfile, mapProfile(recovered, snapshot.attribution), io);
  }
  await printAnalyze(model, options, format, io);
  return 0;
}

async function diffCommand(paths: readonly string[], options: DiffCliOptions, io: Io): Promise<number> {
  const format = outputFormat(options);
  if (paths.length < 2) throw new UsageError(`diff needs two or more profiles to compare, got ${paths.length}`);
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('"-" (stdin) can be given only once');
  const gate = gateOption(options);
  const q = query(options, format);
  // One profile at a time: only its attribution stays, never two decoded profiles at once.
  const inputs = await evidenceInputs(options, io);
  const snapshots: Snapshot[] = [];
  for (const path of paths) {
    const { source, recovered } = await loadProfile(path, io, inputs, options);
    snapshots.push(
      inContext(source, () =>
        takeSnapshot(source, recovered, { granularity: options.granularity, owner: options.owner }),
      ),
    );
  }
  return printDiff(diffReport(snapshots, q, gate), options, format, io);
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
