import type { ValueType } from '../pprof/profile.js';
import { formatValue, printable } from './format.js';

/** "all 7 sites", "top 3 of 7 sites", "the only site", with the --focus count when one is set. */
export function sitesShown(shown: number, matched: number, total: number, focus: string | null): string {
  if (focus !== null) {
    // JSON.stringify escapes C0 controls, not C1 ones or line separators: printable does.
    const m = `${matched} of ${plural(total, 'site')} match --focus ${printable(JSON.stringify(focus))}`;
    return matched === 0 ? m : `${m}; showing ${shown}`;
  }
  if (shown < total) return `top ${shown} of ${total} sites`;
  return total === 1 ? 'the only site' : `all ${total} sites`;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** "+21.4 MiB", "-48 B", "0 B" */
export function formatDelta(n: number, type: ValueType): string {
  return n <= 0 ? formatValue(n, type.unit) : `+${formatValue(n, type.unit)}`;
}

/** "+612.0%", "-3.1%", "new" when growing from zero. */
export function formatDeltaPercent(first: number, delta: number): string {
  if (delta === 0) return '0.0%';
  if (first === 0) return 'new';
  const p = (100 * delta) / first;
  return `${p < 0 ? '' : '+'}${p.toFixed(1)}%`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** Where a series' value is unknown (the snapshot's maps not visible): no bar. */
const SPARK_UNKNOWN = '·';

/**
 * A series as bars from zero (or its minimum, if negative) to its maximum; an unknown point (null)
 * is drawn as SPARK_UNKNOWN and left out of the scale.
 */
export function sparkline(values: ReadonlyArray<number | null>): string {
  const known = values.filter((v): v is number => v !== null);
  const lo = Math.min(0, ...known);
  const hi = known.length === 0 ? lo : Math.max(...known);
  return values
    .map((v) =>
      v === null ? SPARK_UNKNOWN : hi === lo ? BARS[0] : BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))],
    )
    .join('');
}
