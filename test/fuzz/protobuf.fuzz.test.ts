import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { DecodeError, MapbloatError } from '../../src/errors.js';
import { decodeProtobuf } from '../../src/pprof/decode.js';
import { encodeProfile } from '../../src/pprof/encode.js';
import { decodeInput } from '../../src/pprof/input.js';
import type { Profile } from '../../src/pprof/profile.js';
import { attribute } from '../helpers.js';
import { ProfileType, UnpackedProfileType } from '../synth.js';
import { property, returnsOrRefuses } from './budget.js';
import { varint } from '../pprof/craft.js';
import { edgeValue, mutate, mutations } from './mutate.js';
import { checkProfile, raw } from './profiles.js';

// The protobuf reader (src/pprof/{wire,varint,decode,identify,input}.ts): for any bytes it returns a
// profile whose arrays agree, or throws a MapbloatError; a profile written by a correct encoder
// decodes to exactly what was encoded, values past 2^53 and negative ones included.

const FIXTURES = [
  'go1.19/multi.pb.gz',
  'go1.24/multi.full.pb.gz',
  'go1.19/bigvalues.full.pb.gz',
  'real/dd__fastdelta_heap.before.pprof',
  'real/nodejs-heap.pb.gz',
  'real/pprof__internal_report_testdata_sample.cpu',
].map((path) => ({ path, bytes: raw(path) }));

/** Decodes like the CLI (gzip or not, protobuf or text, named when neither) and checks what comes back. */
function decodes(bytes: Uint8Array): Profile | MapbloatError {
  const out = returnsOrRefuses(() => decodeInput(bytes, { profileBytes: 1 << 20 }));
  if (out instanceof MapbloatError) return out;
  if (out.kind !== 'protobuf') return new DecodeError('text');
  checkProfile(out.profile);
  // What decodes must also attribute: nothing downstream may trip on an odd but valid profile.
  returnsOrRefuses(() => attribute(out.profile));
  return out.profile;
}

describe('protobuf profiles', () => {
  property(
    'mutated real profiles decode or are refused',
    { runs: 600, file: import.meta.url },
    fc.record({ fixture: fc.nat(FIXTURES.length - 1), ops: mutations(6), gzip: fc.boolean() }),
    ({ fixture, ops, gzip }) => {
      const bytes = mutate(FIXTURES[fixture].bytes, ops);
      decodes(gzip ? gzipSync(bytes) : bytes);
    },
  );

  property(
    'structure-aware damage: lengths off, wrapped past 2^32, wire types, padded varints, fields dropped or repeated',
    { runs: 600, file: import.meta.url },
    fc.record({ fixture: fc.nat(FIXTURES.length - 1), edits: fc.array(treeEdit, { minLength: 1, maxLength: 4 }) }),
    ({ fixture, edits }) => {
      const tree = parseMessage(FIXTURES[fixture].bytes, 0, FIXTURES[fixture].bytes.length, 0);
      expect(tree).not.toBeNull();
      for (const e of edits) applyEdit(tree!, e);
      decodes(serialize(tree!));
    },
  );

  property(
    'what a correct encoder writes decodes to exactly that, or is refused for a dangling reference',
    { runs: 400, file: import.meta.url },
    profileModel,
    (model) => {
      const { bytes, valid } = encodeModel(model);
      const out = decodes(bytes);
      if (!valid) return;
      expect(out).not.toBeInstanceOf(MapbloatError);
      expectModel(out as Profile, model);
    },
  );

  property(
    'encodeProfile writes back what was decoded, exactly (--output-profile)',
    { runs: 300, file: import.meta.url },
    profileModel.filter((m) => encodeModel(m).valid),
    (model) => {
      const decoded = decodeProtobuf(encodeModel(model).bytes);
      const again = decodeProtobuf(encodeProfile(decoded));
      expect(meaning(again)).toEqual(meaning(decoded));
    },
  );
});

// --- a profile as a model: tables, references and values a correct encoder writes -------------------

