import type { Symbolizer } from '../binary/symbolize.js';
import { BinaryError } from '../errors.js';
import { GOEXIT, printName } from '../go/names.js';
import type { Frame, Func, Location, Profile } from '../pprof/profile.js';
import type { TextFrame, TextHeapProfile } from '../pprof/text.js';

const SAMPLE_TYPES = [
  { type: 'alloc_objects', unit: 'count' },
  { type: 'alloc_space', unit: 'bytes' },
  { type: 'inuse_objects', unit: 'count' },
  { type: 'inuse_space', unit: 'bytes' },
] as const;

/**
 * The `#` lines are the writer's own symbolization of the stack's last frames: the binary must
 * agree with every one of them, or it is not the binary that wrote the profile.
 */
function checkShownFrames(shown: readonly TextFrame[], frames: readonly Frame[]): void {
  const offset = frames.length - shown.length;
  shown.forEach((s, k) => {
    const f = frames[offset + k];
    if (s.function === '') return;
    if (f === undefined || printName(f.function) !== s.function || f.file !== s.file || f.line !== s.line) {
      const binary = f === undefined ? 'nothing' : `${f.function} ${f.file}:${f.line}`;
      throw new BinaryError(
        `does not match the profile: at 0x${s.pc.toString(16)} the profile shows ${s.function} ` +
          `${s.file}:${s.line}, the binary ${binary}`,
      );
    }
  });
}

/**
 * A text heap profile as a Profile with the sample types of a protobuf one. Without a binary the
 * stacks are the `#` lines (runtime frames hidden, as in a stock protobuf); with one, every `@` PC
 * is symbolized, which brings the hidden frames back: less the load bias when the binary is a
 * PIE, which the `#` lines tell. Locations keep the profile's own addresses.
 */
export function textProfile(text: TextHeapProfile, symbolizer: Symbolizer | null): Profile {
  const funcs = new Map<string, Func>();
  const func = (name: string, file: string): Func => {
    const key = `${name}\u0000${file}`;
    let f = funcs.get(key);
    if (f === undefined) {
      f = { name, systemName: name, filename: file, startLine: 0 };
      funcs.set(key, f);
    }
    return f;
  };
  const locations: Location[] = [];
  const locationIds = new Map<string, number>();
  const location = (address: number, frames: readonly Frame[]): number => {
    const key = `${address}\u0000${frames.map((f) => `${f.function}\u0000${f.file}\u0000${f.line}`).join('\u0001')}`;
    let id = locationIds.get(key);
    if (id === undefined) {
      id = locations.length;
      locationIds.set(key, id);
      locations.push({
        address,
        mapping: null,
        lines: frames.map((f) => ({ function: func(f.function, f.file), line: f.line })),
      });
    }
    return id;
  };

  const bias = symbolizer?.textLoadBias(text.records.map((r) => r.shown)) ?? 0;
  const count = text.records.length;
  const stackStart = new Uint32Array(count + 1);
  const stack: number[] = [];
  const values = new Float64Array(count * 4);
  text.records.forEach((record, i) => {
    stackStart[i] = stack.length;
    values.set(record.values, i * 4);
    if (symbolizer === null) {
      for (const f of record.shown) stack.push(location(f.pc, [f]));
      // A writer that named no frame (an old or unsymbolized profile): the addresses alone.
      if (record.shown.length === 0) for (const pc of record.pcs) stack.push(location(pc - 1, []));
    } else {
      const pcs = bias === 0 ? record.pcs : record.pcs.map((pc) => pc - bias);
      const perPc = symbolizer.stackFrames(pcs).map((frames) => frames.filter((f) => f.function !== GOEXIT));
      checkShownFrames(record.shown, perPc.flat());
      perPc.forEach((kept, k) => {
        if (kept.length > 0) stack.push(location(record.pcs[k] - 1, kept));
      });
    }
  });
  stackStart[count] = stack.length;

  return {
    sampleTypes: SAMPLE_TYPES,
    defaultSampleType: null,
    // Values past 2^53 are at 4 × record + k in both: a record is a sample, its values in order.
    samples: { count, stackStart, stackLocations: Uint32Array.from(stack), values, exact: text.exact },
    locations,
    mappings: [],
    // The text has no time of its own; the heap it shows is the one the last GC published.
    timeNanos: text.memStats?.LastGC ?? 0,
    ...(text.lastGcExact === null ? {} : { timeNanosExact: text.lastGcExact }),
    durationNanos: 0,
    periodType: { type: 'space', unit: 'bytes' },
    period: text.rate,
    comments: [],
    memStats: text.memStats,
    headerAgrees: text.headerAgrees,
  };
}
