import protobuf from 'protobufjs/minimal.js';
import { DecodeError } from '../errors.js';
import { limitsOf, tooDeep, type Limits } from '../limits.js';
import { inflate } from './inflate.js';
import type { Func, Line, Location, Mapping, Profile, Samples, ValueType } from './profile.js';
import { bigIntAt, corrupt, intAt, skipVarint, uintAt, varintEnd } from './varint.js';
import {
  fieldEnd,
  Fields,
  FUNCTION,
  FUNCTION_FIELDS,
  LABEL,
  LEN,
  lengthEnd,
  LINE,
  LINE_FIELDS,
  LOCATION,
  LOCATION_FIELDS,
  MAPPING,
  MAPPING_FIELDS,
  PROFILE,
  PROFILE_FIELDS as F,
  SAMPLE,
  SAMPLE_FIELDS,
  tagAt,
  tagOf,
  VALUE_TYPE,
  VALUE_TYPE_FIELDS,
  VARINT,
} from './wire.js';

/**
 * bytes → Profile. The decoder reads the message in two passes: the first decodes every table
 * (strings, functions, locations, mappings) and only notes where the samples are; the second
 * checks the samples and writes each one's stack as location indexes straight into a flat array.
 * Go writes the string table and the locations after the samples, so a one-pass decoder would
 * have to keep every raw location id and remap them afterwards.
 *
 * It refuses what no profile writer produces instead of guessing: a known field of another wire
 * type, a length past its message, a packed run that ends inside a varint, a reserved or
 * repeated id. Every such error is a DecodeError thrown where it is found; anything else that
 * escapes is a bug.
 */
export function decodeProfile(bytes: Uint8Array, limits: Partial<Limits> = {}): Profile {
  return decodeProtobuf(inflate(bytes, limits), limits);
}

/** An uncompressed protobuf Profile message. */
export function decodeProtobuf(raw: Uint8Array, limits: Partial<Limits> = {}): Profile {
  // A plain Uint8Array view: element reads on it stay monomorphic (raw may be a Buffer).
  const buf = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  const t = readTables(buf);
  if (t.strings.length === 0 || t.strings[0] !== '') {
    throw new DecodeError('not a pprof profile: its string table is missing or does not start with ""');
  }
  if (t.sampleTypes.length === 0) throw new DecodeError('not a pprof profile: it declares no sample types');

  const str = (index: number, what: string): string => {
    if (!Number.isInteger(index) || index < 0 || index >= t.strings.length) {
      throw new DecodeError(
        `corrupt pprof profile: ${what} refers to string ${index}, but the string table has ${t.strings.length}`,
      );
    }
    return t.strings[index];
  };
  const valueType = (v: RawValueType, what: string): ValueType => ({
    type: str(v.type, what),
    unit: str(v.unit, what),
  });

  const mappings = new Map<number, Mapping>();
  for (const [id, m] of t.mappings) {
    const { start, limit, offset } = m;
    mappings.set(id, {
      start,
      limit,
      offset,
      filename: str(m.filename, 'a mapping file name'),
      buildId: str(m.buildId, 'a mapping build id'),
    });
  }
  const samples = readSamples(buf, t, limitsOf(limits).stackDepth);
  return {
    sampleTypes: t.sampleTypes.map((v) => valueType(v, 'a sample type')),
    defaultSampleType: t.defaultSampleType === 0 ? null : str(t.defaultSampleType, 'default_sample_type'),
    samples,
    locations: resolveLocations(t.locations, resolveFunctions(t.functions, str), mappings),
    mappings: [...mappings.values()],
    timeNanos: t.timeNanos,
    ...(Number.isSafeInteger(t.timeNanos) ? {} : { timeNanosExact: t.timeNanosExact }),
    durationNanos: t.durationNanos,
    periodType: t.periodType === null ? null : valueType(t.periodType, 'period_type'),
    period: t.period,
    comments: t.comments.map((c) => str(c, 'a comment')),
    memStats: null,
  };
}

const { utf8 } = protobuf.util;

interface RawValueType {
  type: number;
  unit: number;
}
interface RawFunction {
  name: number;
  systemName: number;
  filename: number;
  startLine: number;
}
interface RawMapping {
  start: number;
  limit: number;
  offset: number;
  filename: number;
  buildId: number;
}

