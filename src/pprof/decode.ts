import protobuf from 'protobufjs/minimal.js';
import type { Reader } from 'protobufjs';
import { DecodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import { inflate } from './inflate.js';
import type { Func, Line, Location, Mapping, Profile, ValueType } from './profile.js';
import { intAt, readInt, readUint, uintAt, varintEnd } from './varint.js';

/**
 * bytes → Profile. Field numbers are those of proto/profile.proto (test/pprof/schema.test.ts
 * holds them to it). The decoder reads the message in two passes: the first decodes every table
 * (strings, functions, locations, mappings) and only notes where the samples are; the second
 * writes each sample's stack as location indexes straight into a flat array. Go writes the
 * string table and the locations after the samples, so a one-pass decoder would have to keep
 * every raw location id and remap them afterwards.
 */
export function decodeProfile(bytes: Uint8Array, limits: Partial<Limits> = {}): Profile {
  return decodeProtobuf(inflate(bytes, limits));
}

/** An uncompressed protobuf Profile message. */
export function decodeProtobuf(raw: Uint8Array): Profile {
  try {
    return decodeMessage(raw);
  } catch (err) {
    // What corrupt bytes raise: our bounds checks (RangeError) and protobufjs' Reader, which
    // throws plain Errors ("invalid wire type", "illegal tag", …). A TypeError or any other kind
    // is a bug and keeps its stack.
    if (err instanceof RangeError || (err instanceof Error && Object.getPrototypeOf(err) === Error.prototype)) {
      throw new DecodeError(`not a pprof profile: the protobuf data is truncated or corrupt (${err.message})`, { cause: err });
    }
    throw err;
  }
}

const { Reader: ProtoReader, util: { utf8 } } = protobuf;

// Wire types.
const VARINT = 0;
const LEN = 2;

// Profile fields (proto/profile.proto).
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
export const MAPPING_FIELDS = { id: 1, memory_start: 2, memory_limit: 3, file_offset: 4, filename: 5, build_id: 6 } as const;
export const LOCATION_FIELDS = { id: 1, mapping_id: 2, address: 3, line: 4 } as const;
export const LINE_FIELDS = { function_id: 1, line: 2 } as const;
export const FUNCTION_FIELDS = { id: 1, name: 2, system_name: 3, filename: 4, start_line: 5 } as const;

const F = PROFILE_FIELDS;

interface RawValueType {
  type: number;
  unit: number;
}
interface RawFunction {
  id: number;
  name: number;
  systemName: number;
  filename: number;
  startLine: number;
}
interface RawMapping {
  id: number;
  start: number;
  limit: number;
  offset: number;
  filename: number;
  buildId: number;
}
interface RawLocation {
  id: number;
  mappingId: number;
  address: number;
  functionIds: number[];
  lines: number[];
}

function decodeMessage(buf: Uint8Array): Profile {
  const r = ProtoReader.create(buf);
  const sampleTypes: RawValueType[] = [];
  const functions: RawFunction[] = [];
  const mappings: RawMapping[] = [];
  const locations: RawLocation[] = [];
  const strings: string[] = [];
  const comments: number[] = [];
  let periodType: RawValueType | null = null;
  let timeNanos = 0;
  let durationNanos = 0;
  let period = 0;
  let defaultSampleType = 0;
  // [start, end) of each Sample message, decoded in the second pass.
  let sampleRanges: Uint32Array<ArrayBuffer> = new Uint32Array(1024);
  let sampleCount = 0;

  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    switch (field) {
      case F.sample_type:
        expectWireType(field, wireType, LEN);
        sampleTypes.push(readValueType(r));
        break;
      case F.sample: {
        expectWireType(field, wireType, LEN);
        const end = messageEnd(r);
        if (2 * sampleCount + 2 > sampleRanges.length) sampleRanges = grow(sampleRanges);
        sampleRanges[2 * sampleCount] = r.pos;
        sampleRanges[2 * sampleCount + 1] = end;
        sampleCount++;
        r.pos = end;
        break;
      }
      case F.mapping:
        expectWireType(field, wireType, LEN);
        mappings.push(readMapping(r));
        break;
      case F.location:
        expectWireType(field, wireType, LEN);
        locations.push(readLocation(r));
        break;
      case F.function:
        expectWireType(field, wireType, LEN);
        functions.push(readFunction(r));
        break;
      case F.string_table:
        expectWireType(field, wireType, LEN);
        strings.push(readString(r));
        break;
      case F.time_nanos:
        expectWireType(field, wireType, VARINT);
        timeNanos = readInt(r);
        break;
      case F.duration_nanos:
        expectWireType(field, wireType, VARINT);
        durationNanos = readInt(r);
        break;
      case F.period_type:
        expectWireType(field, wireType, LEN);
        periodType = readValueType(r);
        break;
      case F.period:
        expectWireType(field, wireType, VARINT);
        period = readInt(r);
        break;
      case F.comment:
        readRepeatedInts(r, wireType, comments);
        break;
      case F.default_sample_type:
        expectWireType(field, wireType, VARINT);
        defaultSampleType = readInt(r);
        break;
      default:
        // drop_frames, keep_frames and fields newer than this decoder carry nothing mapbloat uses.
        r.skipType(wireType);
    }
  }

  if (strings.length === 0 || strings[0] !== '') {
    throw new DecodeError('not a pprof profile: its string table is missing or does not start with ""');
  }
  if (sampleTypes.length === 0) throw new DecodeError('not a pprof profile: it declares no sample types');

  const str = (index: number, what: string): string => {
    if (!Number.isInteger(index) || index < 0 || index >= strings.length) {
      throw new DecodeError(`corrupt pprof profile: ${what} refers to string ${index}, but the string table has ${strings.length}`);
    }
    return strings[index];
  };
  const valueType = (v: RawValueType, what: string): ValueType => ({ type: str(v.type, what), unit: str(v.unit, what) });

  const funcById = new Map<number, Func>();
  for (const f of functions) {
    funcById.set(f.id, {
      name: str(f.name, 'a function name'),
      systemName: str(f.systemName, 'a function name'),
      filename: str(f.filename, 'a file name'),
      startLine: f.startLine,
    });
  }
  const mappingById = new Map<number, Mapping>();
  for (const m of mappings) {
    mappingById.set(m.id, {
      start: m.start,
      limit: m.limit,
      offset: m.offset,
      filename: str(m.filename, 'a mapping file name'),
      buildId: str(m.buildId, 'a mapping build id'),
    });
  }
  const resolvedLocations: Location[] = locations.map((loc) => {
    const lines: Line[] = loc.functionIds.map((id, k) => {
      const fn = funcById.get(id);
      if (fn === undefined) throw new DecodeError(`corrupt pprof profile: location ${loc.id} refers to missing function ${id}`);
      return { function: fn, line: loc.lines[k] };
    });
    const mapping = loc.mappingId === 0 ? null : (mappingById.get(loc.mappingId) ?? null);
    return { address: loc.address, mapping, lines };
  });

  const nTypes = sampleTypes.length;
  const samples = readSamples(r, sampleRanges, sampleCount, nTypes, locations);

  return {
    sampleTypes: sampleTypes.map((v) => valueType(v, 'a sample type')),
    defaultSampleType: defaultSampleType === 0 ? null : str(defaultSampleType, 'default_sample_type'),
    samples,
    locations: resolvedLocations,
    mappings: [...mappingById.values()],
    timeNanos,
    durationNanos,
    periodType: periodType === null ? null : valueType(periodType, 'period_type'),
    period,
    comments: comments.map((c) => str(c, 'a comment')),
    memStats: null,
  };
}

