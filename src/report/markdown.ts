import { analyzeView, type Column } from './analyze-view.js';
import type { AnalyzeRenderInput } from './table.js';

/** A compact report for a pull request or an issue. */
export function renderAnalyzeMarkdown({ result, source }: AnalyzeRenderInput): string {
  const view = analyzeView(result, source);
  const lines = [
    `### mapbloat: map memory in \`${view.source}\``,
    '',
    `**${view.headline}** · Go maps: ${view.runtime} · profile time ${view.time}`,
    '',
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

/** A table with a header and an alignment row, then a blank line; nothing without rows. */
export function markdownTable(columns: readonly Column[], rows: ReadonlyArray<readonly string[]>): string[] {
  if (rows.length === 0) return [];
  return [markdownRow(columns.map((col) => col.title)), alignmentRow(columns), ...rows.map(markdownRow), ''];
}

export function markdownRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function alignmentRow(columns: readonly Column[]): string {
  return markdownRow(columns.map((col) => (col.align === 'right' ? '--:' : ':--')));
}

/** Inline code; a "|" would end the table cell even inside backticks. */
export function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
