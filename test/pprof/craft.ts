/**
 * Protobuf bytes by hand, for the decoder's error cases: a real encoder cannot write a wrong
 * wire type, a length past its message or an overlong varint.
 */

export type Bytes = readonly number[];

/** A varint: non-negative numbers as they are, negative int64 in two's complement (10 bytes). */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

export function tag(field: number, wireType: number): number[] {
  return varint(field * 8 + wireType);
}

/** A varint field. */
export function num(field: number, value: number | bigint): number[] {
  return [...tag(field, 0), ...varint(value)];
}

/** A length-delimited field holding the concatenated parts. */
export function len(field: number, ...parts: Bytes[]): number[] {
  const content = parts.flat();
  return [...tag(field, 2), ...varint(content.length), ...content];
}

/** A packed run of varints. */
export function packed(field: number, values: ReadonlyArray<number | bigint>): number[] {
  return len(field, ...values.map((v) => varint(v)));
}

export function str(s: string): number[] {
  return len(6, [...Buffer.from(s)]);
}

export function bytes(...parts: Bytes[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

/** The string table ["", "inuse_space", "bytes"] and the sample type inuse_space/bytes. */
export const HEAP: Bytes = [...str(''), ...str('inuse_space'), ...str('bytes'), ...len(1, num(1, 1), num(2, 2))];

/** Location `id` without lines. */
export function location(id: number): number[] {
  return len(4, num(1, id));
}

/** A sample: its location ids and values packed, as Go writes them. */
export function sample(ids: readonly number[], values: ReadonlyArray<number | bigint>): number[] {
  return len(2, packed(1, ids), packed(2, values));
}

/** A heap profile of one location and these samples. */
export function heapProfile(...samples: Bytes[]): Uint8Array {
  return bytes(HEAP, location(1), ...samples);
}

/** What fn throws, as [class name, message]; the class tells the CLI's exit and the user's next step. */
export function failure(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (err) {
    if (err instanceof Error) return [err.constructor.name, err.message];
    throw err;
  }
  throw new Error('it did not throw');
}
