import { analyzeView, type Column } from './analyze-view.js';
import { append } from './lines.js';
import { diffView, UNKNOWN } from './diff-view.js';
import type { AnalyzeModel, DiffModel } from './model.js';

/** A compact report for a pull request or an issue. */
export function renderAnalyzeMarkdown(model: AnalyzeModel): string {
  const view = analyzeView(model);
  const lines = [
    `### mapbloat: map memory in ${code(view.source)}`,
    '',
    `**${md(view.headline)}** · Go maps: ${md(view.runtime)} · profile time ${md(view.time)}`,
    '',
    ...(view.owner === null ? [] : [`Owner: ${md(view.owner)}`, '']),
    ...(view.memStats === null ? [] : [`runtime.MemStats: ${md(view.memStats)}`, '']),
    ...(view.sources === null ? [] : [`Source: ${md(view.sources)}`, '']),
  ];
  for (const note of view.notes) lines.push(`> ${md(note.message)}`, '');
  append(
    lines,
    markdownTable(
      view.columns,
      view.rows.map((row) => [
        row.rank,
        code(row.function),
        code(row.location),
        `**${md(row.values[0])}**`,
        ...row.values.slice(1).map(md),
        md(row.phases),
        ...(view.showShape ? [md(row.shape)] : []),
        ...(view.showVia ? [row.via === '' ? '' : code(row.via)] : []),
        ...(view.showEvidence ? [md(row.evidence)] : []),
      ]),
    ),
  );
  append(lines, adviceList(view.advice));
  lines.push(`<sub>${md(view.footer)}</sub>`);
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
  const summary = `**${md(view.summary)}**`;
  const verdict =
    view.verdict === null
      ? summary
      : view.verdict.pass
        ? `✅ ${summary}, within ${md(view.verdict.limits)}`
        : `❌ ${summary}, exceeds ${md(view.verdict.limits)}`;
  const lines = ['### mapbloat diff', '', `${verdict} · ${md(view.heapSummary)}`, ''];
  for (const b of view.breaches) lines.push(`- ${md(b)}`);
  if (view.breaches.length > 0) lines.push('');
  for (const note of view.notes) lines.push(`> ${md(note.message)}`, '');
  append(
    lines,
    markdownTable(
      SNAPSHOT_COLUMNS,
      view.snapshots.map((s, i) => [String(i + 1), code(s.source), md(s.time), md(s.maps), md(s.heap)]),
    ),
  );
  append(
    lines,
    markdownTable(
      view.columns,
      view.rows.map((row) => [
        row.rank,
        code(row.function),
        code(row.location),
        md(row.first),
        md(row.last),
        row.delta === UNKNOWN ? md(row.delta) : `**${md(row.delta)}**`,
        md(row.percent),
        row.spark,
        md(row.status),
        ...(view.showVia ? [row.via === '' ? '' : code(row.via)] : []),
      ]),
    ),
  );
  append(lines, adviceList(view.advice));
  lines.push(`<sub>${md(view.footer)} · snapshots ${md(view.orderedBy)}</sub>`);
  return `${lines.join('\n')}\n`;
}

/** Advice under a table, one item per site and advice. */
function adviceList(
  advice: ReadonlyArray<{ readonly rank: string; readonly where: string; readonly message: string }>,
): string[] {
  if (advice.length === 0) return [];
  return ['**Advice**', '', ...advice.map((a) => `- #${a.rank} ${code(a.where)}: ${md(a.message)}`), ''];
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

/**
 * Inline code that stays inline code whatever the text holds: a fence of one backtick more than
 * the longest run in it (CommonMark), and "|" escaped, which would end the table cell even there.
 */
function code(text: string): string {
  // A loop, not Math.max(...runs): a name of 200,000 runs of backticks would overflow the stack.
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/**
 * Plain text in markdown: every character that could start markup escaped, HTML's as entities,
 * so that a name from a crafted profile can add no heading, link, image or tag to a PR comment.
 */
function md(text: string): string {
  return text
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!)
    .replace(/[\\`*_[\]|!#~]/g, '\\$&');
}
