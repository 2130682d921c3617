import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { analyzeProfile } from '../analysis/analyze.js';
import { MapbloatError, UsageError } from '../errors.js';
import { decodeProfile } from '../pprof/decode.js';
import { analyzeRenderers, type Format } from '../report/index.js';
import { analyzeNotes } from '../report/notes.js';
import { readInput, sourceName } from './input.js';
import { colorAllowed, type Io } from './io.js';
import { addReportOptions, DEFAULT_TOP, type ReportOptions } from './options.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The whole CLI: argv in, exit code out (SPEC §8); io is the only way out of it. */
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

  addReportOptions(
    program
      .command('analyze')
      .description('rank map memory in a heap profile by the code that owns each map')
      .argument('<profile>', 'heap profile: pprof protobuf, gzipped or raw; "-" reads stdin'),
  ).action(async (path: string, options: ReportOptions) => {
    exitCode = await analyzeCommand(path, options, io);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') {
        io.stderr.write(commanderOutput);
        return 2;
      }
      io.stderr.write(`mapbloat: ${err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')} (see mapbloat --help)\n`);
      return 2;
    }
    if (err instanceof MapbloatError) {
      io.stderr.write(`mapbloat: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

async function analyzeCommand(path: string, options: ReportOptions, io: Io): Promise<number> {
  const format = outputFormat(options);
  const source = sourceName(path);
  const bytes = await readInput(path, io);
  const result = inContext(source, () =>
    analyzeProfile(decodeProfile(bytes), {
      sampleIndex: options.sampleIndex,
      granularity: options.granularity,
      focus: options.focus,
      top: options.top ?? (format === 'json' ? 0 : DEFAULT_TOP),
    }),
  );
  const color = options.color && format !== 'json' && colorAllowed(io);
  io.stdout.write(analyzeRenderers[format](result, { source, color }));
  if (format === 'table') for (const note of analyzeNotes(result)) io.stderr.write(`note: ${note.message}\n`);
  return 0;
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

/** Input errors name the input they are about; usage errors stand as they are. */
function inContext<T>(source: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MapbloatError && !(err instanceof UsageError)) {
      const Ctor = err.constructor as new (message: string, options: { cause: unknown; exitCode: number }) => MapbloatError;
      throw new Ctor(`${source}: ${err.message}`, { cause: err, exitCode: err.exitCode });
    }
    throw err;
  }
}
