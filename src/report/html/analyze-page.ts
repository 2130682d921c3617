import type { StackNode } from '../../analysis/map-stacks.js';
import { PHASE_DISPLAY_ORDER } from '../../go/phase.js';
import { analyzeView, type AnalyzeView } from '../analyze-view.js';
import { formatValue, printable } from '../format.js';
import type { AnalyzeModel } from '../model.js';
import { plural } from '../phrases.js';
import { ANALYZE_JS, REPORT_CSS } from './client.generated.js';
import { htmlDocument } from './document.js';
import { escapeHtml } from './escape.js';
import { factsHtml, notesHtml } from './parts.js';
import { phaseBarsHtml } from './phase-bars.js';
import { packStacks } from './stacks-data.js';
import { functionCell, tableData, tableHtml, type HtmlCell, type HtmlColumn, type HtmlTable } from './table.js';

/** `mapbloat analyze --format html`: the header, the top sites by phase, the flame graph, every site. */
export function renderAnalyzeHtml(model: AnalyzeModel): string {
  const view = analyzeView(model);
  const { result } = model;
  const types = result.profile.sampleTypes;
  const table = sitesTable(model, view);
  const body = [
    `<header><h1>mapbloat analyze <code>${escapeHtml(view.source)}</code></h1>`,
    `<p class="headline">${escapeHtml(view.headline)}</p>`,
    factsHtml([
      ['time', view.time],
      ['runtime', `${view.runtime}; runtime frames ${view.runtimeFrames}`],
      ['sample', view.sampleType],
      [view.heapLabel, view.heap],
      ['maps', view.maps],
      ['evidence', evidenceLine(model)],
      ['owner', view.owner],
      ['memstats', view.memStats],
      ['sources', view.sources],
    ]),
    notesHtml(view.notes),
    '</header>',
    ...(result.sites.length === 0
      ? []
      : ['<section><h2>Top sites by phase</h2>', phaseBarsHtml(result.sites, types, result.sampleIndex), '</section>']),
    ...(model.stacks === null || model.stacks.root.children.length === 0 ? [] : [flameHtml(model)]),
    `<section><h2>Sites</h2>`,
    tableHtml(table),
    '</section>',
    `<footer>${escapeHtml(view.footer)}</footer>`,
  ].join('\n');
  return htmlDocument({
    title: `mapbloat analyze ${view.source}`,
    body,
    data: {
      sampleTypes: types,
      table: tableData(table),
      stacks: model.stacks === null ? null : packStacks(model.stacks),
    },
    styles: [REPORT_CSS],
    scripts: [ANALYZE_JS],
  });
}

/** "frames: 6 sites · source: 2 sites (1 mixed)". */
function evidenceLine({ result }: AnalyzeModel): string | null {
  if (result.sites.length === 0) return null;
  const kinds = ['frames', 'binary', 'source'] as const;
  return kinds
    .flatMap((kind) => {
      const sites = result.sites.filter((s) => s.evidence === kind);
      const mixed = sites.filter((s) => s.mixed).length;
      return sites.length === 0
        ? []
        : [`${kind}: ${plural(sites.length, 'site')}${mixed > 0 ? ` (${mixed} mixed)` : ''}`];
    })
    .join(' · ');
}

const FLAME_KINDS = [
  ['owner', 'owner'],
  ['via', 'via'],
  ['map', 'map runtime code'],
  ['recovered', 'recovered from the binary'],
  ['inferred', 'inferred from source'],
  ['code', 'other code'],
] as const;

function flameHtml({ result, stacks }: AnalyzeModel): string {
  const types = result.profile.sampleTypes;
  // The legend names only what the graph draws.
  const drawn = new Set<string>();
  const visit = (node: StackNode): void => {
    drawn.add(node.kind === 'phase' ? `phase-${node.name}` : node.kind);
    node.children.forEach(visit);
  };
  if (stacks !== null) visit(stacks.root);
  const legend = [
    ...FLAME_KINDS.filter(([k]) => drawn.has(k)).map(
      ([k, label]) => `<span><span class="swatch" style="background:var(--${k})"></span>${label}</span>`,
    ),
    ...PHASE_DISPLAY_ORDER.filter((p) => drawn.has(`phase-${p}`)).map(
      (p) => `<span><span class="swatch phase-${p}"></span>${p}</span>`,
    ),
  ];
  const options = types.map(
    (t, i) => `<option value="${i}"${i === result.sampleIndex ? ' selected' : ''}>${escapeHtml(t.type)}</option>`,
  );
  return [
    '<section><h2>Where the map memory comes from</h2>',
    '<p class="muted">Every stack that leads to a map, root on top: the owner, the library it went through',
    '(via), the map operation and its phase. Click a frame to zoom in, a frame above it to zoom out.',
    stacks !== null && stacks.merged > 0 ? ` Frames below 0.1% of every sample type are merged into "other".` : '',
    result.focus === null
      ? ''
      : ` Only the sites matching --focus ${escapeHtml(printable(JSON.stringify(result.focus)))}.`,
    '</p>',
    '<div class="controls" id="flame-controls" hidden>',
    `<label>sample type <select id="flame-type">${options.join('')}</select></label></div>`,
    `<div class="legend">${legend.join('')}</div>`,
    '<div id="flame" class="flame panel">',
    '<noscript>The flame graph needs scripts; the table below has every site.</noscript></div>',
    '</section>',
  ].join('\n');
}

function sitesTable({ result }: AnalyzeModel, view: AnalyzeView): HtmlTable {
  const types = result.profile.sampleTypes;
  const t = result.sampleIndex;
  const others = types.flatMap((_, i) => (i === t ? [] : [i]));
  const mapTotal = result.attribution.totals.map[t];
  const value = (title: string): HtmlColumn => ({ title, align: 'right', numeric: true, cls: 'right' });
  const columns: HtmlColumn[] = [
    { title: '#', align: 'right', numeric: true, cls: 'right muted' },
    { title: 'owner', align: 'left', numeric: false, cls: 'name' },
    { title: 'location', align: 'left', numeric: false, cls: 'location' },
    value(types[t].type),
    value('% maps'),
    ...others.map((i) => value(types[i].type)),
    { title: 'phases', align: 'left', numeric: false, cls: 'phases' },
    ...(view.showVia ? [{ title: 'via', align: 'left' as const, numeric: false, cls: 'via' }] : []),
    ...(view.showEvidence ? [{ title: 'evidence', align: 'left' as const, numeric: false, cls: 'evidence' }] : []),
  ];
  const rows = result.sites.map((site, r) => {
    const row = view.rows[r];
    const name = functionCell(row.function, site.function);
    const cells: HtmlCell[] = [
      row.rank,
      name,
      row.location,
      formatValue(site.values[t], types[t].unit),
      row.values[1],
      ...others.map((i) => formatValue(site.values[i], types[i].unit)),
      row.phases,
      ...(view.showVia ? [site.via === null ? '' : { t: row.fullVia, h: site.via }] : []),
      ...(view.showEvidence ? [site.mixed ? { t: row.evidence, x: 'mixed' } : row.evidence] : []),
    ];
    const keys = [
      site.rank,
      null,
      null,
      site.values[t],
      view.shares && mapTotal !== 0 ? site.values[t] / mapTotal : null,
      ...others.map((i) => site.values[i]),
    ];
    return { c: cells, k: [...keys, ...cells.slice(keys.length).map(() => null)] };
  });
  return { id: 'sites', columns, rows, noun: 'sites' };
}