const name = fc.oneof(
  fc.constantFrom(
    '',
    'main.main',
    'runtime.mapassign_faststr',
    'runtime.makemap',
    'main.(*T).put',
    'inuse_space',
    'bytes',
    'alloc_space',
    'count',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const int64 = fc.oneof(
  fc.integer({ min: -1000, max: 100_000 }).map(BigInt),
  edgeValue.map((v) => BigInt.asIntN(64, v)),
);
const uint53 = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(0, 2 ** 32, 2 ** 53 - 1));

interface Model {
  sampleTypes: Array<[string, string]>;
  functions: Array<{ name: string; file: string; startLine: bigint }>;
  mappings: Array<{ start: number; limit: number; offset: number; file: string; buildId: string }>;
  locations: Array<{ mapping: number; address: number; lines: Array<{ fn: number; line: bigint }> }>;
  samples: Array<{ stack: number[]; values: bigint[]; extraValues: boolean }>;
  time: bigint;
  duration: bigint;
  period: bigint;
  comments: string[];
  defaultType: string | null;
  packed: boolean;
  /** The first id of each table: Go numbers from 1, other writers sparsely. */
  idBase: number;
}

const profileModel: fc.Arbitrary<Model> = fc
  .record({
    sampleTypes: fc.array(fc.tuple(name, name), { minLength: 1, maxLength: 4 }),
    functions: fc.array(fc.record({ name, file: name, startLine: int64 }), { maxLength: 6 }),
    mappings: fc.array(fc.record({ start: uint53, limit: uint53, offset: uint53, file: name, buildId: name }), {
      maxLength: 3,
    }),
    locations: fc.array(
      fc.record({
        mapping: fc.nat(4),
        address: uint53,
        lines: fc.array(fc.record({ fn: fc.nat(7), line: int64 }), { maxLength: 3 }),
      }),
      { maxLength: 8 },
    ),
    samples: fc.array(
      fc.record({
        stack: fc.array(fc.nat(9), { maxLength: 6 }),
        values: fc.array(int64, { maxLength: 6 }),
        extraValues: fc.boolean(),
      }),
      {
        maxLength: 8,
      },
    ),
    time: int64,
    duration: int64,
    period: int64,
    comments: fc.array(name, { maxLength: 2 }),
    defaultType: fc.option(name),
    packed: fc.boolean(),
    idBase: fc.constantFrom(1, 1, 1, 7, 100_000, 2 ** 40),
  })
  .map((m) => ({
    ...m,
    // Most samples have one value per type, as they must; some have more or fewer.
    samples: m.samples.map((s) => ({
      ...s,
      values: s.extraValues
        ? s.values
        : Array.from({ length: m.sampleTypes.length }, (_, k) => s.values[k] ?? BigInt(k)),
    })),
  }));

const long = (v: bigint) => v.toString();

function encodeModel(m: Model): { bytes: Uint8Array; valid: boolean } {
  const strings = [''];
  const str = (s: string) => {
    let i = strings.indexOf(s);
    if (i < 0) i = strings.push(s) - 1;
    return i;
  };
  const id = (k: number) => m.idBase + k;
  let valid = true;
  const ref = (k: number, n: number) => {
    if (k >= n) valid = false;
    return id(k);
  };
  const message = {
    sample_type: m.sampleTypes.map(([type, unit]) => ({ type: str(type), unit: str(unit) })),
    sample: m.samples.map((s) => {
      if (s.values.length !== m.sampleTypes.length) valid = false;
      return { location_id: s.stack.map((k) => ref(k, m.locations.length)), value: s.values.map(long) };
    }),
    mapping: m.mappings.map((mp, k) => ({
      id: id(k),
      memory_start: mp.start,
      memory_limit: mp.limit,
      file_offset: mp.offset,
      filename: str(mp.file),
      build_id: str(mp.buildId),
    })),
    location: m.locations.map((l, k) => ({
      id: id(k),
      // A missing mapping is no error: the location has none.
      mapping_id: l.mapping === 0 ? 0 : id(l.mapping - 1),
      address: l.address,
      line: l.lines.map((line) => ({ function_id: ref(line.fn, m.functions.length), line: long(line.line) })),
    })),
    function: m.functions.map((f, k) => ({
      id: id(k),
      name: str(f.name),
      system_name: str(f.name),
      filename: str(f.file),
      start_line: long(f.startLine),
    })),
    time_nanos: long(m.time),
    duration_nanos: long(m.duration),
    period: long(m.period),
    comment: m.comments.map(str),
    default_sample_type: m.defaultType === null ? 0 : str(m.defaultType),
  };
  const type = m.packed ? ProfileType : UnpackedProfileType;
  return { bytes: type.encode(type.fromObject({ ...message, string_table: strings })).finish(), valid };
}

/** Equal, or both past 2^53 and equal as numbers can be (rounded once). */
function sameNumber(got: number, want: bigint): boolean {
  const n = Number(want);
  return got === n || (Math.abs(n) > 2 ** 53 && Math.abs(got - n) <= Math.abs(n) * 2 ** -52);
}

function expectModel(p: Profile, m: Model): void {
  expect(p.sampleTypes.map((t) => [t.type, t.unit])).toEqual(m.sampleTypes);
  expect(p.defaultSampleType).toBe(m.defaultType === null || m.defaultType === '' ? null : m.defaultType);
  expect(p.comments).toEqual(m.comments);
  for (const [got, want] of [
    [p.timeNanos, m.time],
    [p.durationNanos, m.duration],
    [p.period, m.period],
  ] as const) {
    expect(sameNumber(got, want), `${got} for ${want}`).toBe(true);
  }
  const n = m.sampleTypes.length;
  const { values, exact, stackStart, stackLocations } = p.samples;
  expect(p.samples.count).toBe(m.samples.length);
  m.samples.forEach((s, i) => {
    // Every int64 exactly: the rounded number, or the exact value beside it.
    const got = s.values.map((_, k) => exact?.get(i * n + k) ?? BigInt(values[i * n + k]));
    expect(got).toEqual(s.values);
    const stack = Array.from(stackLocations.subarray(stackStart[i], stackStart[i + 1]), (l) => p.locations[l]);
    expect(stack.map((l) => l.address)).toEqual(s.stack.map((k) => m.locations[k].address));
    stack.forEach((loc, j) => {
      const want = m.locations[s.stack[j]];
      expect(loc.lines.map((l) => l.function.name)).toEqual(want.lines.map((l) => m.functions[l.fn].name));
      loc.lines.forEach((l, k) => expect(sameNumber(l.line, want.lines[k].line)).toBe(true));
      const mapping = want.mapping === 0 ? undefined : m.mappings[want.mapping - 1];
      expect(
        loc.mapping === null ? null : [loc.mapping.start, loc.mapping.limit, loc.mapping.offset, loc.mapping.filename],
      ).toEqual(mapping === undefined ? null : [mapping.start, mapping.limit, mapping.offset, mapping.file]);
    });
  });
}

/** A profile's content without the numbering of its tables, values exact. */
function meaning(p: Profile) {
  const n = p.sampleTypes.length;
  const { values, exact, stackStart, stackLocations } = p.samples;
  return {
    header: [p.sampleTypes, p.defaultSampleType, p.timeNanos, p.durationNanos, p.periodType, p.period, p.comments],
    samples: Array.from({ length: p.samples.count }, (_, i) => ({
      values: Array.from({ length: n }, (_, k) => String(exact?.get(i * n + k) ?? values[i * n + k])),
      stack: Array.from(stackLocations.subarray(stackStart[i], stackStart[i + 1]), (l) => {
        const loc = p.locations[l];
        return [
          loc.address,
          loc.mapping,
          loc.lines.map((line) => [line.function.name, line.function.filename, line.line]),
        ];
      }),
    })),
  };
}

// --- protobuf as a tree of fields, to damage one field and keep every enclosing length right -------

interface Field {
  tag: number[];
  wireType: number;
  /** The varint, the fixed bytes, or a length-delimited field's bytes when they are no message. */
  payload: Uint8Array;
  children: Field[] | null;
  /** Added to the true length when written: a length off by some bytes, or wrapped past 2^32. */
  lengthDelta: bigint;
  /** Continuation bytes added to the length varint. */
  lengthPad: number;
}

function readVarint(buf: Uint8Array, pos: number, end: number): [bigint, number] | null {
  let v = 0n;
  for (let k = 0; k < 10; k++) {
    if (pos >= end) return null;
    const b = buf[pos++];
    v |= BigInt(b & 0x7f) << BigInt(7 * k);
    if (b < 0x80) return [v, pos];
  }
  return null;
}

/** The fields of [start, end), nested messages parsed as far as `depth` 3; null when they are no message. */
function parseMessage(buf: Uint8Array, start: number, end: number, depth: number): Field[] | null {
  const fields: Field[] = [];
  let pos = start;
  while (pos < end) {
    const tag = readVarint(buf, pos, end);
    if (tag === null || tag[0] < 8n) return null;
    const wireType = Number(tag[0] & 7n);
    const tagBytes = Array.from(buf.subarray(pos, tag[1]));
    pos = tag[1];
    let payloadEnd: number;
    let children: Field[] | null = null;
    let payloadStart = pos;
    if (wireType === 0) {
      const v = readVarint(buf, pos, end);
      if (v === null) return null;
      payloadEnd = v[1];
    } else if (wireType === 1 || wireType === 5) {
      payloadEnd = pos + (wireType === 1 ? 8 : 4);
    } else if (wireType === 2) {
      const len = readVarint(buf, pos, end);
      if (len === null) return null;
      payloadStart = len[1];
      payloadEnd = payloadStart + Number(len[0]);
      if (payloadEnd <= end && depth < 3) children = parseMessage(buf, payloadStart, payloadEnd, depth + 1);
    } else {
      return null;
    }
    if (payloadEnd > end) return null;
    fields.push({
      tag: tagBytes,
      wireType,
      payload: buf.subarray(payloadStart, payloadEnd),
      children,
      lengthDelta: 0n,
      lengthPad: 0,
    });
    pos = payloadEnd;
  }
  return fields;
}

function serialize(fields: readonly Field[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    parts.push(Uint8Array.from(f.tag));
    if (f.wireType === 2 || f.children !== null) {
      const content = f.children === null ? f.payload : serialize(f.children);
      parts.push(Uint8Array.from(padded(varint(BigInt(content.length) + f.lengthDelta), f.lengthPad)), content);
    } else {
      parts.push(f.payload);
    }
  }
  return Buffer.concat(parts);
}

/** The same varint in `extra` more bytes (continuation bits and zero groups), at most 11 in all. */
function padded(bytes: number[], extra: number): number[] {
  if (extra === 0) return bytes;
  const out = bytes.slice();
  out[out.length - 1] |= 0x80;
  for (let k = 1; k < extra; k++) out.push(0x80);
  out.push(0);
  return out.slice(0, 11);
}

type TreeEdit =
  | { kind: 'length'; at: number; delta: bigint }
  | { kind: 'padLength' | 'padTag' | 'padValue'; at: number; extra: number }
  | { kind: 'wireType'; at: number; wireType: number }
  | { kind: 'field'; at: number; field: number }
  | { kind: 'value'; at: number; value: bigint }
  | { kind: 'drop' | 'repeat' | 'swap'; at: number };

const at = fc.nat({ max: 0x7fffffff });
const treeEdit: fc.Arbitrary<TreeEdit> = fc.oneof(
  fc.record({
    kind: fc.constant('length' as const),
    at,
    delta: fc.oneof(
      fc.integer({ min: -8, max: 8 }).map(BigInt),
      fc.constantFrom(2n ** 32n, 2n ** 32n - 1n, 2n ** 33n, 2n ** 53n, 2n ** 63n, -(2n ** 32n)),
    ),
  }),
  fc.record({
    kind: fc.constantFrom('padLength' as const, 'padTag' as const, 'padValue' as const),
    at,
    extra: fc.integer({ min: 1, max: 10 }),
  }),
  fc.record({ kind: fc.constant('wireType' as const), at, wireType: fc.nat(7) }),
  fc.record({
    kind: fc.constant('field' as const),
    at,
    field: fc.oneof(fc.nat(16), fc.constantFrom(2 ** 29 - 1, 2 ** 29, 2 ** 31)),
  }),
  fc.record({ kind: fc.constant('value' as const), at, value: edgeValue }),
  fc.record({ kind: fc.constantFrom('drop' as const, 'repeat' as const, 'swap' as const), at }),
);

/** A copy to edit apart from the original; payloads are shared, as no edit writes into one. */
function clone(f: Field): Field {
  return { ...f, tag: f.tag.slice(), children: f.children === null ? null : f.children.map(clone) };
}

/** Every field with the list it is in, depth first. */
function flatten(fields: Field[], out: Array<[Field[], number]> = []): Array<[Field[], number]> {
  fields.forEach((f, i) => {
    out.push([fields, i]);
    if (f.children !== null) flatten(f.children, out);
  });
  return out;
}

function applyEdit(tree: Field[], e: TreeEdit): void {
  const all = flatten(tree);
  if (all.length === 0) return;
  const [list, i] = all[e.at % all.length];
  const f = list[i];
  switch (e.kind) {
    case 'length':
      if (f.wireType === 2) f.lengthDelta += e.delta;
      break;
    case 'padLength':
      f.lengthPad = e.extra;
      break;
    case 'padTag':
      f.tag = padded(f.tag, e.extra);
      break;
    case 'padValue':
      if (f.wireType === 0) f.payload = Uint8Array.from(padded(Array.from(f.payload), e.extra));
      break;
    case 'wireType':
      f.tag = varint(
        (BigInt(readVarint(Uint8Array.from(f.tag), 0, f.tag.length)?.[0] ?? 8n) & ~7n) | BigInt(e.wireType),
      );
      break;
    case 'field':
      f.tag = varint((BigInt(e.field) << 3n) | BigInt(f.wireType));
      break;
    case 'value':
      if (f.wireType === 0) f.payload = Uint8Array.from(varint(e.value));
      break;
    case 'drop':
      list.splice(i, 1);
      break;
    case 'repeat':
      list.splice(i, 0, clone(f));
      break;
    case 'swap':
      if (i + 1 < list.length) [list[i], list[i + 1]] = [list[i + 1], list[i]];
      break;
  }
}