/** Location id → index into the location table: an array when the ids are dense, as Go's are. */
function locationIndex(locations: readonly RawLocation[]): { dense: Int32Array; sparse: Map<number, number> | null } {
  let maxId = 0;
  for (const loc of locations) {
    if (loc.id <= 0 || !Number.isSafeInteger(loc.id)) throw new DecodeError(`corrupt pprof profile: location id ${loc.id}`);
    if (loc.id > maxId) maxId = loc.id;
  }
  if (maxId <= 4 * locations.length + 1024) {
    const dense = new Int32Array(maxId + 1).fill(-1);
    locations.forEach((loc, i) => (dense[loc.id] = i));
    return { dense, sparse: null };
  }
  const sparse = new Map<number, number>();
  locations.forEach((loc, i) => sparse.set(loc.id, i));
  return { dense: new Int32Array(0), sparse };
}

/**
 * The samples, column-wise: the hot path of a big profile (786k samples, 17M location ids).
 * Varints are read inline from the buffer. The stack array is sized once, by the bytes of the
 * packed location ids (each id takes at least one): growing it by doubling would copy it and,
 * for a moment, hold it twice.
 */
function readSamples(
  r: Reader,
  ranges: Uint32Array,
  count: number,
  nTypes: number,
  locations: readonly RawLocation[],
): Profile['samples'] {
  // A plain Uint8Array view: element reads on it stay monomorphic (r.buf may be a Buffer).
  const buf = new Uint8Array(r.buf.buffer, r.buf.byteOffset, r.buf.byteLength);
  let bound = 0;
  for (let i = 0; i < count; i++) bound += locationIdBytes(buf, ranges[2 * i], ranges[2 * i + 1]);

  const { dense, sparse } = locationIndex(locations);
  const out: SampleColumns = {
    stackStart: new Uint32Array(count + 1),
    stack: new Uint32Array(bound),
    values: new Float64Array(count * nTypes),
    nFrames: 0,
  };
  for (let i = 0; i < count; i++) readSample(buf, ranges[2 * i], ranges[2 * i + 1], i, nTypes, dense, sparse, out);
  out.stackStart[count] = out.nFrames;
  return { count, stackStart: out.stackStart, stackLocations: out.stack.subarray(0, out.nFrames), values: out.values };
}

