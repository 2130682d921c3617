import type { Reader } from 'protobufjs';

/**
 * 64-bit varints as JS numbers, read straight from a protobufjs Reader's buffer. protobufjs'
 * own int64()/uint64() return Long objects; one allocation per value is the difference between
 * a fast and a slow decoder on a profile with millions of values. Exact below 2^53, which holds
 * for every count, byte total and amd64/arm64 address Go writes.
 */

const TWO_32 = 2 ** 32;

function runsPastEnd(): never {
  throw new RangeError('a varint runs past the end of its message');
}

/** An unsigned varint (uint64, or a non-negative int64). */
export function readUint(r: Reader): number {
  const buf = r.buf;
  const len = r.len;
  let pos = r.pos;
  if (pos >= len) runsPastEnd();
  let b = buf[pos++];
  if (b < 0x80) {
    r.pos = pos;
    return b;
  }
  let result = b & 0x7f;
  let mul = 128;
  for (let i = 1; i < 10; i++) {
    if (pos >= len) runsPastEnd();
    b = buf[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      r.pos = pos;
      return result;
    }
    mul *= 128;
  }
  throw new RangeError('a varint is longer than 10 bytes');
}

/** A signed int64 in two's complement (negative values take 10 bytes on the wire). */
export function readInt(r: Reader): number {
  const buf = r.buf;
  const len = r.len;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  let b = 0;
  // Bytes 0..3 fill bits 0..27 of the low word.
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= len) runsPastEnd();
    b = buf[pos++];
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      r.pos = pos;
      return lo >>> 0;
    }
  }
  // Byte 4 straddles the two words.
  if (pos >= len) runsPastEnd();
  b = buf[pos++];
  lo |= (b & 0x0f) << 28;
  hi = (b & 0x7f) >> 4;
  // Bytes 5..9 fill the high word from bit 3.
  for (let shift = 3; b >= 0x80; shift += 7) {
    if (shift > 31) throw new RangeError('a varint is longer than 10 bytes');
    if (pos >= len) runsPastEnd();
    b = buf[pos++];
    hi |= (b & 0x7f) << shift;
  }
  r.pos = pos;
  if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
  return (hi >>> 0) * TWO_32 + (lo >>> 0);
}
