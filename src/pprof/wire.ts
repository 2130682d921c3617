import { DecodeError } from '../errors.js';
import { bigIntAt, corrupt, intAt, skipVarint, uintAt, varintEnd } from './varint.js';

/**
 * The protobuf wire format of proto/profile.proto (test/pprof/decode.test.ts holds the field
 * numbers to it): field numbers, the wire type each known field has, and a reader that refuses
 * a known field of another wire type instead of skipping it. Only unknown fields (newer than
 * the schema, or another writer's) are skipped.
 */

export const VARINT = 0;
const I64 = 1;
export const LEN = 2;
const I32 = 5;
/** A repeated number: one varint per field, or a packed run of them in a length-delimited one. */
export const PACKED = -1;

export const PROFILE_FIELDS = {
  sample_type: 1,
  sample: 2,
  mapping: 3,
  location: 4,
  function: 5,
  string_table: 6,
  drop_frames: 7,
  keep_frames: 8,
  time_nanos: 9,
  duration_nanos: 10,
  period_type: 11,
  period: 12,
  comment: 13,
  default_sample_type: 14,
} as const;
export const VALUE_TYPE_FIELDS = { type: 1, unit: 2 } as const;
export const SAMPLE_FIELDS = { location_id: 1, value: 2, label: 3 } as const;
export const LABEL_FIELDS = { key: 1, str: 2, num: 3, num_unit: 4 } as const;
export const MAPPING_FIELDS = {
  id: 1,
  memory_start: 2,
  memory_limit: 3,
  file_offset: 4,
  filename: 5,
  build_id: 6,
  has_functions: 7,
  has_filenames: 8,
  has_line_numbers: 9,
  has_inline_frames: 10,
} as const;
export const LOCATION_FIELDS = { id: 1, mapping_id: 2, address: 3, line: 4, is_folded: 5 } as const;
export const LINE_FIELDS = { function_id: 1, line: 2, column: 3 } as const;
export const FUNCTION_FIELDS = { id: 1, name: 2, system_name: 3, filename: 4, start_line: 5 } as const;

/** A message's name for errors, and the wire type of each of its known fields by number. */
export interface Schema {
  readonly name: string;
  readonly wireTypes: readonly (number | undefined)[];
  /** 1 for each one-byte tag tagAt accepts as it is: the check of the common case is one load. */
  readonly oneByteTags: Uint8Array;
}

/** Every field a varint unless listed: pprof's messages are numbers and string indexes. */
function schema(name: string, fields: Record<string, number>, other: Record<string, number> = {}): Schema {
  const wireTypes: (number | undefined)[] = [];
  for (const [field, n] of Object.entries(fields)) wireTypes[n] = other[field] ?? VARINT;
  const oneByteTags = new Uint8Array(0x80);
  for (let tag = 8; tag < 0x80; tag++) {
    const expected = wireTypes[tag >>> 3];
    oneByteTags[tag] = Number(expected === undefined ? skippable(tag & 7) : accepts(expected, tag & 7));
  }
  return { name, wireTypes, oneByteTags };
}

export const PROFILE: Schema = schema('Profile', PROFILE_FIELDS, {
  sample_type: LEN,
  sample: LEN,
  mapping: LEN,
  location: LEN,
  function: LEN,
  string_table: LEN,
  period_type: LEN,
  comment: PACKED,
});
export const VALUE_TYPE = schema('ValueType', VALUE_TYPE_FIELDS);
export const SAMPLE = schema('Sample', SAMPLE_FIELDS, { location_id: PACKED, value: PACKED, label: LEN });
export const LABEL = schema('Label', LABEL_FIELDS);
export const MAPPING = schema('Mapping', MAPPING_FIELDS);
export const LOCATION = schema('Location', LOCATION_FIELDS, { line: LEN });
export const LINE = schema('Line', LINE_FIELDS);
export const FUNCTION = schema('Function', FUNCTION_FIELDS);
/** Any message: every field unknown, to walk protobuf of another schema. */
export const ANY_MESSAGE: Schema = schema('message', {});

export function tagOf(field: number, wireType: number): number {
  return (field << 3) | wireType;
}

/** Whether a field a schema knows as `expected` may have this wire type. */
export function accepts(expected: number, wireType: number): boolean {
  return wireType === expected || (expected === PACKED && (wireType === VARINT || wireType === LEN));
}

