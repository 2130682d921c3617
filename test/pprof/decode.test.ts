import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/errors.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { intAt, uintAt, varintEnd } from '../../src/pprof/varint.js';
import {
  FUNCTION_FIELDS,
  LABEL_FIELDS,
  LINE_FIELDS,
  LOCATION_FIELDS,
  MAPPING_FIELDS,
  PROFILE_FIELDS,
  SAMPLE_FIELDS,
  VALUE_TYPE_FIELDS,
} from '../../src/pprof/wire.js';
import { sampleFrames } from '../../src/stacks/frame-table.js';
import { attribute, FIXTURES } from '../helpers.js';
import { ProfileType, UnpackedProfileType, schema, synthProfile } from '../synth.js';

const MULTI = `${FIXTURES}/go1.24/multi.full.pb.gz`;

describe('field numbers', () => {
  it.each([
    ['Profile', PROFILE_FIELDS],
    ['ValueType', VALUE_TYPE_FIELDS],
    ['Sample', SAMPLE_FIELDS],
    ['Label', LABEL_FIELDS],
    ['Mapping', MAPPING_FIELDS],
    ['Location', LOCATION_FIELDS],
    ['Line', LINE_FIELDS],
    ['Function', FUNCTION_FIELDS],
  ] as const)('%s matches proto/profile.proto', (name, fields) => {
    const type = schema.lookupType(`perftools.profiles.${name}`);
    for (const [field, id] of Object.entries(fields)) expect([field, type.fields[field]?.id]).toEqual([field, id]);
  });
});

describe('decodeProfile', () => {
  it('agrees with protobufjs reflective decoding of a real profile, sample by sample', () => {
    const raw = gunzipSync(readFileSync(MULTI));
    const reflective = ProfileType.toObject(ProfileType.decode(raw), { longs: Number }) as {
      string_table: string[];
      sample: Array<{ location_id: number[]; value: number[] }>;
      location: Array<{ id: number; line: Array<{ function_id: number; line: number }> }>;
      function: Array<{ id: number; name: number; filename: number }>;
      time_nanos: number;
    };
    const profile = decodeProfile(readFileSync(MULTI));
    const fn = new Map(reflective.function.map((f) => [f.id, f]));
    const loc = new Map(reflective.location.map((l) => [l.id, l]));
    const s = reflective.string_table;

    expect(profile.samples.count).toBe(reflective.sample.length);
    expect(profile.samples.count).toBe(282);
    reflective.sample.forEach((sample, i) => {
      expect(Array.from(profile.samples.values.subarray(4 * i, 4 * i + 4))).toEqual(sample.value);
      const frames = sample.location_id.flatMap((id) =>
        loc.get(id)!.line.map((l) => ({
          function: s[fn.get(l.function_id)!.name],
          file: s[fn.get(l.function_id)!.filename],
          line: l.line,
        })),
      );
      expect(sampleFrames(profile, i)).toEqual(frames);
    });
    expect(profile.sampleTypes).toEqual([
      { type: 'alloc_objects', unit: 'count' },
      { type: 'alloc_space', unit: 'bytes' },
      { type: 'inuse_objects', unit: 'count' },
      { type: 'inuse_space', unit: 'bytes' },
    ]);
    expect(profile.periodType).toEqual({ type: 'space', unit: 'bytes' });
    expect(profile.period).toBe(1);
    expect(profile.defaultSampleType).toBeNull();
    // time_nanos is above 2^53: kept to the nearest representable number, never cut to 32 bits.
    expect(Math.abs(profile.timeNanos - 1795328359802140000)).toBeLessThan(1024);
  });

  it('reads unpacked repeated fields and raw (not gzipped) bytes the same as packed gzip', () => {
    const gz = readFileSync(MULTI);
    const unpacked = UnpackedProfileType.encode(UnpackedProfileType.decode(gunzipSync(gz))).finish();
    expect(unpacked.length).toBeGreaterThan(gunzipSync(gz).length); // really unpacked
    expect(attribute(decodeProfile(unpacked))).toEqual(attribute(decodeProfile(gz)));
  });

  it('keeps the mappings of a stock profile', () => {
    const profile = decodeProfile(readFileSync(`${FIXTURES}/go1.24/multi.pb.gz`));
    expect(profile.mappings[0].filename).toBe('/srv/mapbloat/multi');
    expect(profile.mappings[0].start).toBe(0x400000);
  });

  it.each([
    ['empty input', new Uint8Array(), 'the input is empty: expected a pprof profile (gzipped or raw protobuf)'],
    [
      'a varint field where a message belongs',
      Uint8Array.of(0x08, 0x96, 0x01),
      'not a pprof profile: protobuf field 1 has wire type 0 where a profile has 2',
    ],
    [
      'only unknown fields',
      Uint8Array.of(0xa2, 0x01, 0x01, 0x41),
      'not a pprof profile: its string table is missing or does not start with ""',
    ],
    [
      'a length running past the end',
      Uint8Array.of(0x0a, 0x10, 0x08),
      'not a pprof profile: the protobuf data is truncated or corrupt ' +
        '(a field of 16 bytes runs past the end of the data)',
    ],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => decodeProfile(bytes)).toThrow(new DecodeError(message));
  });

  it('rejects a sample that refers to a missing location', () => {
    const bytes = ProfileType.encode(
      ProfileType.fromObject({
        sample_type: [{ type: 1, unit: 2 }],
        sample: [{ location_id: [7], value: [1] }],
        string_table: ['', 'inuse_space', 'bytes'],
      }),
    ).finish();
    expect(() => decodeProfile(bytes)).toThrow('corrupt pprof profile: sample 0 refers to missing location 7');
  });

  it('rejects a sample with fewer values than sample types', () => {
    const bytes = synthProfile(
      [
        ['alloc_space', 'bytes'],
        ['inuse_space', 'bytes'],
      ],
      [{ stack: [['main.f', 1]], values: [8] }],
    );
    expect(() => decodeProfile(bytes)).toThrow('corrupt pprof profile: sample 0 has 1 values for 2 sample types');
  });
});

describe('varints', () => {
  it.each([0, 1, 127, 128, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, -1, -2, -(2 ** 31), -(2 ** 40) - 3, -(2 ** 53) + 1])(
    'int64 %d',
    (n) => {
      const bytes = protobuf.Writer.create().int64(n).finish();
      expect([intAt(bytes, 0, bytes.length), varintEnd.pos]).toEqual([n, bytes.length]);
    },
  );

  it.each([0, 300, 2 ** 35, 2 ** 53 - 1])('uint64 %d', (n) => {
    const bytes = protobuf.Writer.create().uint64(n).finish();
    expect([uintAt(bytes, 0, bytes.length), varintEnd.pos]).toEqual([n, bytes.length]);
  });

  it('stops at the end of the data', () => {
    const corrupt = new DecodeError(
      'not a pprof profile: the protobuf data is truncated or corrupt (a varint runs past the end of its field)',
    );
    expect(() => uintAt(Uint8Array.of(0x80, 0x80), 0, 2)).toThrow(corrupt);
    expect(() => intAt(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, 6)).toThrow(corrupt);
  });
});
