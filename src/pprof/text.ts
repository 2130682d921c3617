import { DecodeError } from '../errors.js';
import { limitsOf, tooDeep, type Limits } from '../limits.js';

/**
 * The legacy text heap profile (`/debug/pprof/heap?debug=1`, `WriteTo(w, 1)`):
 *
 *   heap profile: 1004042: 87764256 [1458152: 150721416] @ heap/2
 *   0: 0 [0: 0] @ 0x4c18dc 0x4c1192 … 0x472dc1
 *   #	0x4c18db	runtime/pprof.(*pcDeck).tryAdd+0x25b	runtime/pprof/proto.go:573
 *   …
 *   (a blank line ends each record)
 *   # runtime.MemStats
 *   # Alloc = 89127352
 *
 * The `@` list keeps every PC of the stack (return PCs, or 1 + an inline mark's PC), leaf first,
 * runtime.goexit last; the `#` lines show the frames minus the leading runtime ones. Old Go
 * versions wrote the records alone, without `#` lines or MemStats.
 */
export interface TextHeapProfile {
  /** runtime.MemProfileRate: the header's heap/R holds 2 × the rate. */
  readonly rate: number;
  /** The header's raw totals: inuse objects, inuse bytes, alloc objects, alloc bytes. */
  readonly header: readonly [number, number, number, number];
  /**
   * Whether the records add up to the header's totals. Go's writer sums the records it prints,
   * but files in the wild disagree (google/pprof's testdata/gobench.heap) and `go tool pprof`
   * reads them: the header is not used, so they are read too, and the report can say so.
   */
  readonly headerAgrees: boolean;
  readonly records: readonly TextRecord[];
  /**
   * Record values past 2^53, exactly, at 4 × record + k for values[k] (null when none, the normal
   * case). Only unscaled values (rate ≤ 1) can be: a scaled value is, as in runtime/pprof, the
   * float64 product, which the number holds exactly.
   */
  readonly exact: ReadonlyMap<number, bigint> | null;
  /**
   * The trailing `# runtime.MemStats` block: its scalar fields. LastGC, the profile's time, is
   * left out when it is no time (negative, fractional, past 2^63 ns).
   */
  readonly memStats: MemStats | null;
  /** LastGC exactly, where the number rounds (past 2^53 ns: every real profile's); else null. */
  readonly lastGcExact: bigint | null;
}

export interface TextRecord {
  /** Scaled like a protobuf heap profile: alloc_objects, alloc_space, inuse_objects, inuse_space. */
  readonly values: readonly [number, number, number, number];
  /** Every PC of the stack, leaf first (runtime.goexit last: only a binary can tell). */
  readonly pcs: readonly number[];
  /** The frames the writer shows, leaf first. */
  readonly shown: readonly TextFrame[];
}

export interface TextFrame {
  /** PC − 1, as printed. */
  readonly pc: number;
  /** "" when the writer had no name for the PC. */
  readonly function: string;
  /** The PC's offset into its function (`main.step+0x174`): a PIE's load bias; null without a name. */
  readonly offset: number | null;
  readonly file: string;
  readonly line: number;
}

export type MemStats = Readonly<Record<string, number>>;

// Every pattern is anchored and has no two quantifiers that can match the same text: each runs
// in time linear in its line, whatever the line holds.
const HEADER = /^heap profile: (\d{1,19}): (\d{1,19}) \[(\d{1,19}): (\d{1,19})\] @ heap\/(\d{1,19})$/;
const COUNTS = /^(\d{1,19}): (\d{1,19}) \[(\d{1,19}): (\d{1,19})\]$/;
const PC = /^0x[0-9a-f]{1,16}$/;
const OFFSET = /^\+0x[0-9a-f]{1,16}$/;
const LINE_NUMBER = /^\d{1,10}$/;
const MEMSTAT = /^# (\w+) = (-?\d+(?:\.\d+)?)$/;

/** The first line of a heap profile written by Go: exact spacing, `@ heap/R`. */
export function isGoHeapHeader(line: string): boolean {
  return HEADER.test(line);
}