interface SampleColumns {
  readonly stackStart: Uint32Array;
  readonly stack: Uint32Array;
  readonly values: Float64Array;
  nFrames: number;
}

/** One Sample message into the columns; a small function, so that V8 optimises it early. */
function readSample(
  buf: Uint8Array,
  pos: number,
  end: number,
  i: number,
  nTypes: number,
  dense: Int32Array,
  sparse: Map<number, number> | null,
  out: SampleColumns,
): void {
  const { stack, values } = out;
  const base = i * nTypes;
  let nFrames = out.nFrames;
  let nValues = 0;
  out.stackStart[i] = nFrames;
  while (pos < end) {
    const tag = buf[pos++];
    if (tag === ((SAMPLE_FIELDS.location_id << 3) | LEN) || tag === ((SAMPLE_FIELDS.location_id << 3) | VARINT)) {
      if (pos >= end) throw new RangeError('a sample field is cut short');
      let stop = pos + 1; // unpacked: one varint
      if (tag === ((SAMPLE_FIELDS.location_id << 3) | LEN)) {
        stop = uintAt(buf, pos, end);
        pos = varintEnd.pos;
        stop += pos;
        if (stop > end) throw new RangeError('a packed field overruns its sample');
      }
      while (pos < stop) {
        let id = buf[pos++];
        if (id >= 0x80) {
          // Two bytes hold ids below 16384: a profile's location table rarely needs more.
          if (pos < end && buf[pos] < 0x80) {
            id = (id & 0x7f) | (buf[pos++] << 7);
          } else {
            id = uintAt(buf, pos - 1, end);
            pos = varintEnd.pos;
          }
        }
        const index = id < dense.length ? dense[id] : (sparse?.get(id) ?? -1);
        if (index < 0) throw new DecodeError(`corrupt pprof profile: sample ${i} refers to missing location ${id}`);
        // locationIdBytes counted these very bytes: the array has room.
        stack[nFrames++] = index;
      }
    } else if (tag === ((SAMPLE_FIELDS.value << 3) | LEN) || tag === ((SAMPLE_FIELDS.value << 3) | VARINT)) {
      if (pos >= end) throw new RangeError('a sample field is cut short');
      let stop = pos + 1; // unpacked: one varint
      if (tag === ((SAMPLE_FIELDS.value << 3) | LEN)) {
        stop = uintAt(buf, pos, end);
        pos = varintEnd.pos;
        stop += pos;
        if (stop > end) throw new RangeError('a packed field overruns its sample');
      }
      while (pos < stop) {
        let v = buf[pos++];
        if (v >= 0x80) {
          if (pos < end && buf[pos] < 0x80) {
            v = (v & 0x7f) | (buf[pos++] << 7);
          } else {
            v = intAt(buf, pos - 1, end);
            pos = varintEnd.pos;
          }
        }
        if (nValues < nTypes) values[base + nValues] = v;
        nValues++;
      }
    } else {
      // Labels (Go: the block size) are not used by the attribution.
      pos = skipField(buf, pos - 1, end);
    }
  }
  if (pos !== end) throw new RangeError(`sample ${i} overruns its message`);
  if (nValues !== nTypes) {
    throw new DecodeError(`corrupt pprof profile: sample ${i} has ${nValues} values for ${nTypes} sample types`);
  }
  out.nFrames = nFrames;
}

/** The bytes of a Sample message's location ids: at least as many as it has ids. */
function locationIdBytes(buf: Uint8Array, pos: number, end: number): number {
  let n = 0;
  while (pos < end) {
    const tag = buf[pos];
    if (tag === ((SAMPLE_FIELDS.location_id << 3) | LEN)) {
      const len = uintAt(buf, pos + 1, end);
      pos = varintEnd.pos + len;
      if (pos > end) throw new RangeError('a packed field overruns its sample');
      n += len;
    } else {
      if (tag === ((SAMPLE_FIELDS.location_id << 3) | VARINT)) n++;
      pos = skipField(buf, pos, end);
    }
  }
  return n;
}

