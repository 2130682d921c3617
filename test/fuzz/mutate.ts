import fc from 'fast-check';
import { varint } from '../pprof/craft.js';

/**
 * Byte-level mutations of real inputs, as fast-check values: every position is a number taken
 * modulo the input's length (so one arbitrary fits every input and shrinks toward its start),
 * every operation is plain data (so a failure prints what was done to the file).
 */
export type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'set'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly op: 'delete'; readonly at: number; readonly count: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly count: number; readonly to: number }
  | { readonly op: 'varint'; readonly at: number; readonly value: bigint; readonly replace: number }
  | { readonly op: 'word'; readonly at: number; readonly value: bigint; readonly size: 1 | 2 | 4 | 8 };

/** Values at the edges of what a reader may get wrong: sign, 2^31, 2^32, 2^53, 2^63, 2^64. */
export const EDGE_VALUES: readonly bigint[] = [
  0n,
  1n,
  2n,
  7n,
  8n,
  0x7fn,
  0x80n,
  0xffn,
  0x100n,
  0x3fffn,
  0x4000n,
  0xffffn,
  0x10000n,
  2n ** 31n - 1n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 32n + 1n,
  2n ** 32n + 8n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** A value near an edge, or any 64-bit one. */
export const edgeValue: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_VALUES) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...EDGE_VALUES), fc.integer({ min: -8, max: 8 }))
      .map(([v, d]) => BigInt.asUintN(64, v + BigInt(d))),
  },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) },
);

// Unbiased: fast-check's bias toward small numbers would put most mutations in the first bytes.
const position = fc.noBias(fc.nat({ max: 0x7fffffff }));
const someBytes = fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 });

/** Mutations that keep the length: they can be applied to a shared buffer and undone. */
export const inPlaceMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: position, bytes: someBytes }),
  fc.record({
    op: fc.constant('word' as const),
    at: position,
    value: edgeValue,
    size: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
  }),
);

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: inPlaceMutation },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at: position, bytes: someBytes }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 64 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), at: position }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('duplicate' as const),
      at: position,
      count: fc.integer({ min: 1, max: 256 }),
      to: position,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('varint' as const),
      at: position,
      value: edgeValue,
      replace: fc.integer({ min: 0, max: 10 }),
    }),
  },
);

export const mutations = (max = 6) => fc.array(mutation, { minLength: 1, maxLength: max });

function littleEndian(value: bigint, size: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < size; k++) out.push(Number((value >> BigInt(8 * k)) & 0xffn));
  return out;
}

/** A mutated copy of `input`; the input is left as it is. */
export function mutate(input: Uint8Array, ops: readonly Mutation[]): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(input);
  for (const m of ops) {
    const n = bytes.length;
    const at = n === 0 ? 0 : m.at % n;
    const splice = (start: number, remove: number, add: readonly number[]) => {
      const out = new Uint8Array(n - remove + add.length);
      out.set(bytes.subarray(0, start));
      out.set(add, start);
      out.set(bytes.subarray(start + remove), start + add.length);
      bytes = out;
    };
    switch (m.op) {
      case 'flip':
        if (n > 0) bytes[at] ^= 1 << m.bit;
        break;
      case 'set':
      case 'word': {
        const add = m.op === 'set' ? m.bytes : littleEndian(m.value, m.size);
        for (let k = 0; k < add.length && at + k < n; k++) bytes[at + k] = add[k];
        break;
      }
      case 'insert':
        splice(n === 0 ? 0 : m.at % (n + 1), 0, m.bytes);
        break;
      case 'delete':
        splice(at, Math.min(m.count, n - at), []);
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'duplicate': {
        const run = Array.from(bytes.subarray(at, at + m.count));
        splice(m.to % (n + 1), 0, run);
        break;
      }
      case 'varint':
        splice(at, Math.min(m.replace, n - at), varint(m.value));
        break;
    }
  }
  return bytes;
}

/**
 * Applies length-keeping mutations to `buffer` itself and returns what undoes them: a case on a
 * 2 MB binary costs its mutations, not a copy. `regions` (offset, length) weight where they land.
 */
export function mutateInPlace(
  buffer: Uint8Array,
  ops: readonly Mutation[],
  regions: ReadonlyArray<readonly [number, number]>,
): () => void {
  const saved: Array<[number, Uint8Array]> = [];
  for (const m of ops) {
    const [start, length] = regions[m.at % regions.length];
    let at = start + (Math.floor(m.at / regions.length) % Math.max(1, length));
    // A word lands on a field: binary formats align them to their size.
    if (m.op === 'word') at -= (at - start) % m.size;
    const write = (bytes: readonly number[]) => {
      const end = Math.min(buffer.length, at + bytes.length);
      if (at >= end) return;
      saved.push([at, Uint8Array.from(buffer.subarray(at, end))]); // a copy: a Buffer's slice() is a view
      buffer.set(bytes.slice(0, end - at), at);
    };
    if (m.op === 'flip') write([buffer[at] ^ (1 << m.bit)]);
    else if (m.op === 'set') write(m.bytes);
    else if (m.op === 'word') write(littleEndian(m.value, m.size));
    else throw new Error(`${m.op} changes the length: use mutate()`);
  }
  return () => {
    for (let k = saved.length - 1; k >= 0; k--) buffer.set(saved[k][1], saved[k][0]);
  };
}

/**
 * Strings that make readers slow when they are not linear: a piece repeated many times, with a
 * head and a tail, e.g. "/vendor/" × 20,000 then "\n". The pieces come from the reader's own
 * vocabulary, so that the repetition means something to it.
 */
export function repeated(pieces: readonly string[], maxRepeat: number): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 }));
  // Mostly a few, sometimes hundreds, rarely up to maxRepeat: a quadratic reader takes minutes
  // there (the test's timeout), a linear one a fraction of a second.
  const count = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 8 }) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 300 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: maxRepeat }) },
  );
  return fc
    .tuple(piece, fc.array(fc.tuple(piece, count), { minLength: 1, maxLength: 3 }), piece)
    .map(([head, runs, tail]) => head + runs.map(([p, n]) => p.repeat(n)).join('') + tail);
}
