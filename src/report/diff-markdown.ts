import type { DiffRenderInput } from './diff-json.js';
import { diffView } from './diff-view.js';
import type { Column } from './analyze-view.js';
import { code, escapeCell, markdownTable } from './markdown.js';

const SNAPSHOT_COLUMNS: readonly Column[] = [
  { title: '#', align: 'right' },
  { title: 'snapshot', align: 'left' },
  { title: 'time', align: 'left' },
  { title: 'maps', align: 'right' },
  { title: 'heap', align: 'right' },
];

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
  lines.push(...markdownTable(SNAPSHOT_COLUMNS, view.snapshots.map((s, i) => [String(i + 1), code(s.source), s.time, s.maps, s.heap])));
  lines.push(
    ...markdownTable(
      view.columns,
      view.rows.map((row) => [
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
    ),
  );
  lines.push(`<sub>${escapeCell(view.footer)} · snapshots ${view.orderedBy}</sub>`);
  return `${lines.join('\n')}\n`;
}
