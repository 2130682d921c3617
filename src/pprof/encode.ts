import protobuf from 'protobufjs/minimal.js';
import type { Writer } from 'protobufjs';
import {
  FUNCTION_FIELDS,
  LABEL_FIELDS,
  LINE_FIELDS,
  LOCATION_FIELDS,
  MAPPING_FIELDS,
  PROFILE_FIELDS as F,
  SAMPLE_FIELDS,
  LEN,
  VALUE_TYPE_FIELDS,
  VARINT,
} from './wire.js';
import type { Func, Location, Mapping, Profile, ValueType } from './profile.js';

/** A sample's string labels, e.g. [["phase", "grow"], ["evidence", "binary"]]. */
export type SampleLabels = ReadonlyArray<readonly [key: string, value: string]>;

/**
 * Profile → an uncompressed protobuf Profile message (proto/profile.proto), the inverse of
 * decodeProtobuf. Deterministic, so that an export can be compared byte for byte: locations are
 * numbered in the order the samples first use them (unused ones are left out), functions and
 * mappings in the order the locations use them, strings in the order they are written. Fields go
 * in field-number order; repeated numbers are packed.
 */
export function encodeProfile(profile: Profile, labels: (sample: number) => SampleLabels = () => []): Uint8Array {
  const strings = new Interned<string>((s) => s);
  strings.id('');
  const locations = new Interned<Location>();
  const mappings = new Interned<Mapping>();
  const functions = new Interned<Func>((f) => `${f.name}\u0000${f.systemName}\u0000${f.filename}\u0000${f.startLine}`);
  const w = protobuf.Writer.create();

  for (const t of profile.sampleTypes) valueType(w, F.sample_type, t, strings);
  const { stackStart, stackLocations, values, exact } = profile.samples;
  const nTypes = profile.sampleTypes.length;
  for (let i = 0; i < profile.samples.count; i++) {
    w.uint32((F.sample << 3) | LEN).fork();
    w.uint32((SAMPLE_FIELDS.location_id << 3) | LEN).fork();
    for (let k = stackStart[i]; k < stackStart[i + 1]; k++)
      w.uint64(locations.id(profile.locations[stackLocations[k]]) + 1);
    w.ldelim();
    w.uint32((SAMPLE_FIELDS.value << 3) | LEN).fork();
    for (let t = 0; t < nTypes; t++) {
      const index = i * nTypes + t;
      const v = exact?.get(index);
      w.int64(v === undefined ? int64Bits(values[index]) : bigIntBits(v));
    }
    w.ldelim();
    for (const [key, value] of labels(i)) {
      w.uint32((SAMPLE_FIELDS.label << 3) | LEN).fork();
      w.uint32((LABEL_FIELDS.key << 3) | VARINT).int64(strings.id(key));
      w.uint32((LABEL_FIELDS.str << 3) | VARINT).int64(strings.id(value));
      w.ldelim();
    }
    w.ldelim();
  }
  // The locations' mappings and functions, numbered as the locations meet them.
  for (const loc of locations.values) {
    if (loc.mapping !== null) mappings.id(loc.mapping);
    for (const line of loc.lines) functions.id(line.function);
  }
  for (const [k, m] of mappings.values.entries()) {
    w.uint32((F.mapping << 3) | LEN).fork();
    uint(w, MAPPING_FIELDS.id, k + 1);
    uint(w, MAPPING_FIELDS.memory_start, m.start);
    uint(w, MAPPING_FIELDS.memory_limit, m.limit);
    uint(w, MAPPING_FIELDS.file_offset, m.offset);
    int(w, MAPPING_FIELDS.filename, strings.id(m.filename));
    int(w, MAPPING_FIELDS.build_id, strings.id(m.buildId));
    w.ldelim();
  }
  for (const [k, loc] of locations.values.entries()) {
    w.uint32((F.location << 3) | LEN).fork();
    uint(w, LOCATION_FIELDS.id, k + 1);
    if (loc.mapping !== null) uint(w, LOCATION_FIELDS.mapping_id, mappings.id(loc.mapping) + 1);
    uint(w, LOCATION_FIELDS.address, loc.address);
    for (const line of loc.lines) {
      w.uint32((LOCATION_FIELDS.line << 3) | LEN).fork();
      uint(w, LINE_FIELDS.function_id, functions.id(line.function) + 1);
      int(w, LINE_FIELDS.line, line.line);
      w.ldelim();
    }
    w.ldelim();
  }
  for (const [k, f] of functions.values.entries()) {
    w.uint32((F.function << 3) | LEN).fork();
    uint(w, FUNCTION_FIELDS.id, k + 1);
    int(w, FUNCTION_FIELDS.name, strings.id(f.name));
    int(w, FUNCTION_FIELDS.system_name, strings.id(f.systemName));
    int(w, FUNCTION_FIELDS.filename, strings.id(f.filename));
    int(w, FUNCTION_FIELDS.start_line, f.startLine);
    w.ldelim();
  }
  // Everything after the string table refers to strings too: intern them before writing it.
  const comments = profile.comments.map((c) => strings.id(c));
  const defaultType = profile.defaultSampleType === null ? 0 : strings.id(profile.defaultSampleType);
  if (profile.periodType !== null) {
    strings.id(profile.periodType.type);
    strings.id(profile.periodType.unit);
  }
  for (const s of strings.values) w.uint32((F.string_table << 3) | LEN).string(s);
  if (profile.timeNanosExact !== undefined)
    w.uint32((F.time_nanos << 3) | VARINT).int64(bigIntBits(profile.timeNanosExact));
  else int(w, F.time_nanos, profile.timeNanos);
  int(w, F.duration_nanos, profile.durationNanos);
  if (profile.periodType !== null) valueType(w, F.period_type, profile.periodType, strings);
  int(w, F.period, profile.period);
  for (const c of comments) w.uint32((F.comment << 3) | VARINT).int64(c);
  int(w, F.default_sample_type, defaultType);
  return w.finish();
}