/**
 * The locations as columns until the functions they name are known: a profile of a million
 * distinct frames must not cost a million objects and two growable arrays each.
 */
interface RawLocations {
  readonly ids: number[];
  readonly mappingIds: number[];
  readonly addresses: number[];
  /** Location k's lines are lineFunctions/lineNumbers[lineStart[k] .. lineStart[k + 1]). */
  readonly lineStart: number[];
  readonly lineFunctions: number[];
  readonly lineNumbers: number[];
}

interface Tables {
  readonly sampleTypes: RawValueType[];
  readonly strings: string[];
  readonly functions: Map<number, RawFunction>;
  readonly mappings: Map<number, RawMapping>;
  readonly locations: RawLocations;
  readonly comments: number[];
  periodType: RawValueType | null;
  timeNanos: number;
  timeNanosExact: bigint;
  durationNanos: number;
  period: number;
  defaultSampleType: number;
  /** [start, end) of each Sample message, decoded in the second pass. */
  sampleRanges: Uint32Array<ArrayBuffer>;
  sampleCount: number;
  /** The bytes of all Sample messages: every value takes one at least. */
  sampleBytes: number;
}

function readTables(buf: Uint8Array): Tables {
  const t: Tables = {
    sampleTypes: [],
    strings: [],
    functions: new Map(),
    mappings: new Map(),
    locations: { ids: [], mappingIds: [], addresses: [], lineStart: [], lineFunctions: [], lineNumbers: [] },
    comments: [],
    periodType: null,
    timeNanos: 0,
    timeNanosExact: 0n,
    durationNanos: 0,
    period: 0,
    defaultSampleType: 0,
    sampleRanges: new Uint32Array(1024),
    sampleCount: 0,
    sampleBytes: 0,
  };
  const top = new Fields(buf, 0, buf.length, PROFILE);
  while (top.more()) {
    const tag = top.tag();
    switch (tag >>> 3) {
      case F.sample_type:
        if (t.sampleTypes.length === MAX_SAMPLE_TYPES) throw tooManySampleTypes();
        t.sampleTypes.push(readValueType(top.message(VALUE_TYPE)));
        break;
      case F.sample:
        noteSample(t, top);
        break;
      case F.mapping:
        readMapping(top.message(MAPPING), t.mappings);
        break;
      case F.location:
        readLocation(top.message(LOCATION), t.locations);
        break;
      case F.function:
        readFunction(top.message(FUNCTION), t.functions);
        break;
      case F.string_table:
        t.strings.push(readString(top));
        break;
      case F.time_nanos:
        t.timeNanosExact = top.bigint();
        t.timeNanos = Number(t.timeNanosExact);
        break;
      case F.duration_nanos:
        t.durationNanos = top.int();
        break;
      case F.period_type:
        t.periodType = readValueType(top.message(VALUE_TYPE));
        break;
      case F.period:
        t.period = top.int();
        break;
      case F.comment:
        readInts(top, tag & 7, t.comments);
        break;
      case F.default_sample_type:
        t.defaultSampleType = top.int();
        break;
      default:
        // drop_frames, keep_frames and fields newer than this decoder carry nothing mapbloat uses.
        top.skip(tag);
    }
  }
  t.locations.lineStart.push(t.locations.lineFunctions.length);
  return t;
}

// Go writes at most 4 sample types, other writers a few more. The check on values per sample
// bytes comes after the table pass; this one stops a flood of sample types before it costs an
// object each, with no samples to bound it.
const MAX_SAMPLE_TYPES = 1024;

function tooManySampleTypes(): DecodeError {
  return new DecodeError(`corrupt pprof profile: more than ${MAX_SAMPLE_TYPES} sample types (Go writes 4 at most)`);
}

function noteSample(t: Tables, top: Fields): void {
  const end = lengthEnd(top.buf, top.pos, top.end);
  const start = varintEnd.pos;
  if (2 * t.sampleCount + 2 > t.sampleRanges.length) t.sampleRanges = grow(t.sampleRanges);
  t.sampleRanges[2 * t.sampleCount] = start;
  t.sampleRanges[2 * t.sampleCount + 1] = end;
  t.sampleCount++;
  t.sampleBytes += end - start;
  top.pos = end;
}

