import { DecodeError, UnsupportedProfileError } from '../errors.js';
import { isGzip } from './gzip.js';
import { isGoHeapHeader } from './text.js';
import { uintAt, varintEnd } from './varint.js';
import {
  accepts,
  ANY_MESSAGE,
  fieldEnd,
  LEN,
  lengthEnd,
  PACKED,
  PROFILE,
  PROFILE_FIELDS,
  tagAt,
  VALUE_TYPE,
} from './wire.js';

/**
 * What a file is, by its content: a Go heap profile (protobuf or text), or an error that names
 * what it is instead, in one line. Users pass whatever they have: a CPU or goroutine profile, a
 * heap profile of another language, the binary, an error page saved by curl.
 */
export type ProfileFormat = 'protobuf' | 'text';

const TAKE = 'take one from /debug/pprof/heap or go test -memprofile';
const TAKE_TEXT = 'take one from /debug/pprof/heap?debug=1';

/** The inflated bytes of an input: which decoder reads them, or an UnsupportedProfileError. */
export function identify(raw: Uint8Array): ProfileFormat {
  const format = identifyStart(raw);
  if (format === null) {
    throw new UnsupportedProfileError(`a text file of only blank space, not a heap profile: ${TAKE}`);
  }
  return format;
}

/**
 * The first bytes of a gzip stream, before inflating the rest: a file that is no profile is
 * refused from its start, so a gzip bomb of zeros costs half a megabyte, not the size limit.
 */
export function checkStart(head: Uint8Array): void {
  if (!isGzip(head) && identifyStart(head) === 'protobuf') checkProfileStart(head);
}

// A tag and a varint take 20 bytes at most: a field starting this far before the head's end is
// not cut by it.
const WHOLE_FIELD = 20;

/** The top-level fields of a protobuf candidate's head must be a profile's, as far as it holds them. */
function checkProfileStart(head: Uint8Array): void {
  for (let pos = 0; pos + WHOLE_FIELD <= head.length;) {
    const tag = tagAt(head, pos, head.length, PROFILE);
    if ((tag & 7) === LEN) {
      // It may go on past the head: its length is all there is to check.
      const len = uintAt(head, varintEnd.pos, head.length);
      pos = varintEnd.pos + len;
    } else {
      pos = fieldEnd(head, varintEnd.pos, head.length, tag & 7);
    }
  }
}

/**
 * 'text' for a Go text heap profile, 'protobuf' for anything only the protobuf decoder can tell,
 * null for blank bytes; else throws.
 */
function identifyStart(bytes: Uint8Array): ProfileFormat | null {
  const binary = binaryKind(bytes);
  if (binary !== null) throw new UnsupportedProfileError(binary);
  let first = 0;
  while (first < bytes.length && isBlank(bytes[first])) first++;
  if (first === bytes.length) return null;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset + first, Math.min(bytes.length - first, 4096));
  if (!isText(head)) return 'protobuf';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  // Go writes the header first thing; anything else is named from its first word on.
  if (first === 0 && text.startsWith('heap profile:') && isGoHeapHeader(firstLine(text))) return 'text';
  throw new UnsupportedProfileError(textKind(text));
}

function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;
}

/** Magic bytes of the binary formats users mistake for a profile. */
function binaryKind(b: Uint8Array): string | null {
  const ascii = (at: number, s: string): boolean =>
    b.length >= at + s.length && [...s].every((c, k) => b[at + k] === c.charCodeAt(0));
  if (ascii(0, '\x7fELF')) {
    return 'an ELF executable, not a heap profile: give the program as --binary and its heap profile as the argument';
  }
  if (ascii(0, 'FLR\0')) return `a Java Flight Recorder recording (JFR), not a Go heap profile: ${TAKE}`;
  if (ascii(0, 'JAVA PROFILE 1.0.')) return `a Java heap dump (hprof), not a Go heap profile: ${TAKE}`;
  if (ascii(0, 'Nettrace')) return `a .NET EventPipe trace (nettrace), not a Go heap profile: ${TAKE}`;
  if (ascii(257, 'ustar')) return 'a tar archive, not a heap profile: extract the profile from it';
  return null;
}

