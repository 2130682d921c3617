import { Chalk } from 'chalk';
import type { DiffRenderInput } from './diff-json.js';
import { diffView } from './diff-view.js';
import { gridTable, type RenderContext } from './table.js';

/** The diff table for a terminal; notes and breaches go to stderr from the CLI. */
export function renderDiffTable({ diff, gate }: DiffRenderInput, ctx: RenderContext): string {
  const view = diffView(diff, gate);
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
