import { InvalidArgumentError } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * "500ms", "10s", "1.5m", "1h" → milliseconds, for --every and --timeout. One number and one
 * unit: a bare number would leave the unit to guess (Go's flags take "10" as nanoseconds).
 */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  const ms = m === null ? NaN : Math.round(Number(m[1]) * UNIT_MS[m[2]]);
  if (!(ms >= 1)) {
    throw new InvalidArgumentError(
      'Expected a duration of at least 1ms: a number and a unit, ms, s, m or h (500ms, 10s, 1m, 1h).',
    );
  }
  return ms;
}

/** Milliseconds in the largest unit that keeps them whole: 30000 → "30s", 90000 → "90s". */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
