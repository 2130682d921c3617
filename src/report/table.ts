import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
// cli-table3's own measure of text on a terminal (colours aside, wide characters two columns).
import tableText from 'cli-table3/src/utils.js';
import { analyzeView, type Column } from './analyze-view.js';
import { diffView, NOT_VISIBLE } from './diff-view.js';
import { ellipsize, ellipsizeStart, fitColumns, wholeSteps } from './fit.js';
import type { RenderContext } from './index.js';
import { append } from './lines.js';
import type { AnalyzeModel, DiffModel } from './model.js';

/** A cell: its text, how a terminal colours it, and a shorter text for a narrow column. */
type Cell = readonly [text: string, paint?: (text: string) => string, short?: string];

/** The ranked table for a terminal. Notes are not part of it: the CLI prints them on stderr. */
export function renderAnalyzeTable(model: AnalyzeModel, ctx: RenderContext): string {
  const view = analyzeView(model);
  const c = new Chalk({ level: ctx.color ? 1 : 0 });
  const field = (name: string, value: string, paint = (text: string) => text): string => {
    const [first, ...more] = wrap(value, ctx.width === null ? null : ctx.width - FIELD_INDENT);
    return [
      `  ${c.dim(name.padEnd(FIELD_INDENT - 2))}${paint(first)}`,
      ...more.map((line) => `${' '.repeat(FIELD_INDENT)}${paint(line)}`),
    ].join('\n');
  };
  const header = [
    c.bold(`mapbloat analyze ${view.source}`),
    field('time', view.time),
    field('runtime', `${view.runtime}; runtime frames ${view.runtimeFrames}`),
    field('sample', view.sampleType),
    field(view.heapLabel, view.heap),
    field('maps', view.maps, c.bold),
    ...(view.owner === null ? [] : [field('owner', view.owner)]),
    ...(view.memStats === null ? [] : [field('memstats', view.memStats)]),
    ...(view.sources === null ? [] : [field('sources', view.sources)]),
  ];
  const lines = [...header, ''];
  if (view.rows.length > 0) {
    const rows = view.rows.map((row): Cell[] => [
      [row.rank, c.dim],
      [row.function, c.bold, row.shortFunction],
      [row.tableLocation.full, undefined, row.tableLocation.short],
      [row.values[0], c.cyan],
      ...row.values.slice(1).map((v): Cell => [v]),
      [row.phases, undefined, row.phasesShort],
      ...(view.showShape ? [[row.shape, undefined, row.shapeShort] as Cell] : []),
      ...(view.showVia ? [[row.via, c.dim] as Cell] : []),
      ...(view.showEvidence ? [[row.evidence, row.evidence.endsWith('mixed') ? c.yellow : undefined] as Cell] : []),
    ]);
    append(lines, grid(view.columns, rows, c, ctx.width));
    lines.push('');
  }
  lines.push(c.dim(view.footer));
  append(lines, adviceLines(view.advice, c, ctx.width));
  return `${lines.join('\n')}\n`;
}

