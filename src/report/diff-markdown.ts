import type { DiffRenderInput } from './diff-json.js';
import { diffView } from './diff-view.js';
import { alignmentRow, code, escapeCell, markdownRow } from './markdown.js';

/** A pull-request comment: a one-line verdict, the snapshots, the ranked sites. */
export function renderDiffMarkdown({ diff, gate }: DiffRenderInput): string {
  const view = diffView(diff, gate);
  const verdict =
    view.verdict === null
      ? `**${view.summary}**`
      : view.verdict.pass
        ? `✅ **${view.summary}**, within ${view.verdict.limits}`
        : `❌ **${view.summary}**, exceeds ${view.verdict.limits}`;
  const lines = ['### mapbloat diff', '', `${escapeCell(verdict)} · ${view.heapSummary}`, ''];
  for (const b of view.breaches) lines.push(`- ${escapeCell(b)}`);
  if (view.breaches.length > 0) lines.push('');
  for (const note of view.notes) lines.push(`> ${escapeCell(note.message)}`, '');
  lines.push(markdownRow(['#', 'snapshot', 'time', 'maps', 'heap']), markdownRow(['--:', ':--', ':--', '--:', '--:']));
  view.snapshots.forEach((s, i) => lines.push(markdownRow([String(i + 1), code(s.source), s.time, s.maps, s.heap])));
  lines.push('');
  if (view.rows.length > 0) {
    lines.push(markdownRow(view.columns.map((col) => col.title)), alignmentRow(view.columns));
    for (const row of view.rows) {
      lines.push(
        markdownRow([
          row.rank,
          code(row.function),
          code(row.location),
          row.first,
          row.last,
          `**${row.delta}**`,
          row.percent,
          row.spark,
          row.status,
          ...(view.showVia ? [row.via === '' ? '' : code(row.via)] : []),
        ]),
      );
    }
    lines.push('');
  }
  lines.push(`<sub>${escapeCell(view.footer)} · snapshots ${view.orderedBy}</sub>`);
  return `${lines.join('\n')}\n`;
}