/** Text: no control characters but tab, newline, carriage return and form feed. */
function isText(head: Uint8Array): boolean {
  for (const b of head) {
    if ((b < 0x20 && !isBlank(b)) || b === 0x7f) return false;
  }
  return true;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).trimEnd();
}

// The first lines of runtime/pprof's other text profiles (debug=1, and goroutine's debug=2).
const GO_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  [/^goroutine profile: total \d+$/, 'a text goroutine profile'],
  [/^goroutine \d+ \[[^\]]*\]:$/, 'a goroutine stack dump (debug=2)'],
  [/^threadcreate profile: total \d+$/, 'a text threadcreate profile'],
  [/^--- mutex:$/, 'a text mutex profile'],
  [/^--- contention:$/, 'a text block profile'],
];

/** Names a text that is not a Go heap profile, from its first character that is not blank on. */
function textKind(text: string): string {
  const line = firstLine(text);
  for (const [pattern, kind] of GO_TEXT) if (pattern.test(line)) return `${kind}, not a heap profile: ${TAKE_TEXT}`;
  // gperftools writes `heap profile:   1:  262144 [  1:  262144] @ heapprofile` or `@ heap_v2/R`,
  // Google's heapz `@ heapz_v2/R`; Go only ever `@ heap/R`.
  if (/^heap profile: *\d+: *\d+ *\[ *\d+: *\d+ *\] *@ *(?:heapprofile|heapz?_v2\/)/.test(line)) {
    return `a tcmalloc (C/C++) heap profile, not a Go heap profile: ${TAKE}`;
  }
  if (line.startsWith('heap profile:')) {
    return `a text heap profile with a header Go does not write (${quote(line)}): ${TAKE}`;
  }
  if (/^heap_v2\/\d+$/.test(line)) return `a jemalloc heap profile, not a Go heap profile: ${TAKE}`;
  // pprof's legacy Java profiles: `--- heapz 1 ---`, `--- contentionz 1 ---`, `--- cpuz 1 ---`.
  if (/^--- *heapz?\b.*---$/.test(line)) return `a Java heap profile (text), not a Go heap profile: ${TAKE}`;
  if (/^--- *\w+ .*---$/.test(line)) return `a Java profile (text), not a Go heap profile: ${TAKE}`;
  if (text.startsWith('{') || text.startsWith('[')) return jsonKind(text);
  if (/^<(!doctype html|html|head|body)\b/i.test(text)) {
    return (
      'an HTML page (an error or login page?), not a heap profile: ' +
      'fetch /debug/pprof/heap itself, or use go test -memprofile'
    );
  }
  if (text.startsWith('<')) return `an XML document, not a heap profile: ${TAKE}`;
  return `a text file, not a heap profile (it starts with ${quote(line)}): ${TAKE}`;
}

