import { UsageError } from '../errors.js';
import type { Profile } from '../pprof/profile.js';
import { attributeMaps, type Attribution, type Evidence, type Granularity, type MapSite, type SourceLookup } from './attribute.js';
import type { SourceStats } from './source-lines.js';
import { focusFilter, rankSites } from './rank.js';
import { requireHeapProfile, resolveSampleIndex } from './sample-type.js';

export interface AnalyzeOptions {
  /** A sample type name; default per SPEC §1. */
  readonly sampleIndex?: string;
  readonly granularity?: Granularity;
  /** Keep the sites whose owner function or file matches. */
  readonly focus?: string;
  /** How many sites to keep; 0 or undefined keeps all. */
  readonly top?: number;
  /** What the profile's frames rest on (SPEC §9). */
  readonly evidence?: Evidence;
  /** The source tree's map lines, for stock profiles (SPEC §9 evidence "source"). */
  readonly source?: { readonly lookup: SourceLookup; readonly stats: SourceStats } | null;
}

/** A site and its 1-based place in the ranking of all sites (focus and top keep it). */
export type RankedSite = MapSite & { readonly rank: number };

export interface AnalyzeResult {
  readonly profile: Profile;
  readonly attribution: Attribution;
  readonly sampleIndex: number;
  readonly granularity: Granularity;
  readonly focus: string | null;
  /** The sites shown: ranked, filtered by focus, cut to top. */
  readonly sites: readonly RankedSite[];
  /** How many sites the profile has, and how many of them match the focus. */
  readonly siteCount: number;
  readonly matchedCount: number;
  /** How the profile's files were found in the source tree; null when no source was read. */
  readonly sourceStats: SourceStats | null;
}

/** Profile → ranked map sites: the whole of `mapbloat analyze` short of rendering. */
export function analyzeProfile(profile: Profile, options: AnalyzeOptions = {}): AnalyzeResult {
  requireHeapProfile(profile);
  const sampleIndex = resolveSampleIndex(profile, options.sampleIndex);
  const granularity = options.granularity ?? 'line';
  const keep = focusFilter(options.focus);
  const top = options.top ?? 0;
  if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top takes a whole number ≥ 0, not ${top}`);

  const attribution = attributeMaps(profile, granularity, options.evidence, options.source?.lookup);
  const ranked = rankSites(attribution.sites, profile.sampleTypes, sampleIndex).map((site, i) => ({ ...site, rank: i + 1 }));
  const matched = ranked.filter(keep);
  return {
    profile,
    attribution,
    sampleIndex,
    granularity,
    focus: options.focus ?? null,
    sites: top > 0 ? matched.slice(0, top) : matched,
    siteCount: ranked.length,
    matchedCount: matched.length,
    sourceStats: options.source?.stats ?? null,
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