function readValueType(f: Fields): RawValueType {
  const v: RawValueType = { type: 0, unit: 0 };
  while (f.more()) {
    const tag = f.tag();
    if (tag === tagOf(VALUE_TYPE_FIELDS.type, VARINT)) v.type = f.int();
    else if (tag === tagOf(VALUE_TYPE_FIELDS.unit, VARINT)) v.unit = f.int();
    else f.skip(tag);
  }
  return v;
}

function readFunction(f: Fields, functions: Map<number, RawFunction>): void {
  let id = 0;
  const fn: RawFunction = { name: 0, systemName: 0, filename: 0, startLine: 0 };
  while (f.more()) {
    const tag = f.tag();
    switch (tag) {
      case tagOf(FUNCTION_FIELDS.id, VARINT):
        id = f.uint();
        break;
      case tagOf(FUNCTION_FIELDS.name, VARINT):
        fn.name = f.int();
        break;
      case tagOf(FUNCTION_FIELDS.system_name, VARINT):
        fn.systemName = f.int();
        break;
      case tagOf(FUNCTION_FIELDS.filename, VARINT):
        fn.filename = f.int();
        break;
      case tagOf(FUNCTION_FIELDS.start_line, VARINT):
        fn.startLine = f.int();
        break;
      default:
        f.skip(tag);
    }
  }
  addById(functions, id, fn, 'function');
}

function readMapping(f: Fields, mappings: Map<number, RawMapping>): void {
  let id = 0;
  const m: RawMapping = { start: 0, limit: 0, offset: 0, filename: 0, buildId: 0 };
  while (f.more()) {
    const tag = f.tag();
    switch (tag) {
      case tagOf(MAPPING_FIELDS.id, VARINT):
        id = f.uint();
        break;
      case tagOf(MAPPING_FIELDS.memory_start, VARINT):
        m.start = f.uint();
        break;
      case tagOf(MAPPING_FIELDS.memory_limit, VARINT):
        m.limit = f.uint();
        break;
      case tagOf(MAPPING_FIELDS.file_offset, VARINT):
        m.offset = f.uint();
        break;
      case tagOf(MAPPING_FIELDS.filename, VARINT):
        m.filename = f.int();
        break;
      case tagOf(MAPPING_FIELDS.build_id, VARINT):
        m.buildId = f.int();
        break;
      default:
        f.skip(tag);
    }
  }
  addById(mappings, id, m, 'mapping');
}

/** pprof reserves id 0 for "none" and gives every entry of a table its own id (profile.CheckValid). */
function addById<T>(table: Map<number, T>, id: number, entry: T, what: string): void {
  if (id === 0) throw new DecodeError(`corrupt pprof profile: a ${what} has id 0, which pprof reserves for "none"`);
  if (table.has(id)) throw new DecodeError(`corrupt pprof profile: two ${what}s have id ${id}`);
  table.set(id, entry);
}

function readLocation(f: Fields, locs: RawLocations): void {
  let id = 0;
  let mappingId = 0;
  let address = 0;
  locs.lineStart.push(locs.lineFunctions.length);
  while (f.more()) {
    const tag = f.tag();
    switch (tag) {
      case tagOf(LOCATION_FIELDS.id, VARINT):
        id = f.uint();
        break;
      case tagOf(LOCATION_FIELDS.mapping_id, VARINT):
        mappingId = f.uint();
        break;
      case tagOf(LOCATION_FIELDS.address, VARINT):
        address = f.uint();
        break;
      case tagOf(LOCATION_FIELDS.line, LEN):
        readLine(f.message(LINE), locs);
        break;
      default:
        f.skip(tag);
    }
  }
  if (id === 0) throw new DecodeError('corrupt pprof profile: a location has id 0, which pprof reserves for "none"');
  if (!Number.isSafeInteger(id)) throw new DecodeError(`corrupt pprof profile: location id ${id} is past 2^53`);
  locs.ids.push(id);
  locs.mappingIds.push(mappingId);
  locs.addresses.push(address);
}

