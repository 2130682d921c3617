import type { ValueType } from '../pprof/profile.js';
import type { MapSite } from './attribute.js';

/**
 * docs/attribution.md §6: by the selected sample type, then alloc_space, then function name;
 * file and line make the order total.
 */
export function rankSites(
  sites: readonly MapSite[],
  sampleTypes: readonly ValueType[],
  sampleIndex: number,
): MapSite[] {
  const alloc = sampleTypes.findIndex((t) => t.type === 'alloc_space');
  return [...sites].sort(
    (a, b) =>
      b.values[sampleIndex] - a.values[sampleIndex] ||
      (alloc >= 0 ? b.values[alloc] - a.values[alloc] : 0) ||
      compareStrings(a.function, b.function) ||
      compareStrings(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}

/** Code-point order, as Go and the reference files sort: "main.NewRegistry" < "main.countWords". */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
