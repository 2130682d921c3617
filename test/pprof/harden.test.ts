import { describe, expect, it } from 'vitest';
import { decodeProfile } from '../../src/pprof/decode.js';
import { bytes, failure, HEAP, heapProfile, len, location, num, packed, sample, str, tag, varint } from './craft.js';

// Each case: the smallest bytes that show one thing no profile writer produces, and the one line
// the decoder says about it. Before the decoder checked them, most were read as something else.
const decodeError = (message: string): [string, string] => ['DecodeError', message];
const corrupt = (reason: string): [string, string] =>
  decodeError(`not a pprof profile: the protobuf data is truncated or corrupt (${reason})`);
function wireType(field: number, message: string, actual: number, expected: number): [string, string] {
  const of = message === '' ? '' : ` of a ${message}`;
  return decodeError(
    `not a pprof profile: protobuf field ${field}${of} has wire type ${actual} where a profile has ${expected}`,
  );
}

describe('a known field of another wire type is refused at every level, not skipped', () => {
  it.each([
    ['Profile.time_nanos as bytes', bytes(HEAP, len(9, [1])), wireType(9, '', 2, 0)],
    ['ValueType.type as bytes', bytes(HEAP, len(1, len(1, [1]))), wireType(1, 'ValueType', 2, 0)],
    [
      'period_type.unit as a fixed64',
      bytes(HEAP, len(11, tag(2, 1), [0, 0, 0, 0, 0, 0, 0, 0])),
      wireType(2, 'ValueType', 1, 0),
    ],
    [
      'Sample.location_id as a fixed32',
      heapProfile(len(2, tag(1, 5), [1, 0, 0, 0], packed(2, [1]))),
      wireType(1, 'Sample', 5, 2),
    ],
    [
      'Sample.value as a fixed64',
      heapProfile(len(2, packed(1, [1]), tag(2, 1), [1, 0, 0, 0, 0, 0, 0, 0])),
      wireType(2, 'Sample', 1, 2),
    ],
    [
      'Sample.label as a varint',
      heapProfile(len(2, packed(1, [1]), packed(2, [1]), num(3, 4))),
      wireType(3, 'Sample', 0, 2),
    ],
    [
      'Label.key as bytes',
      heapProfile(len(2, packed(1, [1]), packed(2, [1]), len(3, len(1, [1])))),
      wireType(1, 'Label', 2, 0),
    ],
    ['Mapping.id as bytes', bytes(HEAP, len(3, len(1, [1]))), wireType(1, 'Mapping', 2, 0)],
    ['Location.id as bytes', bytes(HEAP, len(4, len(1, [1]))), wireType(1, 'Location', 2, 0)],
    ['Line.function_id as bytes', bytes(HEAP, len(4, num(1, 1), len(4, len(1, [1])))), wireType(1, 'Line', 2, 0)],
    ['Function.name as bytes', bytes(HEAP, len(5, num(1, 1), len(2, [1]))), wireType(2, 'Function', 2, 0)],
  ])('%s', (_, input, error) => {
    expect(failure(() => decodeProfile(input))).toEqual(error);
  });

  it('skips unknown fields of every wire type', () => {
    const fixed64 = [...tag(98, 1), ...Array(8).fill(1)];
    const fixed32 = [...tag(96, 5), ...Array(4).fill(1)];
    const unknown = [...num(99, 7), ...fixed64, ...len(97, [1, 2]), ...fixed32];
    const label = len(3, num(1, 1), num(3, 4096), unknown);
    const profile = decodeProfile(
      bytes(HEAP, unknown, len(4, num(1, 1), unknown), len(2, packed(1, [1]), unknown, label, packed(2, [5]))),
    );
    const { count, values, stackLocations } = profile.samples;
    expect([count, Array.from(values), Array.from(stackLocations), profile.locations.length]).toEqual([1, [5], [0], 1]);
  });

  it.each([
    ['a proto2 group', bytes(HEAP, tag(20, 3)), corrupt(`wire type 3 at byte ${HEAP.length}`)],
    ['wire type 7', bytes(HEAP, tag(20, 7)), corrupt(`wire type 7 at byte ${HEAP.length}`)],
    ['field number 0', bytes(HEAP, [0x00, 0x01]), corrupt(`field number 0 at byte ${HEAP.length}`)],
    [
      'a tag past 32 bits',
      bytes(HEAP, varint(2 ** 32 + 2), [0]),
      corrupt(`field number 536870912 at byte ${HEAP.length}`),
    ],
    [
      'a location id tag padded to two bytes',
      heapProfile(len(2, [0x88, 0x00, 0x01], packed(2, [1]))),
      corrupt(`a tag of field 1 padded to 2 bytes at byte ${HEAP.length + 6}`),
    ],
  ])('refuses %s', (_, input, error) => {
    expect(failure(() => decodeProfile(input))).toEqual(error);
  });
});

