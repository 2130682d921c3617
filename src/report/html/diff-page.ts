import { diffView, type DiffView } from '../diff-view.js';
import { displayFunction, siteLocation } from '../format.js';
import type { DiffModel } from '../model.js';
import { DIFF_JS, REPORT_CSS, UPLOT_CSS, UPLOT_JS } from './client.generated.js';
import { htmlDocument } from './document.js';
import { escapeHtml } from './escape.js';
import { notesHtml } from './parts.js';
import { functionCell, tableData, tableHtml, type HtmlCell, type HtmlColumn, type HtmlTable } from './table.js';

/** How many sites get a chart of their own: the top of the ranking, rising ones first. */
const CHART_SITES = 12;

/**
 * `mapbloat diff --format html`: breaches first, the map and heap totals over time, a small chart
 * per top site, then every site. Built from the DiffModel alone, so that a live view (watch) can
 * render each new model the same way, or send diffHtmlData to a page it already shows.
 */
export function renderDiffHtml(model: DiffModel): string {
  const view = diffView(model);
  const table = sitesTable(model, view);
  return htmlDocument({
    title: `mapbloat diff: ${view.snapshots.length} snapshots`,
    body: diffBody(model, view, table),
    data: diffHtmlData(model, table),
    styles: [REPORT_CSS, UPLOT_CSS],
    scripts: [UPLOT_JS, DIFF_JS],
  });
}

/** What client/diff.js draws: the totals and the top sites' series on a time axis, and the table. */
function diffHtmlData({ diff }: DiffModel, table: HtmlTable): object {
  const t = diff.sampleIndex;
  return {
    sampleType: diff.snapshots[0].profile.sampleTypes[t],
    // Seconds since the epoch, as uPlot's time axis takes them; null when the times did not order the snapshots.
    times: diff.orderedBy === 'time' ? diff.snapshots.map((s) => s.profile.timeNanos / 1e9) : null,
    labels: diff.snapshots.map((s) => s.source),
    totals: {
      map: diff.snapshots.map((s, i) => (s.attribution.visibility === 'none' ? null : diff.totals.map[i][t])),
      heap: diff.totals.heap.map((v) => v[t]),
    },
    sites: diff.sites
      .slice(0, CHART_SITES)
      // null where the snapshot's maps are not visible: a gap in the chart, not a point at zero.
      .map((s) => ({ series: s.series.map((v) => (v === null ? null : v[t])), rising: s.trend === 'rising' })),
    table: tableData(table),
  };
}