function readLine(f: Fields, locs: RawLocations): void {
  let functionId = 0;
  let line = 0;
  while (f.more()) {
    const tag = f.tag();
    if (tag === tagOf(LINE_FIELDS.function_id, VARINT)) functionId = f.uint();
    else if (tag === tagOf(LINE_FIELDS.line, VARINT)) line = f.int();
    else f.skip(tag);
  }
  locs.lineFunctions.push(functionId);
  locs.lineNumbers.push(line);
}

function readInts(f: Fields, wireType: number, out: number[]): void {
  if (wireType === VARINT) {
    out.push(f.int());
    return;
  }
  const run = f.message(PROFILE);
  while (run.more()) out.push(run.int());
}

// V8's longest string is 2^29 - 24 UTF-16 units; a longer one would be a RangeError, not a name.
const MAX_STRING_BYTES = 2 ** 29 - 24;

function readString(f: Fields): string {
  const end = lengthEnd(f.buf, f.pos, f.end);
  const start = varintEnd.pos;
  if (end - start > MAX_STRING_BYTES) {
    throw new DecodeError(`corrupt pprof profile: a string of ${end - start} bytes, longer than any a profile holds`);
  }
  f.pos = end;
  return utf8.read(f.buf, start, end);
}

function resolveFunctions(
  functions: Map<number, RawFunction>,
  str: (i: number, what: string) => string,
): Map<number, Func> {
  const out = new Map<number, Func>();
  for (const [id, f] of functions) {
    out.set(id, {
      name: str(f.name, 'a function name'),
      systemName: str(f.systemName, 'a function name'),
      filename: str(f.filename, 'a file name'),
      startLine: f.startLine,
    });
  }
  return out;
}

const NO_LINES: readonly Line[] = [];

function resolveLocations(locs: RawLocations, funcs: Map<number, Func>, mappings: Map<number, Mapping>): Location[] {
  const { ids, lineStart, lineFunctions, lineNumbers } = locs;
  return ids.map((id, k): Location => {
    const [from, to] = [lineStart[k], lineStart[k + 1]];
    // map, not push: an array the exact size of its lines, for every one of a million locations.
    const lines =
      from === to
        ? NO_LINES
        : lineFunctions.slice(from, to).map((functionId, j): Line => {
            const fn = funcs.get(functionId);
            if (fn === undefined) {
              throw new DecodeError(`corrupt pprof profile: location ${id} refers to missing function ${functionId}`);
            }
            return { function: fn, line: lineNumbers[from + j] };
          });
    const mappingId = locs.mappingIds[k];
    return { address: locs.addresses[k], mapping: mappingId === 0 ? null : (mappings.get(mappingId) ?? null), lines };
  });
}

/** Location id → index into the location table: an array when the ids are dense, as Go's are. */
function locationIndex(ids: readonly number[]): { dense: Int32Array; sparse: Map<number, number> | null } {
  let maxId = 0;
  for (const id of ids) if (id > maxId) maxId = id;
  const twice = (id: number): never => {
    throw new DecodeError(`corrupt pprof profile: two locations have id ${id}`);
  };
  if (maxId <= 4 * ids.length + 1024) {
    const dense = new Int32Array(maxId + 1).fill(-1);
    ids.forEach((id, i) => (dense[id] < 0 ? (dense[id] = i) : twice(id)));
    return { dense, sparse: null };
  }
  const sparse = new Map<number, number>();
  ids.forEach((id, i) => (sparse.has(id) ? twice(id) : sparse.set(id, i)));
  return { dense: new Int32Array(0), sparse };
}

const TWO_53 = 2 ** 53;
const TWO_53_BIG = 2n ** 53n;

interface SampleColumns {
  readonly stackStart: Uint32Array;
  readonly stack: Uint32Array;
  readonly values: Float64Array;
  readonly maxDepth: number;
  exact: Map<number, bigint> | null;
  nFrames: number;
}

/**
 * The samples, column-wise: the hot path of a big profile (786k samples, 17M location ids).
 * A first pass checks each Sample's fields and counts the bytes of its location ids (each id
 * takes one at least): the stack array is sized once by them, where growing it by doubling would
 * copy it and, for a moment, hold it twice. The second pass reads the varints inline.
 */