/** Values numbered from 0 in the order first asked for, by identity or by a key. */
class Interned<T> {
  readonly values: T[] = [];
  readonly #ids = new Map<unknown, number>();
  readonly #key: (value: T) => unknown;

  constructor(key: (value: T) => unknown = (v) => v) {
    this.#key = key;
  }

  id(value: T): number {
    const key = this.#key(value);
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.values.push(value) - 1;
      this.#ids.set(key, id);
    }
    return id;
  }
}

function valueType(w: Writer, field: number, t: ValueType, strings: Interned<string>): void {
  w.uint32((field << 3) | LEN).fork();
  int(w, VALUE_TYPE_FIELDS.type, strings.id(t.type));
  int(w, VALUE_TYPE_FIELDS.unit, strings.id(t.unit));
  w.ldelim();
}

// proto3 leaves zero scalars out.
function int(w: Writer, field: number, value: number): void {
  if (value !== 0) w.uint32((field << 3) | VARINT).int64(int64Bits(value));
}

/** An int64 as protobufjs writes it: low and high words of its two's complement. */
interface Int64Bits {
  readonly low: number;
  readonly high: number;
  readonly unsigned: false;
}

function bigIntBits(value: bigint): Int64Bits {
  const v = BigInt.asUintN(64, value);
  return { low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: false };
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * A number as an int64. The decoder reads int64s into numbers, which round: 2^63 − 1 becomes 2^63,
 * one past the largest int64, whose bits are those of −2^63. Such a number is written as the
 * largest int64, never with its sign flipped.
 */
function int64Bits(value: number): Int64Bits | number {
  if (Number.isSafeInteger(value)) return value;
  return bigIntBits(value >= 2 ** 63 ? INT64_MAX : BigInt(Math.trunc(value)));
}

function uint(w: Writer, field: number, value: number): void {
  if (value !== 0) w.uint32((field << 3) | VARINT).uint64(uint64Bits(value));
}

const UINT64_MAX = 2n ** 64n - 1n;

/** A number as a uint64: 2^64 (what the decoder makes of 2^64 − 1, rounding) as the largest one, not 0. */
function uint64Bits(value: number): { low: number; high: number; unsigned: true } | number {
  if (Number.isSafeInteger(value)) return value;
  const v = value >= 2 ** 64 ? UINT64_MAX : BigInt(Math.trunc(value));
  return { low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true };
}