export function parseHeapText(bytes: Uint8Array, limits: Partial<Limits> = {}): TextHeapProfile {
  const lines = new Lines(bytes);
  const first = lines.next() ?? '';
  const header = HEADER.exec(first);
  if (header === null) {
    throw new DecodeError(`not a Go text heap profile: its first line is ${JSON.stringify(first.slice(0, 80))}`);
  }
  const totals = [1, 2, 3, 4].map((k) => BigInt(header[k]));
  const parser = new RecordParser(Number(header[5]) / 2, limitsOf(limits).stackDepth, header[5]);
  let memStats: Record<string, number> | null = null;
  let lastGc: bigint | null = null;
  for (let line = lines.next(); line !== null; line = lines.next()) {
    if (memStats !== null) lastGc = memStat(line, memStats) ?? lastGc;
    else if (line.startsWith('# runtime.MemStats')) memStats = {};
    else parser.line(line, lines.number);
  }
  const headerAgrees = parser.sums.every((s, k) => s === totals[k]);
  // Go ends a debug=1 profile with MemStats: records without it were cut at a line's end.
  if (parser.framed && memStats === null) {
    if (!headerAgrees) throw new DecodeError(`truncated text heap profile: ${disagreement(parser.sums, totals)}`);
    if (parser.open !== 0) {
      throw new DecodeError(
        `truncated text heap profile: the record at line ${parser.open} ends without the blank line that closes it`,
      );
    }
  }
  return {
    rate: parser.rate,
    header: totals.map(Number) as [number, number, number, number],
    headerAgrees,
    records: parser.records,
    exact: parser.exact,
    memStats,
    lastGcExact: memStats?.LastGC === undefined || Number.isSafeInteger(memStats.LastGC) ? null : lastGc,
  };
}

function disagreement(sums: readonly bigint[], totals: readonly bigint[]): string {
  const form = (v: readonly bigint[]): string => `${v[0]}: ${v[1]} [${v[2]}: ${v[3]}]`;
  return `its records add up to ${form(sums)} but its header says ${form(totals)}`;
}

/** The lines of a text profile, one at a time: no copy of the whole text, no array of lines. */
class Lines {
  readonly #bytes: Buffer;
  #pos = 0;
  number = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) {
      let n = 1;
      for (let p = this.#bytes.indexOf(0x0a); p >= 0; p = this.#bytes.indexOf(0x0a, p + 1)) n++;
      throw new DecodeError(`truncated text heap profile: it ends in the middle of line ${n}`);
    }
  }

  /** The next line without its newline or trailing blanks; null at the end. */
  next(): string | null {
    if (this.#pos >= this.#bytes.length) return null;
    const nl = this.#bytes.indexOf(0x0a, this.#pos);
    const line = this.#bytes.toString('utf8', this.#pos, nl);
    this.#pos = nl + 1;
    this.number++;
    return line.trimEnd();
  }
}

/** The records and their `#` frame lines, line by line. */
class RecordParser {
  readonly records: TextRecord[] = [];
  /** The header's four totals, summed over the raw record counts. */
  readonly sums = [0n, 0n, 0n, 0n];
  exact: Map<number, bigint> | null = null;
  /** A `#` frame line was seen: the debug=1 form, which Go ends with MemStats. */
  framed = false;
  /** The line of the record still open (its frames not yet closed by a blank line), or 0. */
  open = 0;
  /** The open record's frames. */
  #shown: TextFrame[] | null = null;

  constructor(
    readonly rate: number,
    readonly maxDepth: number,
    /** The header's R of `@ heap/R`, as written. */
    readonly sampling: string,
  ) {}

  line(line: string, n: number): void {
    if (line === '') {
      this.#shown = null;
      this.open = 0;
    } else if (line.startsWith('#')) {
      this.frame(line, n);
    } else {
      this.record(line, n);
    }
  }

  record(line: string, n: number): void {
    const at = line.indexOf(' @');
    const counts = at < 0 ? null : COUNTS.exec(line.slice(0, at));
    if (counts === null) throw neither(line, n);
    const raw = [counts[1], counts[2], counts[3], counts[4]].map((d) => int64(d, n));
    raw.forEach((v, k) => (this.sums[k] += v));
    const [inuseObjects, inuseBytes, allocObjects, allocBytes] = raw;
    const values = [
      ...scaleHeapSample(allocObjects, allocBytes, this.rate),
      ...scaleHeapSample(inuseObjects, inuseBytes, this.rate),
    ];
    // 1 − e^(−size/rate) is 0 in float64 when the rate dwarfs the size: Go's scale is then +Inf,
    // and no int64 (what a protobuf profile holds) is the count.
    if (!values.every((v) => v < MAX_SCALED)) {
      throw new DecodeError(
        `corrupt text heap profile: line ${n} scales past 2^63 at the sampling rate heap/${this.sampling}`,
      );
    }
    if (this.rate <= 1) {
      // Exact where the value is the raw count: scaleHeapSample makes a pair with a zero [0, 0].
      [allocObjects, allocBytes, inuseObjects, inuseBytes].forEach((v, k) => values[k] !== 0 && this.noteExact(k, v));
    }
    const shown: TextFrame[] = [];
    this.records.push({
      values: values as [number, number, number, number],
      pcs: pcList(line, at + 2, n, this.maxDepth),
      shown,
    });
    this.#shown = shown;
    this.open = n;
  }