function readSamples(buf: Uint8Array, t: Tables, maxDepth: number): Samples {
  const { sampleRanges: ranges, sampleCount: count } = t;
  const nTypes = t.sampleTypes.length;
  // Every value takes a byte at least: a few bytes must not ask for gigabytes of values.
  if (count * nTypes > t.sampleBytes) {
    throw new DecodeError(
      `corrupt pprof profile: ${count} samples of ${nTypes} values each need ${count * nTypes} bytes at least, ` +
        `but they have ${t.sampleBytes}`,
    );
  }
  let bound = 0;
  for (let i = 0; i < count; i++) bound += checkSample(buf, ranges[2 * i], ranges[2 * i + 1], i);

  const { dense, sparse } = locationIndex(t.locations.ids);
  const out: SampleColumns = {
    stackStart: new Uint32Array(count + 1),
    stack: new Uint32Array(bound),
    values: new Float64Array(count * nTypes),
    maxDepth,
    exact: null,
    nFrames: 0,
  };
  for (let i = 0; i < count; i++) readSample(buf, ranges[2 * i], ranges[2 * i + 1], i, nTypes, dense, sparse, out);
  out.stackStart[count] = out.nFrames;
  return {
    count,
    stackStart: out.stackStart,
    stackLocations: out.stack.subarray(0, out.nFrames),
    values: out.values,
    exact: out.exact,
  };
}

// Sample tags, each one byte on the wire.
const IDS_PACKED = tagOf(SAMPLE_FIELDS.location_id, LEN);
const ID = tagOf(SAMPLE_FIELDS.location_id, VARINT);
const VALUES_PACKED = tagOf(SAMPLE_FIELDS.value, LEN);
const VALUE = tagOf(SAMPLE_FIELDS.value, VARINT);
const LABEL_TAG = tagOf(SAMPLE_FIELDS.label, LEN);

/**
 * Checks one Sample's fields, its labels' too, and returns the bytes of its location ids. A
 * packed run ends on a varint boundary exactly when its last byte ends a varint: a length that
 * is off by a few bytes would otherwise read numbers across the boundary.
 */
function checkSample(buf: Uint8Array, pos: number, end: number, i: number): number {
  let n = 0;
  while (pos < end) {
    // Go's tags, one byte each, take the short way; anything else is checked in full.
    const tag = buf[pos];
    if (tag === IDS_PACKED || tag === VALUES_PACKED) {
      pos = lengthEnd(buf, pos + 1, end);
      if (pos > varintEnd.pos && buf[pos - 1] >= 0x80) {
        throw midVarint(i, tag === IDS_PACKED ? 'location ids' : 'values');
      }
      if (tag === IDS_PACKED) n += pos - varintEnd.pos;
    } else if (tag === ID || tag === VALUE) {
      if (tag === ID) n++;
      pos = skipVarint(buf, pos + 1, end);
    } else if (tag === LABEL_TAG) {
      pos = labelEnd(buf, pos + 1, end);
    } else {
      pos = otherSampleField(buf, pos, end);
    }
  }
  return n;
}

/** A field with a tag of another wire type or number than Go writes, or with a longer tag. */
function otherSampleField(buf: Uint8Array, pos: number, end: number): number {
  const tag = tagAt(buf, pos, end, SAMPLE);
  const at = varintEnd.pos;
  // A known field of the right wire type gets here only when its tag is padded to more bytes,
  // which the second pass would misread.
  if (SAMPLE.wireTypes[tag >>> 3] !== undefined) {
    corrupt(`a tag of field ${tag >>> 3} padded to ${at - pos} bytes at byte ${pos}`);
  }
  return fieldEnd(buf, at, end, tag & 7);
}

function midVarint(i: number, what: string): DecodeError {
  return new DecodeError(`corrupt pprof profile: the packed ${what} of sample ${i} end in the middle of a varint`);
}

