import { InputError } from '../errors.js';
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

/** A stack deeper than --max-stack-depth; `what` names it ("sample 3", "the record at line 9"). */
export function tooDeep(what: string, limit: number): InputError {
  // The runtime records at most maxProfStackDepth = 1024 PCs per stack (runtime/mprof.go).
  return new InputError(
    `${what} has a stack of more than ${limit} frames (--max-stack-depth): Go records at most 1024; ` +
      'raise the limit if the profile is right',
  );
}
