import { DecodeError, UnsupportedProfileError } from '../errors.js';

/**
 * The legacy text heap profile (`/debug/pprof/heap?debug=1`, `WriteTo(w, 1)`):
 *
 *   heap profile: 1004042: 87764256 [1458152: 150721416] @ heap/2
 *   0: 0 [0: 0] @ 0x4c18dc 0x4c1192 … 0x472dc1
 *   #	0x4c18db	runtime/pprof.(*pcDeck).tryAdd+0x25b	runtime/pprof/proto.go:573
 *   …
 *   # runtime.MemStats
 *   # Alloc = 89127352
 *
 * The `@` list keeps every PC of the stack (return PCs, or 1 + an inline mark's PC), leaf first,
 * runtime.goexit last; the `#` lines show the frames minus the leading runtime ones.
 */
export interface TextHeapProfile {
  /** runtime.MemProfileRate: the header's heap/R holds 2 × the rate. */
  readonly rate: number;
  /** The header's raw totals: inuse objects, inuse bytes, alloc objects, alloc bytes. */
  readonly header: readonly [number, number, number, number];
  readonly records: readonly TextRecord[];
  /** The trailing `# runtime.MemStats` block: its scalar fields. */
  readonly memStats: MemStats | null;
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
  /** The `+0x…` after the name: PC − the entry of the function holding PC; null when unnamed. */
  readonly offset: number | null;
  readonly file: string;
  readonly line: number;
}

export type MemStats = Readonly<Record<string, number>>;

const HEADER = /^heap profile: (\d+): (\d+) \[(\d+): (\d+)\] @ (heap|heap_v2)\/(\d+)\s*$/;
const RECORD = /^(\d+): (\d+) \[(\d+): (\d+)\] @((?: 0x[0-9a-f]+)*)\s*$/;
const FRAME = /^#\t+0x([0-9a-f]+)(?:\t+(.+?)\+0x([0-9a-f]+)\t+(.*):(\d+))?\s*$/;
const MEMSTAT = /^# (\w+) = (-?\d+(?:\.\d+)?)\s*$/;

/** Text that starts like a legacy profile of any kind (heap, goroutine, mutex, …). */
export function isTextProfile(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 64)).toString('latin1');
  return /^(heap profile:|heap_v2\/|goroutine profile:|--- (contention|mutex):|threadcreate profile:)/.test(head);
}

export function parseHeapText(bytes: Uint8Array): TextHeapProfile {
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8').split('\n');
  const header = HEADER.exec(lines[0]);
  if (header === null) {
    const kind = /^(\w+) profile:/.exec(lines[0])?.[1] ?? /^--- (\w+):/.exec(lines[0])?.[1] ?? 'unknown';
    throw new UnsupportedProfileError(`a text ${kind} profile, not a heap profile: take one from /debug/pprof/heap?debug=1`);
  }
  const totals = [1, 2, 3, 4].map((i) => Number(header[i])) as [number, number, number, number];
  const rate = header[5] === 'heap' ? Number(header[6]) / 2 : Number(header[6]);

  const records: TextRecord[] = [];
  const sums = [0, 0, 0, 0];
  let memStats: Record<string, number> | null = null;
  let current: { values: TextRecord['values']; pcs: number[]; shown: TextFrame[] } | null = null;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    if (memStats !== null) {
      const m = MEMSTAT.exec(line);
      if (m !== null) memStats[m[1]] = Number(m[2]);
      continue;
    }
    if (line.trim() === '') continue;
    const record = RECORD.exec(line);
    if (record !== null) {
      const [inuseObjects, inuseBytes, allocObjects, allocBytes] = [1, 2, 3, 4].map((i) => Number(record[i]));
      [inuseObjects, inuseBytes, allocObjects, allocBytes].forEach((v, i) => (sums[i] += v));
      const [io, is] = scaleHeapSample(inuseObjects, inuseBytes, rate);
      const [ao, as] = scaleHeapSample(allocObjects, allocBytes, rate);
      const pcs = record[5].trim() === '' ? [] : record[5].trim().split(' ').map((pc) => parseInt(pc, 16));
      current = { values: [ao, as, io, is], pcs, shown: [] };
      records.push(current);
      continue;
    }
    const frame = FRAME.exec(line);
    if (frame !== null && current !== null) {
      const [pc, offset] = [parseInt(frame[1], 16), frame[3] === undefined ? null : parseInt(frame[3], 16)];
      current.shown.push({ pc, function: frame[2] ?? '', offset, file: frame[4] ?? '', line: Number(frame[5] ?? 0) });
      continue;
    }
    if (line.startsWith('# runtime.MemStats')) {
      memStats = {};
      continue;
    }
    if (n === lines.length - 1) throw new DecodeError(`truncated text heap profile: it ends in the middle of line ${n + 1}`);
    throw new DecodeError(`corrupt text heap profile: line ${n + 1} is neither a record nor a frame: ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (sums.some((s, i) => s !== totals[i])) {
    throw new DecodeError(
      `truncated text heap profile: its records add up to ${sums[0]}: ${sums[1]} [${sums[2]}: ${sums[3]}] but its header says ${totals[0]}: ${totals[1]} [${totals[2]}: ${totals[3]}]`,
    );
  }
  return { rate, header: totals, records, memStats };
}

/** runtime/pprof's scaleHeapSample: undo sampling at MemProfileRate; exact at rate 1. */
function scaleHeapSample(count: number, size: number, rate: number): [number, number] {
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size];
  const avgSize = size / count;
  const scale = 1 / (1 - Math.exp(-avgSize / rate));
  return [Math.trunc(count * scale), Math.trunc(size * scale)];
}