  noteExact(k: number, v: bigint): void {
    if (v > TWO_53) (this.exact ??= new Map()).set(4 * this.records.length + k, v);
  }

  frame(line: string, n: number): void {
    const shown = this.#shown;
    if (shown === null) throw neither(line, n);
    if (shown.length === this.maxDepth) throw tooDeep(`the record at line ${this.open}`, this.maxDepth);
    shown.push(parseFrame(line, n));
    this.framed = true;
  }
}

/** `#\t0x4c18db\truntime/pprof.(*pcDeck).tryAdd+0x25b\truntime/pprof/proto.go:573`, or `#\t0x4c18db`. */
function parseFrame(line: string, n: number): TextFrame {
  // A tabwriter aligns the columns: one tab or several between them.
  const cells = line.split('\t').filter((c) => c !== '');
  if (cells[0] !== '#' || !(cells.length === 2 || cells.length === 4) || !PC.test(cells[1])) throw neither(line, n);
  const pc = parseInt(cells[1].slice(2), 16);
  if (cells.length === 2) return { pc, function: '', offset: null, file: '', line: 0 };
  const [symbol, place] = [cells[2], cells[3]];
  const plus = symbol.lastIndexOf('+');
  const colon = place.lastIndexOf(':');
  const lineNumber = place.slice(colon + 1);
  if (plus <= 0 || !OFFSET.test(symbol.slice(plus)) || colon <= 0 || !LINE_NUMBER.test(lineNumber)) {
    throw neither(line, n);
  }
  const offset = parseInt(symbol.slice(plus + 3), 16);
  return { pc, function: symbol.slice(0, plus), offset, file: place.slice(0, colon), line: Number(lineNumber) };
}

const TWO_53 = 2n ** 53n;
const INT64_MAX = 2n ** 63n - 1n;
const MAX_SCALED = 2 ** 63;

/** A record's count: an int64 in decimal, exact. */
function int64(digits: string, n: number): bigint {
  const v = BigInt(digits);
  if (v > INT64_MAX) throw new DecodeError(`corrupt text heap profile: line ${n} has a count past 2^63: ${digits}`);
  return v;
}

/** The ` 0x… 0x…` after a record's `@`, from `from` on; checked for depth before it is parsed. */
function pcList(line: string, from: number, n: number, maxDepth: number): number[] {
  let count = 0;
  for (let k = from; k < line.length; k++) if (line.charCodeAt(k) === 0x20) count++;
  if (count > maxDepth) throw tooDeep(`the record at line ${n}`, maxDepth);
  const pcs: number[] = [];
  for (let k = from; k < line.length;) {
    const next = line.indexOf(' ', k + 1);
    const end = next < 0 ? line.length : next;
    const token = line.slice(k + 1, end);
    if (line.charCodeAt(k) !== 0x20 || !PC.test(token)) throw neither(line, n);
    pcs.push(parseInt(token.slice(2), 16));
    k = end;
  }
  return pcs;
}

function neither(line: string, n: number): DecodeError {
  return new DecodeError(
    `corrupt text heap profile: line ${n} is neither a record nor a frame: ${JSON.stringify(line.slice(0, 80))}`,
  );
}

// Past 2^63 ns (year 2262) or before the epoch, LastGC is not a time: the profile has none.
const MAX_TIME_NANOS = 2 ** 63;

/**
 * `# Name = 123` into stats; other lines of the block (arrays, `Stack = a / b`) are not scalars.
 * Returns LastGC's digits exactly when the line is LastGC's and kept.
 */
function memStat(line: string, stats: Record<string, number>): bigint | null {
  const m = MEMSTAT.exec(line);
  if (m === null) return null;
  const v = Number(m[2]);
  if (!Number.isFinite(v)) return null;
  if (m[1] === 'LastGC' && !(Number.isInteger(v) && v >= 0 && v <= MAX_TIME_NANOS)) return null;
  stats[m[1]] = v;
  return m[1] === 'LastGC' && /^\d+$/.test(m[2]) ? BigInt(m[2]) : null;
}

/** runtime/pprof's scaleHeapSample: undo sampling at MemProfileRate; exact at rate 1. */
function scaleHeapSample(count: bigint, size: bigint, rate: number): [number, number] {
  if (count === 0n || size === 0n) return [0, 0];
  if (rate <= 1) return [Number(count), Number(size)];
  const avgSize = Number(size) / Number(count);
  const scale = 1 / (1 - Math.exp(-avgSize / rate));
  return [Math.trunc(Number(count) * scale), Math.trunc(Number(size) * scale)];
}
