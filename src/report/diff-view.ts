import type { Values } from '../analysis/attribute.js';
import type { Gate } from '../analysis/gate.js';
import { diffAdviceFor } from './advice.js';
import { LAST_RESORT } from './fit.js';
import { FIT, isLowerBound, tableLocation, type Column, type Shortened } from './analyze-view.js';
import { printable, displayFunction, formatTime, formatValue, shortFunction, siteLocation } from './format.js';
import type { DiffModel } from './model.js';
import { formatDelta, formatDeltaPercent, plural, sitesShown, sparkline } from './phrases.js';
import type { NoteJson } from './schema.js';

/** What the diff table and markdown show, formatted. */
export interface DiffView {
  readonly sampleType: string;
  /** "map inuse_space +21.4 MiB (+612.0%) over 5 snapshots; 1 site rising" */
  readonly summary: string;
  /** "heap inuse_space +30.1 MiB (+380.2%)" */
  readonly heapSummary: string;
  readonly orderedBy: string;
  readonly snapshots: ReadonlyArray<{
    readonly source: string;
    readonly time: string;
    readonly maps: string;
    readonly heap: string;
  }>;
  readonly columns: readonly Column[];
  readonly rows: ReadonlyArray<{
    readonly rank: string;
    readonly function: string;
    readonly shortFunction: string;
    readonly location: string;
    readonly tableLocation: Shortened;
    readonly first: string;
    readonly last: string;
    readonly delta: string;
    readonly percent: string;
    readonly spark: string;
    readonly status: string;
    /** The library function, short ("go-cache.(*cache).Set"), and in full. */
    readonly via: string;
    readonly fullVia: string;
  }>;
  readonly showVia: boolean;
  readonly footer: string;
  /** Where a site's table grew between two snapshots, for the sites shown. */
  readonly advice: ReadonlyArray<{ readonly rank: string; readonly where: string; readonly message: string }>;
  /** One line per breach, as printed on stderr. */
  readonly breaches: readonly string[];
  /** The gate's verdict, when thresholds were given. */
  readonly verdict: { readonly pass: boolean; readonly limits: string } | null;
  readonly notes: readonly NoteJson[];
}

/** A site's value in a snapshot whose maps are not visible, as the snapshot lines say of its map total. */
export const NOT_VISIBLE = 'not visible';
/** A delta or percentage that needs a value not visible. */
export const UNKNOWN = '—';

function limits(gate: Gate): string[] {
  return [
    ...(gate.maxGrowth === null ? [] : [`--max-growth ${gate.maxGrowth.text}`]),
    ...(gate.maxSiteGrowth === null ? [] : [`--max-site-growth ${gate.maxSiteGrowth.text}`]),
  ];
}