function diffBody(model: DiffModel, view: DiffView, table: HtmlTable): string {
  const { diff } = model;
  const breaches =
    view.breaches.length === 0
      ? ''
      : '<div class="breaches" role="alert">Growth limit exceeded' +
        `<ul>${view.breaches.map(listItem).join('')}</ul></div>`;
  const verdict =
    view.verdict === null
      ? null
      : `<p class="${view.verdict.pass ? 'pass' : 'fail'}">` +
        `${view.verdict.pass ? 'within' : 'exceeds'} ${escapeHtml(view.verdict.limits)}</p>`;
  const snapshots = view.snapshots.map(
    (s, i) =>
      `<tr><td class="right muted">${i + 1}</td><td>${escapeHtml(s.time)}</td>` +
      `<td class="location">${escapeHtml(s.source)}</td>` +
      `<td class="right">${escapeHtml(s.maps)}</td><td class="right">${escapeHtml(s.heap)}</td></tr>`,
  );
  const charts = diff.sites.slice(0, CHART_SITES).map((site, i) => {
    const where = siteLocation(site);
    const badge = site.trend === 'rising' ? '<span class="badge">rising</span>' : '';
    return [
      `<figure><figcaption title="${escapeHtml(`${site.function} ${where}`)}">`,
      `${site.rank}. ${escapeHtml(displayFunction(site.function))}${badge}</figcaption>`,
      `<figcaption class="muted">${escapeHtml(`${where} · ${view.rows[i].delta} (${view.rows[i].percent})`)}` +
        '</figcaption>',
      `<div class="chart" data-site-chart="${i}"></div></figure>`,
    ].join('\n');
  });
  return [
    `<header><h1>mapbloat diff: ${view.snapshots.length} snapshots, ${escapeHtml(view.orderedBy)}</h1>`,
    breaches,
    `<p class="headline">${escapeHtml(view.summary)}</p>`,
    `<p>${escapeHtml(view.heapSummary)}</p>`,
    verdict ?? '',
    notesHtml(view.notes),
    '</header>',
    '<section><h2>Snapshots</h2><div class="table-wrap"><table id="snapshots">',
    '<thead><tr><th class="right">#</th><th>time</th><th>profile</th>',
    '<th class="right">maps</th><th class="right">heap</th></tr></thead>',
    `<tbody>${snapshots.join('')}</tbody></table></div></section>`,
    `<section><h2>Map and heap ${escapeHtml(view.sampleType)} over time</h2>`,
    '<div id="totals-chart" class="chart panel">',
    '<noscript>The charts need scripts; the tables have the numbers.</noscript></div></section>',
    ...(charts.length === 0
      ? []
      : [`<section><h2>Top sites over time</h2><div class="charts">`, ...charts, '</div></section>']),
    '<section><h2>Sites</h2>',
    tableHtml(table),
    '</section>',
    `<footer>${escapeHtml(view.footer)} · snapshots ${escapeHtml(view.orderedBy)}</footer>`,
  ].join('\n');
}

const listItem = (text: string): string => `<li>${escapeHtml(text)}</li>`;

/**
 * 'new' growth (from zero) sorts above every percentage: JSON has no Infinity, so the largest
 * number stands for it.
 */
const GROWTH_FROM_ZERO = Number.MAX_VALUE;

function sitesTable({ diff }: DiffModel, view: DiffView): HtmlTable {
  const t = diff.sampleIndex;
  const n = diff.snapshots.length;
  const value = (title: string): HtmlColumn => ({ title, align: 'right', numeric: true, cls: 'right' });
  const columns: HtmlColumn[] = [
    { title: '#', align: 'right', numeric: true, cls: 'right muted' },
    { title: 'owner', align: 'left', numeric: false, cls: 'name' },
    { title: 'location', align: 'left', numeric: false, cls: 'location' },
    value('first'),
    value('last'),
    value('delta'),
    value('%'),
    { title: 'series', align: 'left', numeric: false, cls: 'spark' },
    { title: n >= 3 ? 'trend' : 'status', align: 'left', numeric: false, cls: 'status' },
    ...(view.showVia ? [{ title: 'via', align: 'left' as const, numeric: false, cls: 'via' }] : []),
  ];
  const rows = diff.sites.map((site, r) => {
    const row = view.rows[r];
    // Unknown values (maps not visible) sort as the client sorts null: below every number.
    const first = site.series[0]?.[t] ?? null;
    const delta = site.delta?.[t] ?? null;
    const growth =
      first === null || delta === null
        ? null
        : delta === 0
          ? 0
          : first === 0
            ? Math.sign(delta) * GROWTH_FROM_ZERO
            : delta / first;
    const name = functionCell(row.function, site.function);
    const cells: HtmlCell[] = [
      row.rank,
      name,
      row.location,
      row.first,
      row.last,
      row.delta,
      row.percent,
      row.spark,
      row.status,
      ...(view.showVia ? [site.via === null ? '' : { t: row.fullVia, h: site.via }] : []),
    ];
    const keys = [
      site.rank,
      null,
      null,
      first,
      site.series[n - 1]?.[t] ?? null,
      delta,
      growth,
      null,
      null,
      ...(view.showVia ? [null] : []),
    ];
    return site.trend === 'rising' ? { c: cells, k: keys, r: 'rising' } : { c: cells, k: keys };
  });
  return { id: 'sites', columns, rows, noun: 'sites' };
}
