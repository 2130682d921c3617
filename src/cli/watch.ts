import { isAbsolute, join } from 'node:path';
import type { Gate } from '../analysis/gate.js';
import { resolveQuery, type Query } from '../analysis/select.js';
import { takeSnapshot, type Snapshot } from '../analysis/snapshot.js';
import { DecodeError, InputError, OutputError, UsageError } from '../errors.js';
import { isGzip } from '../pprof/gzip.js';
import { formatValue, printable } from '../report/format.js';
import { isLowerBound } from '../report/analyze-view.js';
import type { Format } from '../report/index.js';
import type { DiffModel } from '../report/model.js';
import type { NoteJson } from '../report/schema.js';
import { fetchProfile } from './fetch.js';
import { decodeProfile, evidenceInputs, inContext, type ProfileInputs } from './input.js';
import { outputWidth, type Io } from './io.js';
import { LiveView } from './live.js';
import type { WatchCliOptions } from './options.js';
import {
  analyzeReport,
  diffReport,
  gateOption,
  outputFormat,
  printAnalyze,
  printDiff,
  query,
  renderAnalyze,
  renderDiff,
} from './report.js';
import { profileUrl, requestUrl } from './url.js';

/** A tick whose fetch failed: reported, left out of the series, retried at the next tick. */
interface Failure {
  readonly tick: number;
  readonly message: string;
}

/** What a watch has taken so far. Snapshots only: each decoded profile is dropped once attributed. */
interface Series {
  readonly snapshots: Snapshot[];
  readonly failures: Failure[];
  /** Ticks started, the failed ones included. */
  ticks: number;
  interrupted: boolean;
}

/**
 * mapbloat watch: a heap profile of a running program every --every, --count times or until
 * Ctrl-C, each attributed as it arrives, then the diff of the series — the report `mapbloat diff`
 * prints for the same profiles, gate included. The first fetch must succeed (a wrong address
 * fails at once, not after the whole soak); a later one that fails is reported and the series
 * goes on.
 */
export async function watchCommand(target: string, options: WatchCliOptions, io: Io): Promise<number> {
  const url = profileUrl(target);
  if (url === null) {
    throw new UsageError(
      'watch takes the URL of a running program (http://host:port/debug/pprof/heap, or host:port), ' +
        `not ${JSON.stringify(target)}; mapbloat diff compares saved profiles`,
    );
  }
  const format = outputFormat(options);
  const q = query(options, format);
  const gate = gateOption(options);
  const source = requestUrl(url, { text: options.binary !== undefined, gc: options.gc === true });
  const inputs = await evidenceInputs(options, io);
  const out = options.out === undefined ? null : outputDirectory(options.out, io);
  // The live view is for a person at a terminal; a pipe, a CI log or a JSON reader gets the report.
  const view =
    io.stdout.isTTY === true && format === 'table'
      ? new LiveView(
          io.stdout,
          () => outputWidth(io),
          () => io.stdout.rows ?? null,
        )
      : null;
  const progress = new Progress(io, options, q, source, view);

  const series: Series = { snapshots: [], failures: [], ticks: 0, interrupted: false };
  const stop = new AbortController();
  const release = io.onInterrupt(() => stop.abort());
  try {
    await takeSeries(series, { source, options, inputs, out, gate, q, io, progress, signal: stop.signal });
  } finally {
    release();
    view?.clear();
  }
  series.interrupted = stop.signal.aborted;
  if (series.interrupted && series.snapshots.length > 0) {
    io.stderr.write(`interrupted: reporting on ${snapshotCount(series.snapshots.length)}\n`);
  }
  return printReport(series, { source, options, format, gate, q, io });
}

interface Run {
  readonly source: string;
  readonly options: WatchCliOptions;
  readonly inputs: ProfileInputs;
  readonly out: OutputDirectory | null;
  readonly gate: Gate;
  readonly q: Query;
  readonly io: Io;
  readonly progress: Progress;
  readonly signal: AbortSignal;
}