/** The diff formatted for people: what the table, markdown and HTML renderers lay out. */
export function diffView({ diff, gate, notes, breaches }: DiffModel): DiffView {
  const t = diff.sampleIndex;
  const type = diff.snapshots[0].profile.sampleTypes[t];
  const n = diff.snapshots.length;
  const mapFirst = diff.totals.map[0][t];
  const mapDelta = diff.totals.map[n - 1][t] - mapFirst;
  const heapFirst = diff.totals.heap[0][t];
  const heapDelta = diff.totals.heap[n - 1][t] - heapFirst;
  const rising = diff.matched.filter((s) => s.trend === 'rising').length;
  const showVia = diff.sites.some((s) => s.via !== null);
  const visibility = diff.snapshots.map((s) => s.attribution.visibility);
  const hidden = visibility.map((v) => v === 'none');
  const inferred = visibility.includes('inferred')
    ? ', inferred from the source'
    : visibility.includes('partial')
      ? ', linknamed frames only'
      : '';
  const hiddenIn = hidden.every(Boolean)
    ? 'every snapshot'
    : `snapshot ${hidden.flatMap((h, i) => (h ? [i + 1] : [])).join(', ')}`;
  // A site's value where the snapshot's maps are not visible is unknown: said so, never "0 B".
  const cell = (values: Values | null) => (values === null ? NOT_VISIBLE : formatValue(values[t], type.unit));
  // The change needs the first and the last snapshot (as JSON's totalsDelta.map); one between them
  // not visible is said, and breaks no comparison.
  const mapSummary =
    hidden[0] || hidden[n - 1]
      ? `map ${type.type} not visible: runtime frames hidden in ${hiddenIn} (see the note)`
      : `map ${type.type} ${formatDelta(mapDelta, type)} (${formatDeltaPercent(mapFirst, mapDelta)}) over ${n} ` +
        `snapshots${inferred}` +
        (n >= 3 ? `; ${plural(rising, 'site')} rising` : '') +
        (hidden.some(Boolean) ? `; not visible in ${hiddenIn}` : '');

  return {
    sampleType: type.type,
    summary: mapSummary,
    heapSummary: `heap ${type.type} ${formatDelta(heapDelta, type)} (${formatDeltaPercent(heapFirst, heapDelta)})`,
    orderedBy: diff.orderedBy === 'time' ? 'by profile time' : 'as given (profile times missing or equal)',
    snapshots: diff.snapshots.map((s, i) => ({
      source: printable(s.source),
      time: formatTime(s.profile.timeNanos),
      maps: hidden[i]
        ? NOT_VISIBLE
        : `${isLowerBound(visibility[i]) ? '≥ ' : ''}${formatValue(diff.totals.map[i][t], type.unit)}`,
      heap: formatValue(diff.totals.heap[i][t], type.unit),
    })),
    columns: [
      { title: '#', align: 'right' },
      { title: 'owner', align: 'left', fit: FIT.name },
      { title: 'location', align: 'left', fit: FIT.location },
      { title: 'first', align: 'right', fit: { drop: 2 } },
      { title: 'last', align: 'right', fit: { drop: LAST_RESORT } },
      { title: 'delta', align: 'right' },
      { title: '%', align: 'right', fit: { drop: 3 } },
      { title: 'series', align: 'left', fit: { drop: 4 } },
      { title: n >= 3 ? 'trend' : 'status', align: 'left' },
      ...(showVia ? [{ title: 'via', align: 'left' as const, fit: { ...FIT.via, drop: 1 } }] : []),
    ],
    rows: diff.sites.map((site) => ({
      rank: String(site.rank),
      function: displayFunction(site.function),
      shortFunction: shortFunction(site.function),
      location: printable(siteLocation(site)),
      tableLocation: tableLocation(site),
      first: cell(site.series[0]),
      last: cell(site.series[n - 1]),
      delta: site.delta === null ? UNKNOWN : formatDelta(site.delta[t], type),
      percent:
        site.delta === null || site.series[0] === null ? UNKNOWN : formatDeltaPercent(site.series[0][t], site.delta[t]),
      spark: sparkline(site.series.map((v) => (v === null ? null : v[t]))),
      status:
        site.trend === null
          ? site.status
          : site.status === 'new' || site.status === 'gone'
            ? `${site.trend} (${site.status})`
            : site.trend,
      via: site.via === null ? '' : shortFunction(site.via),
      fullVia: site.via === null ? '' : displayFunction(site.via),
    })),
    showVia,
    advice: diff.sites.flatMap((site) =>
      diffAdviceFor(site).map((a) => ({
        rank: String(site.rank),
        where: `${displayFunction(site.function)} ${printable(siteLocation(site))}`,
        message: a.message,
      })),
    ),
    footer:
      diff.siteCount === 0
        ? 'no map sites in any snapshot'
        : sitesShown(diff.sites.length, diff.matched.length, diff.siteCount, diff.focus),
    breaches: breaches.map(printable),
    verdict: limits(gate).length === 0 ? null : { pass: gate.breaches.length === 0, limits: limits(gate).join(', ') },
    notes: notes.map((n) => ({ ...n, message: printable(n.message) })),
  };
}
