import { UsageError } from '../errors.js';
import type { Evidence } from '../stacks/recover.js';
import type { Granularity, MapSite, Values } from './attribute.js';
import type { MapShape } from './attribution/shapes.js';
import { compareStrings } from './rank.js';
import { resolveQuery, selectSites, type Query } from './select.js';
import type { Snapshot } from './snapshot.js';

/** unknown: the first or the last snapshot's maps are not visible, so neither new nor gone can be told. */
export type Status = 'new' | 'gone' | 'grown' | 'shrunk' | 'unchanged' | 'unknown';
/** unknown: fewer than two snapshots with visible maps. */
export type Trend = 'rising' | 'falling' | 'flat' | 'mixed' | 'unknown';

export interface SiteSeries {
  readonly rank: number;
  readonly function: string;
  readonly file: string;
  readonly line: number | null;
  /** From the last snapshot that has the site. */
  readonly via: string | null;
  readonly evidence: Evidence;
  /**
   * One value row per snapshot, zeros where the site is absent; null where it is absent from a
   * snapshot whose maps are not visible (mapVisibility "none"), only partly ("partial"), or inferred
   * from a source tree that did not find every profile line: unknown, never a false zero.
   */
  readonly series: ReadonlyArray<Values | null>;
  /** Last minus first, every sample type; null when the first or the last is not visible. */
  readonly delta: Values | null;
  readonly status: Status;
  /** Only with three or more snapshots; over the snapshots whose maps are visible. */
  readonly trend: Trend | null;
  /** Source evidence: some line of the site also allocates non-map memory. */
  readonly mixed: boolean;
  /** Per snapshot, the shape of the site's maps (null where absent or unknown). */
  readonly shapes: ReadonlyArray<MapShape | null>;
  /** The series and delta exactly, when a snapshot had values past 2^53 for the site; else null. */
  readonly exact: {
    readonly series: ReadonlyArray<readonly bigint[] | null>;
    readonly delta: readonly bigint[] | null;
  } | null;
}

export interface DiffResult {
  /** In time order. */
  readonly snapshots: readonly Snapshot[];
  /** "arguments" when some profiles had no time or the same time. */
  readonly orderedBy: 'time' | 'arguments';
  readonly sampleIndex: number;
  readonly granularity: Granularity;
  readonly focus: string | null;
  readonly totals: { readonly heap: readonly Values[]; readonly map: readonly Values[] };
  /** Every site matching the focus, ranked; thresholds look at all of them. */
  readonly matched: readonly SiteSeries[];
  /** What reports list: matched, cut to top. */
  readonly sites: readonly SiteSeries[];
  readonly siteCount: number;
}

/** Snapshots → per-site series (docs/attribution.md §7 mapbloat/diff@1). */
export function diffSnapshots(input: readonly Snapshot[], query: Query = {}): DiffResult {
  if (input.length < 2) throw new UsageError(`diff needs two or more profiles, got ${input.length}`);
  requireSameSampleTypes(input);
  const { snapshots, orderedBy } = timeOrder(input);
  const first = snapshots[0].profile;
  const selection = resolveQuery(first, query);
  const { sampleIndex } = selection;
  const granularity = snapshots[0].attribution.granularity;
  const nTypes = first.sampleTypes.length;
  const n = snapshots.length;

  // A snapshot whose maps are not visible holds no sites: its value for every site is unknown, not 0.
  // One that sees only linknamed frames ("partial") holds the sites they show, and one inferred from
  // a source tree that did not find every profile line (the standard library's, without $GOROOT)
  // the sites of the lines it found: for the others too.
  const visible = snapshots.map(
    (s) =>
      s.attribution.visibility === 'exact' ||
      (s.attribution.visibility === 'inferred' && s.sourceStats !== null && s.sourceStats.unresolvedLines === 0),
  );
  interface Acc {
    site: MapSite;
    series: Array<Values | null>;
    shapes: Array<MapShape | null>;
    exact: Array<readonly bigint[] | null>;
  }
  const bySite = new Map<string, Acc>();
  snapshots.forEach((snap, s) => {
    for (const site of snap.attribution.sites) {
      const key = `${site.function}\u0000${site.file}\u0000${site.line ?? ''}`;
      let acc = bySite.get(key);
      if (acc === undefined) {
        acc = {
          site,
          series: visible.map((v) => (v ? new Array<number>(nTypes).fill(0) : null)),
          shapes: new Array(n).fill(null),
          exact: new Array(n).fill(null),
        };
        bySite.set(key, acc);
      }
      acc.site = site; // the latest snapshot's via and evidence win
      acc.series[s] = site.values;
      acc.shapes[s] = site.shape;
      acc.exact[s] = site.exact?.values ?? null;
    }
  });

  const unranked = [...bySite.values()].map(({ site, series, shapes, exact }) => {
    const [head, tail] = [series[0], series[n - 1]];
    const delta = head === null || tail === null ? null : tail.map((v, t) => v - head[t]);
    return {
      function: site.function,
      file: site.file,
      line: site.line,
      via: site.via,
      evidence: site.evidence,
      series,
      delta,
      mixed: site.mixed,
      shapes,
      exact: exactSeries(series, exact),
      status: status(series, delta, sampleIndex),
      trend: n >= 3 ? visibleTrend(series.map((v) => (v === null ? null : v[sampleIndex]))) : null,
    };
  });
  const ranked = rankSeries(unranked, sampleIndex, n).map((site, i) => ({ ...site, rank: i + 1 }));
  const { matched, shown } = selectSites(ranked, selection);
  return {
    snapshots,
    orderedBy,
    sampleIndex,
    granularity,
    focus: selection.focus,
    totals: {
      heap: snapshots.map((s) => s.attribution.totals.heap),
      map: snapshots.map((s) => s.attribution.totals.map),
    },
    matched,
    sites: shown,
    siteCount: ranked.length,
  };
}

