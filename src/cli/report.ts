import { analyzeSnapshot } from '../analysis/analyze.js';
import { diffSnapshots } from '../analysis/diff.js';
import { findBreaches, requireSnapshotsNotDeltas, requireVisibleMaps, type Gate } from '../analysis/gate.js';
import type { MapStacks } from '../analysis/map-stacks.js';
import type { Focus, Query } from '../analysis/select.js';
import type { Snapshot } from '../analysis/snapshot.js';
import { UsageError } from '../errors.js';
import { printable } from '../report/format.js';
import { renderers, type Format } from '../report/index.js';
import { analyzeModel, diffModel, type AnalyzeModel, type DiffModel } from '../report/model.js';
import { colorAllowed, outputWidth, type Io } from './io.js';
import { DEFAULT_TOP, type DiffCliOptions, type ReportOptions } from './options.js';
import { checkThresholdUnit, parseThreshold } from './thresholds.js';

// From snapshots to printed reports: what analyze, diff and watch share once they have snapshots.

/** --format, or --json. */
export function outputFormat(options: ReportOptions): Format {
  if (options.json === true) {
    if (options.format !== 'table' && options.format !== 'json') {
      throw new UsageError(`--json and --format ${options.format} contradict each other: choose one`);
    }
    return 'json';
  }
  return options.format;
}

/**
 * --sample-index, --focus and --top as the analysis takes them: a bad --focus fails before
 * any input is read.
 */
export function query(options: ReportOptions, format: Format): Query {
  return {
    sampleIndex: options.sampleIndex,
    focus: focusOption(options.focus),
    top: options.top ?? defaultTop(format),
  };
}

/** A terminal table or a comment shows the top sites; JSON and HTML, made to be searched, all of them. */
function defaultTop(format: Format): number {
  return format === 'json' || format === 'html' ? 0 : DEFAULT_TOP;
}

/** --max-growth and --max-site-growth, parsed before any profile is read. */
export function gateOption(options: DiffCliOptions): Gate {
  return {
    maxGrowth: options.maxGrowth === undefined ? null : parseThreshold('--max-growth', options.maxGrowth),
    maxSiteGrowth:
      options.maxSiteGrowth === undefined ? null : parseThreshold('--max-site-growth', options.maxSiteGrowth),
  };
}

/** stacks: the map samples' stacks, for the renderer that draws them (HTML). */
export function analyzeReport(snapshot: Snapshot, q: Query, stacks: MapStacks | null = null): AnalyzeModel {
  return analyzeModel(analyzeSnapshot(snapshot, q), stacks);
}

/**
 * Snapshots → the diff with the gate's verdict. A gate that cannot be trusted on these profiles
 * (a size limit on object counts, a delta profile, map memory not visible) is refused here.
 */
export function diffReport(snapshots: readonly Snapshot[], q: Query, gate: Gate): DiffModel {
  const diff = diffSnapshots(snapshots, q);
  const type = diff.snapshots[0].profile.sampleTypes[diff.sampleIndex];
  for (const [option, threshold] of [
    ['--max-growth', gate.maxGrowth],
    ['--max-site-growth', gate.maxSiteGrowth],
  ] as const) {
    if (threshold === null) continue;
    checkThresholdUnit(option, threshold, type);
    requireSnapshotsNotDeltas(diff, option);
    requireVisibleMaps(diff, option);
  }
  return diffModel(diff, { ...gate, breaches: findBreaches(diff, gate) });
}

/** The analyze report on stdout; under a table, its notes on stderr. */
export async function printAnalyze(model: AnalyzeModel, options: ReportOptions, format: Format, io: Io): Promise<void> {
  io.stdout.write(await renderAnalyze(model, options, format, io));
  if (format === 'table') for (const note of model.notes) io.stderr.write(`note: ${printable(note.message)}\n`);
}

/** The diff report on stdout, its notes and breaches on stderr; the exit code: 1 on a breach. */
export async function printDiff(model: DiffModel, options: ReportOptions, format: Format, io: Io): Promise<number> {
  io.stdout.write(await renderDiff(model, options, format, io));
  for (const note of model.notes) {
    if (format === 'table' || note.code === 'ordered-by-arguments')
      io.stderr.write(`note: ${printable(note.message)}\n`);
  }
  for (const breach of model.breaches) io.stderr.write(`mapbloat: threshold exceeded: ${printable(breach)}\n`);
  return model.breaches.length > 0 ? 1 : 0;
}

export async function renderAnalyze(
  model: AnalyzeModel,
  options: ReportOptions,
  format: Format,
  io: Io,
): Promise<string> {
  return (await renderers[format]()).analyze(model, { color: useColor(options, format, io), width: outputWidth(io) });
}

export async function renderDiff(model: DiffModel, options: ReportOptions, format: Format, io: Io): Promise<string> {
  return (await renderers[format]()).diff(model, { color: useColor(options, format, io), width: outputWidth(io) });
}

/** Colours on a terminal only, never with NO_COLOR, --no-color or JSON. */
function useColor(options: ReportOptions, format: Format, io: Io): boolean {
  return options.color && format !== 'json' && colorAllowed(io);
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