describe('lengths and varints are read in full and checked against their message', () => {
  it.each([
    [
      'a length past the data',
      bytes(HEAP, tag(6, 2), varint(100), [0x41]),
      corrupt('a field of 100 bytes runs past the end of the data'),
    ],
    // Cut to 32 bits, as protobufjs' uint32() reads it, this length would be 1: the string "A".
    [
      'a length past 2^32',
      bytes(HEAP, tag(6, 2), varint(2 ** 32 + 1), [0x41]),
      corrupt('a field of 4294967297 bytes runs past the end of the data'),
    ],
    [
      'a Line longer than its Location',
      bytes(HEAP, len(4, num(1, 1), tag(4, 2), [5], num(1, 1)), location(2)),
      corrupt('a field of 5 bytes runs past the end of its message'),
    ],
    [
      'a varint of 11 bytes',
      bytes(HEAP, tag(9, 0), Array(10).fill(0x80), [0]),
      corrupt('a varint is longer than 64 bits'),
    ],
    [
      'a varint whose 10th byte holds more than bit 63',
      bytes(HEAP, tag(9, 0), Array(9).fill(0xff), [0x02]),
      corrupt('a varint is longer than 64 bits'),
    ],
    [
      'a value past 64 bits',
      heapProfile(len(2, packed(1, [1]), len(2, Array(9).fill(0xff), [0x7f]))),
      corrupt('a varint is longer than 64 bits'),
    ],
    [
      'a sample that ends after a tag',
      heapProfile(len(2, packed(2, [1]), tag(1, 0))),
      corrupt('a varint runs past the end of its field'),
    ],
  ])('refuses %s', (_, input, error) => {
    expect(failure(() => decodeProfile(input))).toEqual(error);
  });
});

describe('packed runs', () => {
  it.each([
    // Id 129 takes two bytes and this run one: the decoder used to take the second byte from the
    // next field and read a stack of location 129.
    [
      'location ids',
      bytes(HEAP, location(1), location(129), len(2, tag(1, 2), [1, 0x81, 0x01], packed(2, [1]))),
      'the packed location ids of sample 0 end in the middle of a varint',
    ],
    [
      'values',
      heapProfile(len(2, packed(1, [1]), tag(2, 2), [1, 0xac, 0x10, 0x05])),
      'the packed values of sample 0 end in the middle of a varint',
    ],
    [
      'ids in two packed runs',
      heapProfile(len(2, packed(1, [1]), packed(1, [1]), packed(2, [1]))),
      'sample 0 has location ids in a packed field and in another',
    ],
    [
      'ids packed and unpacked',
      heapProfile(len(2, num(1, 1), packed(1, [1]), packed(2, [1]))),
      'sample 0 has location ids in a packed field and in another',
    ],
    [
      'values packed, then unpacked',
      heapProfile(len(2, packed(1, [1]), packed(2, [1]), num(2, 1))),
      'sample 0 has values in a packed field and in another',
    ],
  ])('refuses %s that do not end where their length says or come in pieces', (_, input, message) => {
    expect(failure(() => decodeProfile(input))).toEqual(decodeError(`corrupt pprof profile: ${message}`));
  });

  it('reads the unpacked ids Go writes for stacks of one or two frames', () => {
    const profile = decodeProfile(bytes(HEAP, location(1), location(2), len(2, num(1, 2), num(1, 1), packed(2, [9]))));
    expect(Array.from(profile.samples.stackLocations)).toEqual([1, 0]);
  });
});

