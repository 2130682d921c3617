import { Chalk, type ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { AnalyzeResult } from '../analysis/analyze.js';
import { analyzeView, type Column } from './analyze-view.js';

export interface RenderContext {
  /** ANSI colours: the CLI decides (a TTY, no NO_COLOR, no --no-color, not JSON). */
  readonly color: boolean;
}

/** An analysis and the input's name as the user gave it. */
export interface AnalyzeRenderInput {
  readonly result: AnalyzeResult;
  readonly source: string;
}

/** The ranked table for a terminal. Notes are not part of it: the CLI prints them on stderr. */
export function renderAnalyzeTable({ result, source }: AnalyzeRenderInput, ctx: RenderContext): string {
  const view = analyzeView(result, source);
  const c = new Chalk({ level: ctx.color ? 1 : 0 });
  const header = [
    c.bold(`mapbloat analyze ${view.source}`),
    field(c, 'time', view.time),
    field(c, 'runtime', `${view.runtime}; runtime frames ${view.runtimeFrames}`),
    field(c, 'sample', view.sampleType),
    field(c, 'heap', view.heap),
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

function field(c: ChalkInstance, name: string, value: string): string {
  return `  ${c.dim(name.padEnd(9))}${value}`;
}

/** Borderless columns with a rule under the header, like `go tool pprof -top`. */
export function gridTable(columns: readonly Column[], c: ChalkInstance): Table.Table {
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