/** Where the next field starts, given where this one's tag does. */
function skipField(buf: Uint8Array, pos: number, end: number): number {
  const tag = uintAt(buf, pos, end);
  pos = varintEnd.pos;
  switch (tag & 7) {
    case VARINT:
      uintAt(buf, pos, end);
      return varintEnd.pos;
    case 1:
      return pos + 8;
    case LEN: {
      const len = uintAt(buf, pos, end);
      return varintEnd.pos + len;
    }
    case 5:
      return pos + 4;
    default:
      throw new RangeError(`invalid wire type ${tag & 7}`);
  }
}

function readValueType(r: Reader): RawValueType {
  const end = messageEnd(r);
  const v: RawValueType = { type: 0, unit: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((VALUE_TYPE_FIELDS.type << 3) | VARINT)) v.type = readInt(r);
    else if (tag === ((VALUE_TYPE_FIELDS.unit << 3) | VARINT)) v.unit = readInt(r);
    else r.skipType(tag & 7);
  }
  return v;
}

function readFunction(r: Reader): RawFunction {
  const end = messageEnd(r);
  const f: RawFunction = { id: 0, name: 0, systemName: 0, filename: 0, startLine: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (FUNCTION_FIELDS.id << 3) | VARINT:
        f.id = readUint(r);
        break;
      case (FUNCTION_FIELDS.name << 3) | VARINT:
        f.name = readInt(r);
        break;
      case (FUNCTION_FIELDS.system_name << 3) | VARINT:
        f.systemName = readInt(r);
        break;
      case (FUNCTION_FIELDS.filename << 3) | VARINT:
        f.filename = readInt(r);
        break;
      case (FUNCTION_FIELDS.start_line << 3) | VARINT:
        f.startLine = readInt(r);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return f;
}

function readMapping(r: Reader): RawMapping {
  const end = messageEnd(r);
  const m: RawMapping = { id: 0, start: 0, limit: 0, offset: 0, filename: 0, buildId: 0 };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (MAPPING_FIELDS.id << 3) | VARINT:
        m.id = readUint(r);
        break;
      case (MAPPING_FIELDS.memory_start << 3) | VARINT:
        m.start = readUint(r);
        break;
      case (MAPPING_FIELDS.memory_limit << 3) | VARINT:
        m.limit = readUint(r);
        break;
      case (MAPPING_FIELDS.file_offset << 3) | VARINT:
        m.offset = readUint(r);
        break;
      case (MAPPING_FIELDS.filename << 3) | VARINT:
        m.filename = readInt(r);
        break;
      case (MAPPING_FIELDS.build_id << 3) | VARINT:
        m.buildId = readInt(r);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  return m;
}

function readLocation(r: Reader): RawLocation {
  const end = messageEnd(r);
  const loc: RawLocation = { id: 0, mappingId: 0, address: 0, functionIds: [], lines: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (LOCATION_FIELDS.id << 3) | VARINT:
        loc.id = readUint(r);
        break;
      case (LOCATION_FIELDS.mapping_id << 3) | VARINT:
        loc.mappingId = readUint(r);
        break;
      case (LOCATION_FIELDS.address << 3) | VARINT:
        loc.address = readUint(r);
        break;
      case (LOCATION_FIELDS.line << 3) | LEN: {
        const lineEnd = messageEnd(r);
        let functionId = 0;
        let line = 0;
        while (r.pos < lineEnd) {
          const t = r.uint32();
          if (t === ((LINE_FIELDS.function_id << 3) | VARINT)) functionId = readUint(r);
          else if (t === ((LINE_FIELDS.line << 3) | VARINT)) line = readInt(r);
          else r.skipType(t & 7);
        }
        loc.functionIds.push(functionId);
        loc.lines.push(line);
        break;
      }
      default:
        r.skipType(tag & 7);
    }
  }
  return loc;
}

function readRepeatedInts(r: Reader, wireType: number, out: number[]): void {
  if (wireType === VARINT) {
    out.push(readInt(r));
    return;
  }
  expectWireType(F.comment, wireType, LEN);
  const end = messageEnd(r);
  while (r.pos < end) out.push(readInt(r));
}

function readString(r: Reader): string {
  const end = messageEnd(r);
  const s = utf8.read(r.buf, r.pos, end);
  r.pos = end;
  return s;
}

/** Reads a length prefix and returns where the field ends, checked against the buffer. */
function messageEnd(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new RangeError(`a field of ${len} bytes runs past the end of the data`);
  return end;
}

function expectWireType(field: number, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new DecodeError(
      `not a pprof profile: protobuf field ${field} has wire type ${actual} where a profile has ${expected}`,
    );
  }
}

function grow(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}