/** 3 and 4 are proto2 groups, which no profile writer uses; 6 and 7 do not exist. */
function skippable(wireType: number): boolean {
  return wireType === VARINT || wireType === I64 || wireType === LEN || wireType === I32;
}

function wireTypeError(message: Schema, field: number, actual: number, expected: number): DecodeError {
  const of = message === PROFILE ? '' : ` of a ${message.name}`;
  // A packed field may also be a plain varint; the message names the form Go writes.
  const wanted = expected === PACKED ? LEN : expected;
  return new DecodeError(
    `not a pprof profile: protobuf field ${field}${of} has wire type ${actual} where a profile has ${wanted}`,
  );
}

/**
 * A tag at pos, checked: a field number from 1 up that fits in 29 bits, the wire type the schema
 * gives a known field, and for an unknown one a wire type that can be skipped.
 */
export function tagAt(buf: Uint8Array, pos: number, end: number, schema: Schema): number {
  // Every field of proto/profile.proto has a one-byte tag.
  const b = buf[pos];
  if (b < 0x80 && schema.oneByteTags[b] === 1 && pos < end) {
    varintEnd.pos = pos + 1;
    return b;
  }
  const tag = uintAt(buf, pos, end);
  if (tag < 8 || tag >= 2 ** 32) corrupt(`field number ${Math.floor(tag / 8)} at byte ${pos}`);
  const field = tag >>> 3;
  const wireType = tag & 7;
  const expected = schema.wireTypes[field];
  if (expected !== undefined) {
    if (!accepts(expected, wireType)) throw wireTypeError(schema, field, wireType, expected);
  } else if (!skippable(wireType)) {
    corrupt(`wire type ${wireType} at byte ${pos}`);
  }
  return tag;
}

/** Where a field ends, given the position just after its tag (checked by tagAt) and its message's end. */
export function fieldEnd(buf: Uint8Array, pos: number, end: number, wireType: number): number {
  if (wireType === VARINT) return skipVarint(buf, pos, end);
  if (wireType === LEN) return lengthEnd(buf, pos, end);
  const stop = pos + (wireType === I64 ? 8 : 4);
  if (stop > end) corrupt(`a field runs past the end of its message at byte ${pos}`);
  return stop;
}

/**
 * Reads a length prefix at pos; returns where the field ends, checked against the message's end,
 * and leaves where it starts in varintEnd.pos.
 */
export function lengthEnd(buf: Uint8Array, pos: number, end: number): number {
  let len = buf[pos];
  let start = pos + 1;
  // One byte holds a length below 128, as most of a profile's are; a longer one is read in full,
  // never cut to 32 bits: a length past 2^32 is not a smaller one.
  if (!(len < 0x80 && pos < end)) {
    len = uintAt(buf, pos, end);
    start = varintEnd.pos;
  }
  varintEnd.pos = start;
  if (len > end - start) {
    corrupt(`a field of ${len} bytes runs past the end of ${end === buf.length ? 'the data' : 'its message'}`);
  }
  return start + len;
}

/** The fields of one message: a cursor that checks every length against the message's end. */
export class Fields {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly schema: Schema,
  ) {
    this.pos = start;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  tag(): number {
    const tag = tagAt(this.buf, this.pos, this.end, this.schema);
    this.pos = varintEnd.pos;
    return tag;
  }

  uint(): number {
    const v = uintAt(this.buf, this.pos, this.end);
    this.pos = varintEnd.pos;
    return v;
  }

  int(): number {
    const v = intAt(this.buf, this.pos, this.end);
    this.pos = varintEnd.pos;
    return v;
  }

  /** An int64 exactly, for a field whose every digit matters past 2^53 (time_nanos). */
  bigint(): bigint {
    const v = bigIntAt(this.buf, this.pos, this.end);
    this.pos = varintEnd.pos;
    return v;
  }

  /** A length-delimited field: [its start, its end) as a nested message. */
  message(schema: Schema): Fields {
    const end = lengthEnd(this.buf, this.pos, this.end);
    const nested = new Fields(this.buf, varintEnd.pos, end, schema);
    this.pos = end;
    return nested;
  }

  /** Skips a field the caller does not read (its tag was checked by tag()). */
  skip(tag: number): void {
    this.pos = fieldEnd(this.buf, this.pos, this.end, tag & 7);
  }
}
