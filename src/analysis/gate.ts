import { findsNoMapLine } from '../source/index.js';
import { UnsupportedProfileError } from '../errors.js';
import type { DiffResult, SiteSeries } from './diff.js';

/** A CI limit on growth: an amount in the selected sample type's unit, or a percentage. */
export type Threshold =
  | { readonly kind: 'amount'; readonly value: number; readonly text: string }
  | { readonly kind: 'percent'; readonly value: number; readonly text: string };

/**
 * A gate on map growth needs the map memory to be visible in every snapshot, exactly (frames, the
 * binary) or inferred (the source tree). Where it is not — runtime frames hidden and nothing to
 * recover them, or only linknamed frames — the map total reads as zero or as a fraction, and a
 * gate would pass whatever the maps did.
 */
export function requireVisibleMaps(diff: DiffResult, option: string): void {
  const hidden = diff.snapshots.find(
    (s) => s.attribution.visibility === 'none' || s.attribution.visibility === 'partial',
  );
  if (hidden !== undefined) {
    const stats = hidden.sourceStats;
    const remedy =
      stats !== null && findsNoMapLine(stats)
        ? "the source tree given has none of its map lines (is it this program's?); give the right one or " +
          "the program's binary (--binary)"
        : "give the program's binary (--binary) or its source tree (--source-path)";
    throw new UnsupportedProfileError(
      `${option} cannot be checked: ${hidden.source} is a stock profile whose runtime frames are hidden, so ` +
        `its map memory is not visible; ${remedy} (mapbloat analyze ${hidden.source} explains)`,
    );
  }
}

/**
 * A growth gate compares the heap at two moments. A delta profile holds changes, not the heap: a
 * gate over one would pass or fail on the sign of a difference.
 */
export function requireSnapshotsNotDeltas(diff: DiffResult, option: string): void {
  const delta = diff.snapshots.find((s) => s.attribution.negativeSamples[diff.sampleIndex] > 0);
  if (delta !== undefined) {
    throw new UnsupportedProfileError(
      `${option} cannot be checked: ${delta.source} is a delta profile (its ` +
        `${delta.profile.sampleTypes[diff.sampleIndex].type} has negative values), not a snapshot of the heap`,
    );
  }
}

/** Whether the gate's numbers are inferred from source lines rather than exact. */
export function gateInferred(diff: DiffResult): boolean {
  return diff.snapshots.some((s) => s.attribution.visibility === 'inferred');
}

export interface Breach {
  /** "map" for the map total, else the site. */
  readonly scope: 'map' | 'site';
  readonly option: '--max-growth' | '--max-site-growth';
  readonly threshold: Threshold;
  readonly site: SiteSeries | null;
  readonly first: number;
  readonly delta: number;
}

export interface Gate {
  readonly maxGrowth: Threshold | null;
  readonly maxSiteGrowth: Threshold | null;
}

/**
 * Growth above a limit, on the selected sample type, last snapshot against the first. Growth from
 * zero exceeds any percentage. Site limits apply to every site that matches --focus, shown or not.
 */
export function findBreaches(diff: DiffResult, gate: Gate): Breach[] {
  const t = diff.sampleIndex;
  const breaches: Breach[] = [];
  if (gate.maxGrowth !== null) {
    const first = diff.totals.map[0][t];
    const delta = diff.totals.map[diff.totals.map.length - 1][t] - first;
    if (exceeds(gate.maxGrowth, first, delta))
      breaches.push({ scope: 'map', option: '--max-growth', threshold: gate.maxGrowth, site: null, first, delta });
  }
  if (gate.maxSiteGrowth !== null) {
    for (const site of diff.matched) {
      // Unknown only where a snapshot's maps are not visible, which requireVisibleMaps refuses first.
      const [head, delta] = [site.series[0], site.delta];
      if (head === null || delta === null) continue;
      const first = head[t];
      if (exceeds(gate.maxSiteGrowth, first, delta[t])) {
        breaches.push({
          scope: 'site',
          option: '--max-site-growth',
          threshold: gate.maxSiteGrowth,
          site,
          first,
          delta: delta[t],
        });
      }
    }
  }
  return breaches;
}

function exceeds(threshold: Threshold, first: number, delta: number): boolean {
  if (delta <= 0) return false;
  if (threshold.kind === 'amount') return delta > threshold.value;
  return first === 0 || (100 * delta) / first > threshold.value;
}
