import { Chalk } from 'chalk';
import type { DiffResult } from '../analysis/diff.js';
import { diffView, type GateOutcome } from './diff-view.js';
import { valuesJson, profileJson } from './json.js';
import { alignmentRow, code, escapeCell, markdownRow } from './markdown.js';
import type { DiffJson, DiffSiteJson } from './schema.js';
import { gridTable, type RenderContext } from './table.js';

export type DiffRenderInput = { readonly diff: DiffResult; readonly gate: GateOutcome };

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

export function diffJson({ diff, gate }: DiffRenderInput): DiffJson {
  const types = diff.snapshots[0].profile.sampleTypes;
  const n = diff.snapshots.length;
  const view = diffView(diff, gate);
  const delta = (series: readonly (readonly number[])[]) => valuesJson(types, series[n - 1].map((v, t) => v - series[0][t]));
  return {
    schema: 'mapbloat/diff@1',
    snapshots: diff.snapshots.map((s) => profileJson(s, s.source)),
    orderedBy: diff.orderedBy,
    sampleIndex: types[diff.sampleIndex].type,
    granularity: diff.granularity,
    focus: diff.focus,
    totals: { heap: diff.totals.heap.map((v) => valuesJson(types, v)), map: diff.totals.map.map((v) => valuesJson(types, v)) },
    totalsDelta: { heap: delta(diff.totals.heap), map: delta(diff.totals.map) },
    sites: diff.sites.map((site): DiffSiteJson => ({
      rank: site.rank,
      function: site.function,
      file: site.file,
      line: site.line,
      via: site.via,
      evidence: site.evidence,
      series: site.series.map((v) => valuesJson(types, v)),
      delta: valuesJson(types, site.delta),
      deltaPercent: Object.fromEntries(
        types.map((t, i) => [t.type, site.series[0][i] === 0 ? null : (100 * site.delta[i]) / site.series[0][i]]),
      ),
      status: site.status,
      ...(site.trend === null ? {} : { trend: site.trend }),
      mixed: site.mixed,
    })),
    siteCounts: { total: diff.siteCount, matched: diff.matched.length, shown: diff.sites.length },
    gate: {
      maxGrowth: gate.maxGrowth?.text ?? null,
      maxSiteGrowth: gate.maxSiteGrowth?.text ?? null,
      breaches: gate.breaches.map((b, i) => ({
        option: b.option,
        scope: b.scope,
        function: b.site?.function ?? null,
        file: b.site?.file ?? null,
        line: b.site?.line ?? null,
        limit: b.threshold.text,
        first: b.first,
        delta: b.delta,
        message: view.breaches[i],
      })),
    },
    notes: [...view.notes],
  };
}

export function renderDiffJson(input: DiffRenderInput): string {
  return `${JSON.stringify(diffJson(input), null, 2)}\n`;
}
