import type { MapSite } from './attribute.js';
import { rankSites } from './rank.js';
import { resolveQuery, selectSites, type Query } from './select.js';
import type { Snapshot } from './snapshot.js';

/** A site and its 1-based place in the ranking of all sites (focus and top keep it). */
export type RankedSite = MapSite & { readonly rank: number };

export interface AnalyzeResult extends Snapshot {
  readonly sampleIndex: number;
  readonly focus: string | null;
  /** The sites shown: ranked, filtered by focus, cut to top. */
  readonly sites: readonly RankedSite[];
  /** How many sites the profile has, and how many of them match the focus. */
  readonly siteCount: number;
  readonly matchedCount: number;
}

/** A snapshot → its ranked map sites: the whole of `mapbloat analyze` short of rendering. */
export function analyzeSnapshot(snapshot: Snapshot, query: Query = {}): AnalyzeResult {
  const selection = resolveQuery(snapshot.profile, query);
  const { sampleTypes, sites } = snapshot.attribution;
  const ranked = rankSites(sites, sampleTypes, selection.sampleIndex).map((site, i) => ({ ...site, rank: i + 1 }));
  const { matched, shown } = selectSites(ranked, selection);
  return {
    ...snapshot,
    sampleIndex: selection.sampleIndex,
    focus: selection.focus,
    sites: shown,
    siteCount: ranked.length,
    matchedCount: matched.length,
  };
}

/**
 * Map inuse_space over the MemStats HeapInuse of a text profile; null without either, and when
 * the map memory is not visible (runtime frames hidden and no site found otherwise).
 */
export function mapShareOfHeapInuse(result: AnalyzeResult): number | null {
  const visible = result.attribution.runtimeFrames === 'present' || result.siteCount > 0;
  const inuse = result.profile.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  const heapInuse = result.profile.memStats?.HeapInuse ?? 0;
  return !visible || inuse < 0 || heapInuse === 0 ? null : result.attribution.totals.map[inuse] / heapInuse;
}