describe('ids', () => {
  it.each([
    ['a location with id 0', bytes(HEAP, len(4, num(2, 1))), 'a location has id 0, which pprof reserves for "none"'],
    ['a function with id 0', bytes(HEAP, len(5, num(2, 1))), 'a function has id 0, which pprof reserves for "none"'],
    ['a mapping with id 0', bytes(HEAP, len(3, num(2, 4096))), 'a mapping has id 0, which pprof reserves for "none"'],
    ['two locations with one id', bytes(HEAP, location(3), location(3)), 'two locations have id 3'],
    ['two far-apart locations with one id', bytes(HEAP, location(1e6), location(1e6)), 'two locations have id 1000000'],
    ['two functions with one id', bytes(HEAP, len(5, num(1, 2)), len(5, num(1, 2))), 'two functions have id 2'],
    ['two mappings with one id', bytes(HEAP, len(3, num(1, 1)), len(3, num(1, 1))), 'two mappings have id 1'],
  ])('refuses %s', (_, input, message) => {
    expect(failure(() => decodeProfile(input))).toEqual(decodeError(`corrupt pprof profile: ${message}`));
  });
});

describe('int64 values past 2^53 are kept exactly', () => {
  const TWO_53 = 2n ** 53n;

  it('beside the rounded number, by index into values', () => {
    const types = [...str(''), ...str('alloc_space'), ...str('bytes')];
    const three = [1, 2, 3].map(() => len(1, num(1, 1), num(2, 2))).flat();
    const profile = decodeProfile(
      bytes(
        types,
        three,
        location(1),
        sample([1], [1, TWO_53 + 1n, -(2n ** 60n) - 1n]),
        sample([1], [2n ** 63n - 1n, TWO_53, -(2n ** 63n)]),
      ),
    );
    expect(Array.from(profile.samples.values)).toEqual([1, 2 ** 53, -(2 ** 60), 2 ** 63, 2 ** 53, -(2 ** 63)]);
    // 2^53 itself is a number exactly: only what the number rounds is kept.
    expect(profile.samples.exact).toEqual(
      new Map([
        [1, TWO_53 + 1n],
        [2, -(2n ** 60n) - 1n],
        [3, 2n ** 63n - 1n],
        [5, -(2n ** 63n)],
      ]),
    );
  });

  it('and the side table is null when there are none', () => {
    expect(decodeProfile(heapProfile(sample([1], [TWO_53]))).samples.exact).toBeNull();
  });

  it('a time past 2^53 is kept as the nearest number', () => {
    expect(decodeProfile(bytes(HEAP, num(9, 2n ** 62n + 1n))).timeNanos).toBe(2 ** 62);
  });
});

describe('a few bytes cannot ask for gigabytes', () => {
  const sampleTypes = (n: number): number[] =>
    Array(n)
      .fill(len(1, num(1, 1), num(2, 2)))
      .flat();

  it('refuses a flood of sample types, samples or not', () => {
    const input = bytes(HEAP, sampleTypes(1024));
    expect(failure(() => decodeProfile(input))).toEqual(
      decodeError('corrupt pprof profile: more than 1024 sample types (Go writes 4 at most)'),
    );
  });

  it('refuses more values than the samples have bytes, before allocating them', () => {
    // 1024 sample types and 100,000 empty samples: 206 KB asking for 819 MB of values.
    const input = bytes(HEAP, sampleTypes(1023), Array(100_000).fill(len(2)).flat());
    expect(failure(() => decodeProfile(input))).toEqual(
      decodeError(
        'corrupt pprof profile: 100000 samples of 1024 values each need 102400000 bytes at least, but they have 0',
      ),
    );
  });
});

describe('--max-stack-depth', () => {
  it('refuses a sample deeper than the limit, and reads one at it', () => {
    const deep = heapProfile(sample(Array(11).fill(1), [1]));
    expect(failure(() => decodeProfile(deep, { stackDepth: 10 }))).toEqual([
      'InputError',
      'sample 0 has a stack of more than 10 frames (--max-stack-depth): Go records at most 1024; ' +
        'raise the limit if the profile is right',
    ]);
    expect(decodeProfile(deep, { stackDepth: 11 }).samples.stackLocations.length).toBe(11);
  });

  it('defaults to 65536 frames', () => {
    const deep = heapProfile(sample(Array(65_537).fill(1), [1]));
    expect(failure(() => decodeProfile(deep))[1]).toMatch(
      /^sample 0 has a stack of more than 65536 frames \(--max-stack-depth\)/,
    );
  });
});
