import { constants as bufferConstants } from 'node:buffer';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { DecodeError, InputError } from '../errors.js';
import { sizeText } from '../limits.js';

/** gzip's magic bytes. Profiles are recognised by them, not by their file name. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** How far a gzip stream may inflate, and what to say when it goes further. */
export interface SizeLimit {
  readonly bytes: number;
  /** The option that raises it, e.g. "--max-profile-size". */
  readonly option: string;
  /** What inflates, e.g. "the profile". */
  readonly what: string;
}

// deflate encodes at best 258 bytes in 2 bits: no stream inflates to more than 1032 times its size.
const MAX_RATIO = 1032;

/**
 * node:zlib, not pako: it inflates a 30 MB profile in 73 ms where pako takes 340 ms, and a big
 * profile's decode budget is a few hundred milliseconds in all. zlib stops at the limit, so a
 * gzip bomb costs the limit at most, never what it would inflate to.
 */
export function gunzip(bytes: Uint8Array, limit: SizeLimit | null = null): Uint8Array {
  const max = Math.min(limit?.bytes ?? Infinity, bufferConstants.MAX_LENGTH);
  try {
    return gunzipSync(bytes, { chunkSize: chunkSize(bytes, max), maxOutputLength: max });
  } catch (err) {
    if (errorCode(err) === 'ERR_BUFFER_TOO_LARGE') throw inflatesPast(max, limit, err);
    if (!isZlibError(err)) throw err;
    const what = /unexpected end/i.test(err.message) ? 'truncated' : 'corrupt';
    throw new DecodeError(`gzip data is ${what} (${err.message})`, { cause: err });
  }
}

/** gzip with node:zlib: no file name, modification time 0, so the same bytes give the same file. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes);
}

function inflatesPast(max: number, limit: SizeLimit | null, cause: unknown): InputError {
  const past = `${limit?.what ?? 'it'} inflates past ${sizeText(max)}`;
  if (limit === null || max < limit.bytes) {
    return new InputError(`${past}, more than a Node.js buffer holds`, { cause });
  }
  return new InputError(`${past} (${limit.option}): raise the limit if it is real, not a gzip bomb`, { cause });
}

/**
 * ISIZE, the gzip trailer's last four bytes, is the inflated size mod 2^32: as the chunk size it
 * lets zlib inflate into one buffer, not into 16 KiB pieces concatenated at the end. It is only
 * trusted as far as deflate's ratio and the limit allow: a forged one must not allocate a GiB.
 */
function chunkSize(bytes: Uint8Array, max: number): number {
  const n = bytes.length;
  const isize = n >= 18 ? (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0 : 0;
  return Math.max(64 * 1024, Math.min(isize + 1, n * MAX_RATIO, max + 1, 1 << 30));
}

// A prefix this long inflates to at most 512 KiB: enough to see what a stream holds.
const HEAD_INPUT = 512;

/**
 * The first bytes a gzip stream inflates to, from a short prefix of it: what a file holds can be
 * told before inflating all of it. Null when the prefix does not get that far or is corrupt: the
 * full gunzip then says what is wrong.
 */
export function gunzipHead(bytes: Uint8Array): Uint8Array | null {
  try {
    const head = gunzipSync(bytes.subarray(0, HEAD_INPUT), { finishFlush: constants.Z_SYNC_FLUSH });
    return head.length === 0 ? null : head;
  } catch (err) {
    if (isZlibError(err)) return null;
    throw err;
  }
}

function errorCode(err: unknown): string | undefined {
  return err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
}

/** zlib's own errors carry its Z_* code: corrupt input, not a bug. */
function isZlibError(err: unknown): err is Error {
  return errorCode(err)?.startsWith('Z_') === true;
}