/** Chrome DevTools and Node.js write their profiles as JSON; the first key tells which. */
function jsonKind(text: string): string {
  const key = /^\{\s*"(\w+)"/.exec(text)?.[1];
  const v8 = (what: string, extension: string): string =>
    `a V8 ${what} (${extension}, from Chrome or Node.js), not a Go heap profile: ${TAKE}`;
  if (key === 'snapshot') return v8('heap snapshot', '.heapsnapshot');
  if (key === 'head') return v8('sampling heap profile', '.heapprofile');
  if (key === 'nodes') return v8('CPU profile', '.cpuprofile');
  if (key === 'traceEvents') return `a Chrome trace (Trace Event Format), not a Go heap profile: ${TAKE}`;
  return `a JSON document, not a heap profile: ${TAKE}`;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/**
 * A well-formed protobuf message that is not a pprof Profile (an OTLP profiles export, say): the
 * error that names it, or null when the bytes are not well-formed protobuf or look like a pprof
 * profile, whose own decoder then says what is wrong. Decided by walking the message's fields
 * generically, never by where the pprof decoder stopped.
 */
export function otherMessage(raw: Uint8Array): UnsupportedProfileError | null {
  const reason = notProfileReason(raw);
  if (reason !== null && isOtlpExport(raw)) {
    return new UnsupportedProfileError(`an OpenTelemetry (OTLP) profiles export, not a pprof profile: ${TAKE}`);
  }
  return reason === null
    ? null
    : new UnsupportedProfileError(`a protobuf message that is not a pprof profile (${reason}): ${TAKE}`);
}

const FIELD_NAMES = new Map<number, string>(Object.entries(PROFILE_FIELDS).map(([name, n]) => [n, name]));

function notProfileReason(buf: Uint8Array): string | null {
  let mismatch: string | null = null;
  let sampleTypes = 0;
  let valueTypes = true;
  try {
    for (let pos = 0; pos < buf.length;) {
      const tag = tagAt(buf, pos, buf.length, ANY_MESSAGE);
      const [field, wireType] = [tag >>> 3, tag & 7];
      if (field === PROFILE_FIELDS.sample_type && wireType === LEN) {
        pos = lengthEnd(buf, varintEnd.pos, buf.length);
        sampleTypes++;
        valueTypes &&= isValueType(buf, varintEnd.pos, pos);
      } else {
        pos = fieldEnd(buf, varintEnd.pos, buf.length, wireType);
      }
      mismatch ??= wireTypeMismatch(field, wireType);
    }
  } catch (err) {
    if (err instanceof DecodeError) return null; // not well-formed: corrupt, whatever it was meant to be
    throw err;
  }
  if (mismatch !== null) return mismatch;
  if (sampleTypes === 0) return 'no field 1, where a profile declares its sample types';
  if (!valueTypes) return 'its field 1 does not hold sample types';
  return null;
}

function wireTypeMismatch(field: number, wireType: number): string | null {
  const expected = PROFILE.wireTypes[field];
  if (expected === undefined || accepts(expected, wireType)) return null;
  const wanted = expected === PACKED ? LEN : expected;
  const name = FIELD_NAMES.get(field);
  return `its field ${field} is ${WIRE_KINDS[wireType]} where a profile's ${name} is ${WIRE_KINDS[wanted]}`;
}

// What a field holds, in words: a valid message of another schema is not "corrupt" or a "wire type".
const WIRE_KINDS: Readonly<Record<number, string>> = {
  0: 'a number',
  1: 'a 64-bit fixed number',
  2: 'bytes or a message',
  5: 'a 32-bit fixed number',
};

/**
 * OTLP's ExportProfilesServiceRequest: field 1 holds ResourceProfiles (fields 1–3: a Resource,
 * ScopeProfiles and a schema URL), field 2 the dictionary; a ScopeProfiles holds its scope, its
 * profiles and a schema URL (fields 1–3). All length-delimited, where a pprof profile's field 1 is a
 * ValueType of two numbers.
 */
function isOtlpExport(buf: Uint8Array): boolean {
  try {
    let profiles = false;
    const top = lengthDelimitedFields(buf, 0, buf.length, 2);
    if (top === null) return false;
    for (const [field, start, end] of top) {
      if (field !== 1) continue;
      const resource = lengthDelimitedFields(buf, start, end, 3);
      if (resource === null) return false;
      for (const [inner, from, to] of resource) {
        if (inner !== 2) continue;
        const scope = lengthDelimitedFields(buf, from, to, 3);
        if (scope === null) return false;
        profiles ||= scope.some(([f]) => f === 2);
      }
    }
    return profiles;
  } catch (err) {
    if (err instanceof DecodeError) return false;
    throw err;
  }
}

/** A message's fields as [number, start, end] when all are length-delimited and numbered 1..max; else null. */
function lengthDelimitedFields(
  buf: Uint8Array,
  pos: number,
  end: number,
  max: number,
): Array<[number, number, number]> | null {
  const fields: Array<[number, number, number]> = [];
  while (pos < end) {
    const tag = tagAt(buf, pos, end, ANY_MESSAGE);
    const [field, wireType] = [tag >>> 3, tag & 7];
    if (field < 1 || field > max || wireType !== LEN) return null;
    pos = lengthEnd(buf, varintEnd.pos, end);
    fields.push([field, varintEnd.pos, pos]);
  }
  return fields;
}

/** A ValueType: well-formed, its type and unit varints. */
function isValueType(buf: Uint8Array, pos: number, end: number): boolean {
  try {
    while (pos < end) {
      const tag = tagAt(buf, pos, end, VALUE_TYPE);
      pos = fieldEnd(buf, varintEnd.pos, end, tag & 7);
    }
    return true;
  } catch (err) {
    if (err instanceof DecodeError) return false;
    throw err;
  }
}