/** The ticks: at start, start + every, start + 2 × every, … (a slow fetch does not shift the rest). */
async function takeSeries(series: Series, run: Run): Promise<void> {
  const { options, io, progress, signal } = run;
  const start = io.clock.now();
  for (let tick = 1; options.count === undefined || tick <= options.count; tick++) {
    if (tick > 1) {
      const due = start + (tick - 1) * options.every;
      progress.waiting(series, due);
      await io.clock.sleep(due - io.clock.now(), signal);
    }
    if (signal.aborted) return;
    series.ticks = tick;
    progress.fetching(series, tick);
    const takenAt = io.clock.now();
    let taken: { snapshot: Snapshot; bytes: Uint8Array; name: string };
    try {
      taken = await takeOne(run, tick, takenAt);
    } catch (err) {
      if (signal.aborted) return;
      // Network and HTTP trouble, a body cut short: passing. A wrong binary, a profile of
      // another kind: every later tick would fail alike.
      if (tick === 1 || !(err instanceof InputError || err instanceof DecodeError)) throw err;
      series.failures.push({ tick, message: err.message });
      progress.failed(series, tick, err.line);
      continue;
    }
    if (run.out !== null) run.out.save(taken.name, taken.bytes);
    series.snapshots.push(taken.snapshot);
    progress.took(series, takenAt, taken.snapshot);
    // A gate these profiles cannot support (map memory hidden, a delta profile) fails now, not
    // at the end of the soak.
    const model = series.snapshots.length >= 2 ? diffReport(series.snapshots, run.q, run.gate) : null;
    await progress.report(series, model);
  }
}

/** One tick: fetch, decode, attribute; the bytes are kept only until they are saved. */
async function takeOne(
  run: Run,
  tick: number,
  takenAt: number,
): Promise<{ snapshot: Snapshot; bytes: Uint8Array; name: string }> {
  const { source, options } = run;
  const bytes = await fetchProfile(source, run.io.fetch, {
    timeoutMs: options.timeout,
    maxBytes: run.inputs.limits.profileBytes,
    signal: run.signal,
  });
  const { kind, recovered } = decodeProfile(source, bytes, run.inputs);
  // Named for the form fetched, so that `diff DIR/*` reads it back the same way.
  const name = `heap-${fileTime(takenAt)}${kind === 'text' ? '.txt' : '.pb'}${isGzip(bytes) ? '.gz' : ''}`;
  const label = run.out === null ? `${source} #${tick}` : run.out.display(name);
  const snapshot = inContext(source, () =>
    takeSnapshot(label, recovered, { granularity: options.granularity, owner: options.owner }),
  );
  return { snapshot, bytes, name };
}

interface Report {
  readonly source: string;
  readonly options: WatchCliOptions;
  readonly format: Format;
  readonly gate: Gate;
  readonly q: Query;
  readonly io: Io;
}

/** The final report: the diff of the series; one snapshot is reported as analyze reports it. */
async function printReport(series: Series, { source, options, format, gate, q, io }: Report): Promise<number> {
  const { snapshots } = series;
  // The first tick's failure ends the watch: no snapshot means Ctrl-C came first.
  if (snapshots.length === 0) throw new InputError('interrupted before the first snapshot', { subject: source });
  const notes = watchNotes(series, options.count);
  if (snapshots.length === 1) {
    if (gate.maxGrowth !== null || gate.maxSiteGrowth !== null) {
      const option = gate.maxGrowth === null ? '--max-site-growth' : '--max-growth';
      throw new InputError(`${option} cannot be checked: only one snapshot was taken, and growth needs two`, {
        subject: source,
      });
    }
    io.stderr.write('note: one snapshot only: nothing to compare it with, so this is its analyze report\n');
    const model = analyzeReport(snapshots[0], q);
    await printAnalyze({ ...model, notes: [...model.notes, ...notes] }, options, format, io);
    return 0;
  }
  const model = diffReport(snapshots, q, gate);
  return printDiff({ ...model, notes: [...model.notes.map(fetchOrder), ...notes] }, options, format, io);
}

/** What the report must say about the watch itself: the ticks that failed, an early Ctrl-C. */
function watchNotes(series: Series, count: number | undefined): NoteJson[] {
  const notes: NoteJson[] = [];
  if (series.failures.length > 0) {
    const which = series.failures.map((f) => `#${f.tick} (${f.message})`).join(', ');
    notes.push({
      code: 'failed-fetches',
      message: `${series.failures.length} of ${series.ticks} fetches failed; the series leaves them out: ${which}.`,
    });
  }
  if (series.interrupted && count !== undefined) {
    notes.push({
      code: 'interrupted',
      message: `Interrupted (Ctrl-C) after ${snapshotCount(series.snapshots.length)} of the ${count} asked for.`,
    });
  }
  return notes;
}

/** diff's note names the command line; a watch's order is the order of its fetches. */
function fetchOrder(note: NoteJson): NoteJson {
  if (note.code !== 'ordered-by-arguments') return note;
  return {
    ...note,
    message: 'Some profiles have no time or the same time: the snapshots are taken in the order they were fetched.',
  };
}

/**
 * What the user sees while the series grows. At a terminal, one view redrawn in place: the report
 * so far and a status line (errors included). Elsewhere, and on stderr whenever it is not the
 * terminal the view is on, one line per tick.
 */