/** Advice under a table: the site's rank, then the advice, wrapped under itself. */
function adviceLines(
  advice: ReadonlyArray<{ readonly rank: string; readonly message: string }>,
  c: ChalkInstance,
  width: number | null,
): string[] {
  if (advice.length === 0) return [];
  return [
    '',
    c.bold('advice'),
    ...advice.flatMap((a) => {
      const [first, ...more] = wrap(a.message, width === null ? null : width - 7);
      return [`  ${c.dim(`#${a.rank}`.padStart(3))}  ${first}`, ...more.map((line) => `       ${line}`)];
    }),
  ];
}

/** The diff table for a terminal; notes and breaches go to stderr from the CLI. */
export function renderDiffTable(model: DiffModel, ctx: RenderContext): string {
  const view = diffView(model);
  const c = new Chalk({ level: ctx.color ? 1 : 0 });
  const lines = [c.bold(`mapbloat diff: ${view.snapshots.length} snapshots, ${view.orderedBy}`)];
  view.snapshots.forEach((s, i) => {
    // The file name gives way on a narrow terminal, at its start: the end tells snapshots apart.
    const rest = `  ${s.time}    maps ${s.maps}  heap ${s.heap}`;
    const room = ctx.width === null ? length(s.source) : Math.max(12, ctx.width - 4 - length(rest));
    const source = ellipsizeStart(s.source, room);
    const rank = c.dim(String(i + 1).padStart(2));
    lines.push(`  ${rank}  ${s.time}  ${source}  ${c.dim('maps')} ${s.maps}  ${c.dim('heap')} ${s.heap}`);
  });
  const indented = (text: string, paint = (t: string) => t) =>
    wrap(text, ctx.width === null ? null : ctx.width - 4).map((line, k) => `${k === 0 ? '  ' : '    '}${paint(line)}`);
  lines.push('', ...indented(view.summary, c.bold), ...indented(view.heapSummary));
  if (view.verdict !== null) {
    lines.push(
      `  ${view.verdict.pass ? c.green(`within ${view.verdict.limits}`) : c.red(`exceeds ${view.verdict.limits}`)}`,
    );
  }
  lines.push('');
  if (view.rows.length > 0) {
    const rows = view.rows.map((row): Cell[] => [
      [row.rank, c.dim],
      [row.function, c.bold, row.shortFunction],
      [row.tableLocation.full, undefined, row.tableLocation.short],
      [row.first, row.first === NOT_VISIBLE ? c.dim : undefined],
      [row.last, row.last === NOT_VISIBLE ? c.dim : undefined],
      [row.delta, row.delta.startsWith('-') ? c.green : row.delta.startsWith('+') ? c.red : c.dim],
      [row.percent],
      [row.spark, c.cyan],
      [row.status, row.status === 'rising' ? c.red : undefined],
      ...(view.showVia ? [[row.via, c.dim] as Cell] : []),
    ]);
    append(lines, grid(view.columns, rows, c, ctx.width));
    lines.push('');
  }
  lines.push(c.dim(view.footer));
  append(lines, adviceLines(view.advice, c, ctx.width));
  return `${lines.join('\n')}\n`;
}

/** Where a header field's value starts: "  maps      25.4 MiB …" (after "allocated", the longest name). */
const FIELD_INDENT = 12;

/** Text in lines of at most `width` characters, broken at spaces; one line when width is null. */
function wrap(text: string, width: number | null): string[] {
  if (width === null || length(text) <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').map((w) => ellipsize(w, width))) {
    if (line !== '' && length(line) + 1 + length(word) > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

const length = (text: string) => [...text].length;

/**
 * Borderless columns with a rule under the header, like `go tool pprof -top`, fitted to `width`
 * columns of terminal: low-value columns dropped, long names shortened in the middle.
 */
function grid(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly Cell[]>,
  c: ChalkInstance,
  width: number | null,
): string[] {
  // Widest by a loop, not Math.max(...rows): one argument per row overflows the stack.
  const widest = (first: number, width: (row: readonly Cell[]) => number) =>
    rows.reduce((w, row) => Math.max(w, width(row)), first);
  const natural = columns.map((col, i) => widest(length(col.title), (row) => length(row[i][0])));
  const shortForms = columns.map((col, i) =>
    rows.some((row) => row[i][2] !== undefined) || col.shortTitle !== undefined
      ? widest(length(col.shortTitle ?? col.title), (row) => length(row[i][2] ?? row[i][0]))
      : undefined,
  );
  // A column that only has a short title may lose no more than that: its values are never cut.
  const specs = columns.map(
    (col, i) =>
      col.fit ?? (col.shortTitle === undefined ? {} : { shrink: { min: shortForms[i]!, floor: shortForms[i]! } }),
  );
  const steps = columns.map((col, i) =>
    col.fit?.whole === true
      ? wholeSteps(
          length(col.title),
          rows.map((row) => [length(row[i][0]), length(row[i][2] ?? row[i][0])] as const),
        )
      : undefined,
  );
  const { keep, max } =
    width === null
      ? { keep: natural.map(() => true), max: natural }
      : fitColumns(natural, shortForms, specs, width, steps);
  const kept = columns.flatMap((_, i) => (keep[i] ? [i] : []));
  const header = kept.map((i) =>
    c.bold(max[i] < length(columns[i].title) ? (columns[i].shortTitle ?? columns[i].title) : columns[i].title),
  );
  // A column shows its short forms in every row once one row needs them: one style per column;
  // a whole column's cells each take theirs only when they do not fit.
  const short = columns.map((_, i) => rows.some((row) => length(row[i][0]) > max[i] && row[i][2] !== undefined));
  const body = rows.map((row) =>
    kept.map((i) => {
      const [text, paint, alternative] = row[i];
      const shortHere = columns[i].fit?.whole === true ? length(text) > max[i] : short[i];
      const cut = ellipsize(shortHere && alternative !== undefined ? alternative : text, max[i]);
      return paint === undefined ? cut : paint(cut);
    }),
  );
  // cli-table3 lays a table out in time quadratic in its rows (a table of 30,000 sites took
  // minutes), and with a `head` copies the rows with push.apply, one argument per row (200,000
  // overflowed the stack). So the rows go in tables of CHUNK, each given the widths cli-table3
  // would choose for the whole table (the widest cell as it measures text, and the padding), the
  // header as the first row of the first: the lines are those of one table.
  const colWidths = kept.map(
    (_, k) => body.reduce((w, cells) => Math.max(w, tableText.strlen(cells[k])), tableText.strlen(header[k])) + 2,
  );
  const lines: string[] = [];
  for (let at = 0; at === 0 || at < body.length; at += CHUNK) {
    const table = new Table({
      colAligns: kept.map((i) => columns[i].align),
      colWidths,
      chars: {
        top: '',
        'top-mid': '',
        'top-left': '',
        'top-right': '',
        bottom: '',
        'bottom-mid': '',
        'bottom-left': '',
        'bottom-right': '',
        left: ' ',
        'left-mid': '',
        mid: '─',
        'mid-mid': '─',
        right: '',
        'right-mid': '',
        middle: ' ',
      },
      style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    });
    if (at === 0) table.push(header);
    for (const cells of body.slice(at, at + CHUNK)) table.push(cells);
    append(lines, table.toString().split('\n'));
  }
  // The rule cli-table3 draws under a head: its `mid` character across every column, the left border aside.
  lines.splice(1, 0, '─'.repeat(colWidths.reduce((sum, w) => sum + w, colWidths.length - 1)));
  // cli-table3 pads the last column; trailing blanks only get in the way of diffs and pipes.
  return lines.map((line) => line.trimEnd());
}

/** Rows per cli-table3 table (see grid). */
const CHUNK = 100;
