import type { Threshold } from '../analysis/gate.js';
import { UsageError } from '../errors.js';
import type { ValueType } from '../pprof/profile.js';

// SI prefixes are powers of 1000, binary ones of 1024, as everywhere else in Go tooling.
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
};

/** "5MiB", "512 KB", "1.5GiB" or a plain number of bytes; null when it is none of them. */
export function sizeBytes(text: string): number | null {
  // Trimmed first, as in parseThreshold: blanks at both ends of a pattern backtrack quadratically.
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m?.[2].toLowerCase() ?? '';
  if (m === null || (unit !== '' && !(unit in UNITS))) return null;
  return Math.round(Number(m[1]) * (UNITS[unit] ?? 1));
}

/** "5MiB", "512 KB", "1.5GiB", "10%", or a plain number (bytes, or objects for *_objects). */
export function parseThreshold(option: string, text: string): Threshold {
  // Trimmed first: `\s*([a-z%]*)\s*$` backtracks over every split of a run of blanks, quadratic in it.
  const m = /^(\d+(?:\.\d+)?)\s*([a-z%]*)$/i.exec(text.trim());
  const unit = m?.[2].toLowerCase() ?? '';
  if (m === null || (unit !== '' && unit !== '%' && !(unit in UNITS))) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)}: expected a size (e.g. 5MiB, 512KB, 1GB; units B, KB, KiB, MB, MiB, ` +
        `GB, GiB) or a percentage (e.g. 10%)`,
    );
  }
  const n = Number(m[1]);
  if (unit === '%') return { kind: 'percent', value: n, text: `${m[1]}%` };
  return { kind: 'amount', value: Math.round(n * (UNITS[unit] ?? 1)), text: text.trim() };
}

/** A size threshold is in bytes; it cannot limit an object count. */
export function checkThresholdUnit(option: string, threshold: Threshold, type: ValueType): void {
  if (threshold.kind === 'amount' && type.unit !== 'bytes' && /[a-z]/i.test(threshold.text)) {
    throw new UsageError(
      `${option} ${threshold.text} is a size in bytes, but ${type.type} is measured in ${type.unit}: give a ` +
        `plain number or a percentage`,
    );
  }
}