class Progress {
  /** Whether stderr gets a line per tick: whenever it is not the terminal the view is drawn on. */
  readonly #log: boolean;
  /** The report so far as the view shows it. */
  #report = '';

  constructor(
    private readonly io: Io,
    private readonly options: WatchCliOptions,
    private readonly q: Query,
    private readonly source: string,
    private readonly view: LiveView | null,
  ) {
    this.#log = view === null || io.stderr.isTTY !== true;
  }

  fetching(series: Series, tick: number): void {
    this.#draw(series, `fetching snapshot ${this.#of(tick)} from ${this.source} …`);
  }

  took(series: Series, takenAt: number, snapshot: Snapshot): void {
    if (!this.#log) return;
    const t = resolveQuery(snapshot.profile, this.q).sampleIndex;
    const type = snapshot.profile.sampleTypes[t];
    const saved = this.options.out === undefined ? '' : `, saved as ${printable(snapshot.source)}`;
    this.io.stderr.write(
      `snapshot ${this.#of(series.ticks)} at ${clockTime(takenAt)}: maps ${mapTotal(snapshot, t)}, ` +
        `heap ${formatValue(snapshot.attribution.totals.heap[t], type.unit)} ${type.type}${saved}\n`,
    );
  }

  /** The report so far, for the view: the diff, or a first snapshot's analyze report. */
  async report(series: Series, model: DiffModel | null): Promise<void> {
    if (this.view === null) return;
    this.#report =
      model === null
        ? await renderAnalyze(analyzeReport(series.snapshots[0], this.q), this.options, 'table', this.io)
        : await renderDiff(model, this.options, 'table', this.io);
  }

  failed(series: Series, tick: number, line: string): void {
    const more = this.options.count === undefined || tick < this.options.count ? '; retrying at the next tick' : '';
    if (this.#log) this.io.stderr.write(`mapbloat: snapshot ${this.#of(tick)} failed: ${printable(line)}${more}\n`);
    this.#draw(series, `snapshot ${this.#of(tick)} failed: ${line}${more}`);
  }

  waiting(series: Series, due: number): void {
    const last = series.failures.at(-1);
    const failed =
      last === undefined ? '' : `${series.failures.length} failed (the last, #${last.tick}: ${last.message}) · `;
    this.#draw(
      series,
      `${snapshotCount(series.snapshots.length)} · ${failed}next at ${clockTime(due)} · Ctrl-C stops and reports`,
    );
  }

  #draw(series: Series, status: string): void {
    if (this.view === null) return;
    const head = series.snapshots.length === 0 ? `mapbloat watch ${this.source}\n` : this.#report;
    this.view.draw(`${head}\n${status}\n`);
  }

  #of(tick: number): string {
    return this.options.count === undefined ? String(tick) : `${tick}/${this.options.count}`;
  }
}

/** --out: created at the start, so that a directory that cannot be written fails before any fetch. */
interface OutputDirectory {
  /** The path of a file in it as the user would type it: `diff DIR/*` names it the same. */
  display(name: string): string;
  save(name: string, bytes: Uint8Array): void;
}

function outputDirectory(dir: string, io: Io): OutputDirectory {
  const local = isAbsolute(dir) ? dir : join(io.cwd, dir);
  const problem = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  try {
    io.mkdir(local);
  } catch (err) {
    throw new OutputError(`cannot create the directory (${problem(err)})`, { cause: err, subject: dir });
  }
  const display = (name: string) => `${dir.replace(/\/+$/, '')}/${name}`;
  return {
    display,
    save(name, bytes) {
      // Atomic (Io.writeFile): an interrupted watch leaves whole snapshots, never half of one.
      try {
        io.writeFile(join(local, name), bytes);
      } catch (err) {
        throw new OutputError(`cannot save a snapshot (${problem(err)})`, { cause: err, subject: display(name) });
      }
    },
  };
}

/** The map total of a snapshot, or what stands in for it when the profile hides map memory. */
function mapTotal(snapshot: Snapshot, t: number): string {
  const { attribution } = snapshot;
  const value = formatValue(attribution.totals.map[t], snapshot.profile.sampleTypes[t].unit);
  if (attribution.visibility === 'none') return 'not visible';
  return isLowerBound(attribution.visibility) ? `≥ ${value}` : value;
}

const snapshotCount = (n: number) => `${n} snapshot${n === 1 ? '' : 's'}`;

/** "06:19:31 UTC": the clock's time, where a watch's schedule is read. */
function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/** "20261122T061931.000Z": ISO 8601 in UTC, basic form: sorts as time does and is a file name everywhere. */
function fileTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}
