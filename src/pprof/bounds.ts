import { DEFAULT_LIMITS, type Limits } from '../limits.js';

/** The decoders' limits: the caller's, the defaults for the rest. */
export function limitsOf(limits: Partial<Limits>): Limits {
  return { ...DEFAULT_LIMITS, ...limits };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 2147483648 → "2.0 GiB", the way the report prints sizes. */
export function sizeText(bytes: number): string {
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`;
}
