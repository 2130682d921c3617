import type { Reader } from 'protobufjs';

/**
 * 64-bit varints as JS numbers. protobufjs' own int64()/uint64() return Long objects; one
 * allocation per value is the difference between a fast and a slow decoder on a profile with
 * millions of values. Exact below 2^53, which holds for every count, byte total and amd64/arm64
 * address Go writes. The *At functions read from a buffer position and leave the position after
 * the varint in `varintEnd.pos`, so the hot loops allocate nothing per value.
 */

const TWO_32 = 2 ** 32;

/** Where the last uintAt / intAt ended. */
export const varintEnd = { pos: 0 };

function runsPastEnd(): never {
  throw new RangeError('a varint runs past the end of its message');
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
      varintEnd.pos = pos;
      return result;
    }
    mul *= 128;
  }
  throw new RangeError('a varint is longer than 10 bytes');
}

/** A signed int64 in two's complement at pos (negative values take 10 bytes on the wire). */
export function intAt(buf: Uint8Array, pos: number, end: number): number {
  let lo = 0;
  let hi = 0;
  let b = 0;
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
  // Bytes 5..9 fill the high word from bit 3.
  for (let shift = 3; b >= 0x80; shift += 7) {
    if (shift > 31) throw new RangeError('a varint is longer than 10 bytes');
    if (pos >= end) runsPastEnd();
    b = buf[pos++];
    hi |= (b & 0x7f) << shift;
  }
  varintEnd.pos = pos;
  if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
  return (hi >>> 0) * TWO_32 + (lo >>> 0);
}

/** An unsigned varint from a protobufjs Reader. */
export function readUint(r: Reader): number {
  const v = uintAt(r.buf, r.pos, r.len);
  r.pos = varintEnd.pos;
  return v;
}

/** A signed int64 varint from a protobufjs Reader. */
export function readInt(r: Reader): number {
  const v = intAt(r.buf, r.pos, r.len);
  r.pos = varintEnd.pos;
  return v;
}
