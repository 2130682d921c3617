import { DecodeError } from '../errors.js';

/**
 * 64-bit varints as JS numbers. protobufjs' own int64()/uint64() return Long objects; one
 * allocation per value is the difference between a fast and a slow decoder on a profile with
 * millions of values. Exact below 2^53, which holds for every count and byte total of a normal
 * heap profile; bigIntAt reads the rare larger value exactly. The *At functions read from a
 * buffer position and leave the position after the varint in `varintEnd.pos`, so the hot loops
 * allocate nothing per value.
 */

const TWO_32 = 2 ** 32;

/** Where the last uintAt / intAt / bigIntAt ended. */
export const varintEnd = { pos: 0 };

/** Corrupt protobuf bytes, said the way every reader of this directory says it. */
export function corrupt(reason: string): never {
  throw new DecodeError(`not a pprof profile: the protobuf data is truncated or corrupt (${reason})`);
}

function runsPastEnd(): never {
  corrupt('a varint runs past the end of its field');
}

// A varint holds at most 64 bits: 9 bytes of 7 bits, then a 10th byte of 0 or 1.
function tooLong(): never {
  corrupt('a varint is longer than 64 bits');
}

/** An unsigned varint (uint64, or a non-negative int64) at pos. */
export function uintAt(buf: Uint8Array, pos: number, end: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) runsPastEnd();
    const b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (i === 9 && b > 1) tooLong();
      varintEnd.pos = pos;
      return result;
    }
    mul *= 128;
  }
  return tooLong();
}

/** Where the varint at pos ends, checked like uintAt, without its value. */
export function skipVarint(buf: Uint8Array, pos: number, end: number): number {
  const last = Math.min(end, pos + 10);
  for (let p = pos; p < last; p++) {
    if (buf[p] < 0x80) {
      if (p - pos === 9 && buf[p] > 1) tooLong();
      return p + 1;
    }
  }
  return last === end ? runsPastEnd() : tooLong();
}

/** A signed int64 in two's complement at pos (negative values take 10 bytes on the wire). */
export function intAt(buf: Uint8Array, pos: number, end: number): number {
  let lo = 0;
  let hi: number;
  let b: number;
  // Bytes 0..3 fill bits 0..27 of the low word.
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) runsPastEnd();
    b = buf[pos++];
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varintEnd.pos = pos;
      return lo >>> 0;
    }
  }
  // Byte 4 straddles the two words.
  if (pos >= end) runsPastEnd();
  b = buf[pos++];
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  // Bytes 5..9 fill the high word from bit 3; byte 9 holds only bit 63.
  for (let shift = 3; b >= 0x80; shift += 7) {
    if (pos >= end) runsPastEnd();
    b = buf[pos++];
    if (shift === 31 && b > 1) tooLong();
    hi |= (b & 0x7f) << shift;
  }
  varintEnd.pos = pos;
  if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
  return (hi >>> 0) * TWO_32 + (lo >>> 0);
}

/** A signed int64 at pos, exactly: for the values intAt can only round (beyond ±2^53). */
export function bigIntAt(buf: Uint8Array, pos: number, end: number): bigint {
  let result = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (pos >= end) runsPastEnd();
    const b = buf[pos++];
    if (shift === 63n && b > 1) tooLong();
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  varintEnd.pos = pos;
  return BigInt.asIntN(64, result);
}