/** Exact series where some snapshot's values were past 2^53 (the others are exact numbers). */
function exactSeries(
  series: ReadonlyArray<Values | null>,
  exact: ReadonlyArray<readonly bigint[] | null>,
): SiteSeries['exact'] {
  if (exact.every((e) => e === null)) return null;
  const rows = series.map((values, s) => exact[s] ?? values?.map((v) => BigInt(v)) ?? null);
  const [head, tail] = [rows[0], rows[rows.length - 1]];
  return { series: rows, delta: head === null || tail === null ? null : tail.map((v, t) => v - head[t]) };
}

function requireSameSampleTypes(snapshots: readonly Snapshot[]): void {
  const names = (s: Snapshot) => s.profile.sampleTypes.map((t) => `${t.type}/${t.unit}`).join(', ');
  const base = names(snapshots[0]);
  for (const snap of snapshots.slice(1)) {
    if (names(snap) !== base) {
      throw new UsageError(
        `${snap.source} has sample types ${names(snap)} but ${snapshots[0].source} has ${base}: diff ` +
          `compares profiles of one kind`,
      );
    }
  }
}

/** By time_nanos; argument order when any time is missing or two are equal. */
function timeOrder(snapshots: readonly Snapshot[]): { snapshots: Snapshot[]; orderedBy: 'time' | 'arguments' } {
  // Exactly: two snapshots 100 ns apart are one double apart or none.
  const time = (s: Snapshot) => s.profile.timeNanosExact ?? BigInt(s.profile.timeNanos);
  const times = snapshots.map(time);
  if (times.some((t) => t <= 0n) || new Set(times).size < times.length)
    return { snapshots: [...snapshots], orderedBy: 'arguments' };
  const order = [...snapshots].sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0));
  return { snapshots: order, orderedBy: 'time' };
}

const isAbsent = (values: Values): boolean => values.every((v) => v === 0);

function status(series: ReadonlyArray<Values | null>, delta: Values | null, sampleIndex: number): Status {
  const [head, tail] = [series[0], series[series.length - 1]];
  // A site absent where the maps were not visible may have been there all along.
  if (head === null || tail === null || delta === null) return 'unknown';
  if (isAbsent(head)) return 'new';
  if (isAbsent(tail)) return 'gone';
  const d = delta[sampleIndex];
  return d > 0 ? 'grown' : d < 0 ? 'shrunk' : 'unchanged';
}

/** The trend of the points that are known; unknown with fewer than two. */
export function visibleTrend(values: ReadonlyArray<number | null>): Trend {
  const known = values.filter((v): v is number => v !== null);
  return known.length < 2 ? 'unknown' : trend(known);
}

/** docs/attribution.md §7 trend of the selected sample type's series. */
export function trend(values: readonly number[]): Trend {
  let up = false;
  let down = false;
  for (let i = 1; i < values.length; i++) {
    if (values[i] > values[i - 1]) up = true;
    if (values[i] < values[i - 1]) down = true;
  }
  if (!up && !down) return 'flat';
  if (up && !down) return 'rising';
  if (down && !up) return 'falling';
  return 'mixed';
}

/**
 * Rising sites first (with ≥ 3 snapshots), then by delta, by the last value, by name. Where the
 * delta is unknown (the site is absent from a first or last snapshot that could not see it), the
 * last value known stands for it: the size the site is seen at, what it grew to at most when the
 * first snapshot is the unknown one.
 */
function rankSeries<T extends Omit<SiteSeries, 'rank'>>(sites: T[], sampleIndex: number, n: number): T[] {
  // The keys once per site, not per comparison: a sort compares each site log(n) times.
  const keys = new Map(
    sites.map((s) => {
      let last = s.series.length - 1;
      while (last > 0 && s.series[last] === null) last--;
      const lastKnown = s.series[last]?.[sampleIndex] ?? 0;
      const rising = n >= 3 && s.trend === 'rising' ? 0 : 1;
      return [s, { rising, delta: s.delta?.[sampleIndex] ?? lastKnown, lastKnown }];
    }),
  );
  return sites.sort((a, b) => {
    const [ka, kb] = [keys.get(a)!, keys.get(b)!];
    return (
      ka.rising - kb.rising ||
      kb.delta - ka.delta ||
      kb.lastKnown - ka.lastKnown ||
      compareStrings(a.function, b.function) ||
      compareStrings(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0)
    );
  });
}
