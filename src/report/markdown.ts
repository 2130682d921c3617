import { analyzeView, type Column } from './analyze-view.js';
import { diffView } from './diff-view.js';
import type { AnalyzeModel, DiffModel } from './model.js';

/** A compact report for a pull request or an issue. */
export function renderAnalyzeMarkdown(model: AnalyzeModel): string {
  const view = analyzeView(model);
  const lines = [
    `### mapbloat: map memory in \`${view.source}\``,
    '',
    `**${view.headline}** · Go maps: ${view.runtime} · profile time ${view.time}`,
    '',
    ...(view.owner === null ? [] : [`Owner: ${escapeCell(view.owner)}`, '']),
    ...(view.memStats === null ? [] : [`runtime.MemStats: ${view.memStats}`, '']),
    ...(view.sources === null ? [] : [`Source: ${escapeCell(view.sources)}`, '']),
  ];
  for (const note of view.notes) lines.push(`> ${escapeCell(note.message)}`, '');
  lines.push(
    ...markdownTable(
      view.columns,
      view.rows.map((row) => [
        row.rank,
        code(row.function),
        code(row.location),
        `**${row.values[0]}**`,
        ...row.values.slice(1),
        row.phases,
        ...(view.showVia ? [row.via === '' ? '' : code(row.via)] : []),
        ...(view.showEvidence ? [row.evidence] : []),
      ]),
    ),
  );
  lines.push(`<sub>${escapeCell(view.footer)}</sub>`);
  return `${lines.join('\n')}\n`;
}

const SNAPSHOT_COLUMNS: readonly Column[] = [
  { title: '#', align: 'right' },
  { title: 'snapshot', align: 'left' },
  { title: 'time', align: 'left' },
  { title: 'maps', align: 'right' },
  { title: 'heap', align: 'right' },
];

/** A pull-request comment: a one-line verdict, the snapshots, the ranked sites. */
export function renderDiffMarkdown(model: DiffModel): string {
  const view = diffView(model);
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

/** A table with a header and an alignment row, then a blank line; nothing without rows. */
function markdownTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string[] {
  if (rows.length === 0) return [];
  return [markdownRow(columns.map((col) => col.title)), alignmentRow(columns), ...rows.map(markdownRow), ''];
}

function markdownRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function alignmentRow(columns: readonly Column[]): string {
  return markdownRow(columns.map((col) => (col.align === 'right' ? '--:' : ':--')));
}

/** Inline code; a "|" would end the table cell even inside backticks. */
function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
