import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { analyzeView, type Column } from './analyze-view.js';
import { diffView } from './diff-view.js';
import type { RenderContext } from './index.js';
import type { AnalyzeModel, DiffModel } from './model.js';

/** The ranked table for a terminal. Notes are not part of it: the CLI prints them on stderr. */
export function renderAnalyzeTable(model: AnalyzeModel, ctx: RenderContext): string {
  const view = analyzeView(model);
  const c = new Chalk({ level: ctx.color ? 1 : 0 });
  const header = [
    c.bold(`mapbloat analyze ${view.source}`),
    field(c, 'time', view.time),
    field(c, 'runtime', `${view.runtime}; runtime frames ${view.runtimeFrames}`),
    field(c, 'sample', view.sampleType),
    field(c, view.heapLabel, view.heap),
    field(c, 'maps', c.bold(view.maps)),
    ...(view.memStats === null ? [] : [field(c, 'memstats', view.memStats)]),
    ...(view.sources === null ? [] : [field(c, 'sources', view.sources)]),
  ];
  const lines = [...header, ''];
  if (view.rows.length > 0) {
    const table = gridTable(view.columns, c);
    for (const row of view.rows) {
      table.push([
        c.dim(row.rank),
        c.bold(row.function),
        row.location,
        c.cyan(row.values[0]),
        ...row.values.slice(1),
        row.phases,
        ...(view.showVia ? [c.dim(row.via)] : []),
        ...(view.showEvidence ? [row.evidence.endsWith('mixed') ? c.yellow(row.evidence) : row.evidence] : []),
      ]);
    }
    // cli-table3 pads the last column; trailing blanks only get in the way of diffs and pipes.
    lines.push(...table.toString().split('\n').map((line) => line.trimEnd()), '');
  }
  lines.push(c.dim(view.footer));
  return `${lines.join('\n')}\n`;
}

/** The diff table for a terminal; notes and breaches go to stderr from the CLI. */
export function renderDiffTable(model: DiffModel, ctx: RenderContext): string {
  const view = diffView(model);
  const c = new Chalk({ level: ctx.color ? 1 : 0 });
  const lines = [c.bold(`mapbloat diff: ${view.snapshots.length} snapshots, ${view.orderedBy}`)];
  view.snapshots.forEach((s, i) => {
    lines.push(`  ${c.dim(String(i + 1).padStart(2))}  ${s.time}  ${s.source}  ${c.dim('maps')} ${s.maps}  ${c.dim('heap')} ${s.heap}`);
  });
  lines.push('', `  ${c.bold(view.summary)}`, `  ${view.heapSummary}`);
  if (view.verdict !== null) {
    lines.push(`  ${view.verdict.pass ? c.green(`within ${view.verdict.limits}`) : c.red(`exceeds ${view.verdict.limits}`)}`);
  }
  lines.push('');
  if (view.rows.length > 0) {
    const table = gridTable(view.columns, c);
    for (const row of view.rows) {
      const deltaColor = row.delta.startsWith('-') ? c.green : row.delta.startsWith('+') ? c.red : c.dim;
      table.push([
        c.dim(row.rank),
        c.bold(row.function),
        row.location,
        row.first,
        row.last,
        deltaColor(row.delta),
        row.percent,
        c.cyan(row.spark),
        row.status === 'rising' ? c.red(row.status) : row.status,
        ...(view.showVia ? [c.dim(row.via)] : []),
      ]);
    }
    lines.push(...table.toString().split('\n').map((line) => line.trimEnd()), '');
  }
  lines.push(c.dim(view.footer));
  return `${lines.join('\n')}\n`;
}

function field(c: ChalkInstance, name: string, value: string): string {
  return `  ${c.dim(name.padEnd(9))}${value}`;
}

/** Borderless columns with a rule under the header, like `go tool pprof -top`. */
function gridTable(columns: readonly Column[], c: ChalkInstance): Table.Table {
  return new Table({
    head: columns.map((col) => c.bold(col.title)),
    colAligns: columns.map((col) => col.align),
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
      bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: ' ', 'left-mid': '', mid: '─', 'mid-mid': '─',
      right: '', 'right-mid': '', middle: ' ',
    },
    style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
  });
}
