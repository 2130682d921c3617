import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { InputError, MapbloatError } from '../../src/errors.js';
import { gunzip, gunzipHead } from '../../src/pprof/gzip.js';
import { inflate } from '../../src/pprof/inflate.js';
import { property, returnsOrRefuses } from './budget.js';
import { mutate, mutations } from './mutate.js';
import { raw } from './profiles.js';

// gunzip and inflate (src/pprof/{gzip,inflate}.ts): never more bytes than the limit, whatever the
// stream claims or holds (a bomb, a forged trailer, layers of gzip); a broken stream is a
// MapbloatError; an intact one gives back exactly what was compressed.

const PROFILE = raw('go1.19/multi.pb.gz');
const LIMIT = { option: '--max-profile-size', what: 'the profile' };

/** Contents worth compressing: a real profile's head, zeros (a bomb), text, random bytes. */
const content = fc.oneof(
  fc.nat(PROFILE.length).map((n) => PROFILE.subarray(0, n)),
  fc.nat(1 << 20).map((n) => new Uint8Array(n)),
  fc
    .tuple(fc.nat(PROFILE.length), fc.nat(1 << 19))
    .map(([n, zeros]) => Buffer.concat([PROFILE.subarray(0, n), new Uint8Array(zeros)])),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 2000 }),
);

/** How the stream is made: layers of gzip, members concatenated, the trailer forged, bytes appended. */
const stream: fc.Arbitrary<Stream> = fc.record({
  content,
  layers: fc.integer({ min: 1, max: 5 }),
  members: fc.integer({ min: 1, max: 3 }),
  forgedSize: fc.option(fc.nat({ max: 0xffffffff })),
  trailing: fc.option(fc.uint8Array({ minLength: 1, maxLength: 32 })),
});

interface Stream {
  content: Uint8Array;
  layers: number;
  members: number;
  forgedSize: number | null;
  trailing: Uint8Array | null;
}

function build(s: Stream): Uint8Array {
  let bytes: Uint8Array = s.content;
  for (let k = 0; k < s.layers; k++) bytes = gzipSync(bytes, { level: 1 });
  if (s.members > 1) bytes = Buffer.concat(Array.from({ length: s.members }, () => bytes));
  if (s.forgedSize !== null && bytes.length >= 4) {
    bytes = Uint8Array.from(bytes);
    new DataView(bytes.buffer).setUint32(bytes.length - 4, s.forgedSize, true);
  }
  return s.trailing === null ? bytes : Buffer.concat([bytes, s.trailing]);
}

describe('gzip', () => {
  property(
    'gunzip gives back what was compressed, or refuses it past the limit',
    { runs: 500, file: import.meta.url },
    // A limit is a size of at least one byte (src/limits.ts).
    fc.record({ content, limit: fc.integer({ min: 1, max: 1 << 20 }) }),
    ({ content, limit }) => {
      const out = returnsOrRefuses(() => gunzip(gzipSync(content, { level: 1 }), { bytes: limit, ...LIMIT }));
      if (content.length > limit) {
        expect(out).toBeInstanceOf(InputError);
        expect((out as InputError).message).toContain('(--max-profile-size)');
      } else {
        expect(Buffer.from(out as Uint8Array).equals(Buffer.from(content))).toBe(true);
      }
    },
  );

  property(
    'layered, concatenated, forged or damaged streams: never past the limit, never another error',
    { runs: 500, file: import.meta.url },
    fc.record({ stream, ops: fc.option(mutations(4)), limit: fc.integer({ min: 1, max: 1 << 20 }) }),
    ({ stream: s, ops, limit }) => {
      const bytes = ops === null ? build(s) : mutate(build(s), ops);
      const out = returnsOrRefuses(() => gunzip(bytes, { bytes: limit, ...LIMIT }));
      if (!(out instanceof MapbloatError)) expect(out.length).toBeLessThanOrEqual(limit);
      const head = gunzipHead(bytes);
      if (head !== null) expect(head.length).toBeGreaterThan(0);
      const inflated = returnsOrRefuses(() => inflate(bytes, { profileBytes: limit }));
      if (!(inflated instanceof MapbloatError)) expect(inflated.length).toBeLessThanOrEqual(limit);
    },
  );
});