/** Labels (Go: the block size) are not used by the attribution, but are checked like the rest. */
function labelEnd(buf: Uint8Array, pos: number, end: number): number {
  const stop = lengthEnd(buf, pos, end);
  pos = varintEnd.pos;
  while (pos < stop) {
    // Go's labels are varints with one-byte tags: those take the short way.
    const tag = buf[pos];
    if (tag >= 8 && tag < 0x80 && (tag & 7) === VARINT) {
      pos = skipVarint(buf, pos + 1, stop);
    } else {
      const long = tagAt(buf, pos, stop, LABEL);
      pos = fieldEnd(buf, varintEnd.pos, stop, long & 7);
    }
  }
  return stop;
}

/** One Sample message, checked by checkSample, into the columns; small, so that V8 optimises it early. */
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
  const first = out.nFrames;
  let nFrames = first;
  let nValues = 0;
  // Go writes a sample's ids and its values each in one packed field, or (old writers, and Go
  // for stacks of one or two) one field per number; never both, never two packed runs.
  let idsPacked = false;
  let valuesPacked = false;
  out.stackStart[i] = nFrames;
  while (pos < end) {
    const tag = buf[pos++];
    if (tag === IDS_PACKED || tag === ID) {
      let stop = pos + 1; // unpacked: one varint
      if (tag === IDS_PACKED) {
        if (idsPacked || nFrames !== first) throw splitRun(i, 'location ids');
        idsPacked = true;
        stop = lengthEnd(buf, pos, end);
        pos = varintEnd.pos;
      } else if (idsPacked) {
        throw splitRun(i, 'location ids');
      }
      while (pos < stop) {
        let id = buf[pos++];
        if (id >= 0x80) {
          // Two bytes hold ids below 16384: a profile's location table rarely needs more.
          if (buf[pos] < 0x80) {
            id = (id & 0x7f) | (buf[pos++] << 7);
          } else {
            id = uintAt(buf, pos - 1, end);
            pos = varintEnd.pos;
          }
        }
        const index = id < dense.length ? dense[id] : (sparse?.get(id) ?? -1);
        if (index < 0) throw new DecodeError(`corrupt pprof profile: sample ${i} refers to missing location ${id}`);
        // checkSample counted these very bytes: the array has room.
        stack[nFrames++] = index;
      }
    } else if (tag === VALUES_PACKED || tag === VALUE) {
      let stop = pos + 1; // unpacked: one varint
      if (tag === VALUES_PACKED) {
        if (valuesPacked || nValues !== 0) throw splitRun(i, 'values');
        valuesPacked = true;
        stop = lengthEnd(buf, pos, end);
        pos = varintEnd.pos;
      } else if (valuesPacked) {
        throw splitRun(i, 'values');
      }
      while (pos < stop) {
        let v = buf[pos++];
        if (v >= 0x80) {
          if (buf[pos] < 0x80) {
            v = (v & 0x7f) | (buf[pos++] << 7);
          } else {
            const at = pos - 1;
            v = intAt(buf, at, end);
            pos = varintEnd.pos;
            if ((v >= TWO_53 || v <= -TWO_53) && nValues < nTypes) {
              noteExact(out, base + nValues, bigIntAt(buf, at, end));
            }
          }
        }
        if (nValues < nTypes) values[base + nValues] = v;
        nValues++;
      }
    } else {
      // A label or an unknown field, checked by checkSample; its tag may take more than a byte.
      const wireType = uintAt(buf, pos - 1, end) & 7;
      pos = fieldEnd(buf, varintEnd.pos, end, wireType);
    }
  }
  if (nValues !== nTypes) {
    throw new DecodeError(`corrupt pprof profile: sample ${i} has ${nValues} values for ${nTypes} sample types`);
  }
  if (nFrames - first > out.maxDepth) throw tooDeep(`sample ${i}`, out.maxDepth);
  out.nFrames = nFrames;
}

/** A value past ±2^53, which the Float64Array can only round: kept exactly beside it. */
function noteExact(out: SampleColumns, index: number, value: bigint): void {
  if (value > TWO_53_BIG || value < -TWO_53_BIG) (out.exact ??= new Map()).set(index, value);
}

function splitRun(i: number, what: string): DecodeError {
  return new DecodeError(`corrupt pprof profile: sample ${i} has ${what} in a packed field and in another`);
}

function grow(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}
