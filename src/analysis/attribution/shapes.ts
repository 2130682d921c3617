import { blockSize, bucketArray, groupArray, tableOf, type TableGeometry } from '../../go/map-layout.js';
import type { Phase } from '../../go/phase.js';

/**
 * Step 6 of the attribution: what a site's heap objects say about its maps. A map's objects are
 * not of arbitrary sizes — a header, buckets or groups, tables of 2^B buckets (hmap) or of a power
 * of two groups (Swiss) rounded to size classes — so with the map type's bucket or group size
 * the sizes tell the tables a site holds, how big the largest is, and bounds on the entries its
 * map held at its peak (docs/attribution.md §10).
 */

/** A site's sample, as the shape reads it: its phase and its objects' counts and bytes. */
export interface SizedSample {
  readonly phase: Phase;
  readonly inuseObjects: number;
  readonly inuseBytes: number;
  readonly allocObjects: number;
  readonly allocBytes: number;
}

/** A map type a site's objects may be of, and where it came from. */
export interface ShapeCandidate {
  readonly geometry: TableGeometry;
  /** "map[string]int"; null when only its layout is known. */
  readonly name: string | null;
  readonly key: string | null;
  readonly elem: string | null;
  /** Bytes of an elem (key) stored indirectly, in an object of its own; null when stored in the table. */
  readonly indirectElem: number | null;
  readonly from: 'binary' | 'source';
}

/** What a heap object of a map is, by its size. */
export type ObjectKind = 'header' | 'bucket' | 'table' | 'map-other' | 'other';

export interface MapShape {
  readonly type: Omit<ShapeCandidate, 'geometry' | 'indirectElem'> & {
    readonly impl: 'hmap' | 'swiss';
    readonly slotBytes: number;
  };
  /** Live map headers made at the site: how many maps it made that are still alive. */
  readonly maps: number;
  /** Live tables by size, largest first: B (log2 of buckets or groups), slots, block bytes, count. */
  readonly tables: ReadonlyArray<{
    readonly B: number;
    readonly slots: number;
    readonly bytes: number;
    readonly count: number;
  }>;
  /** Live slots of all tables together: a Swiss map past 1024 slots is many tables. */
  readonly slots: number;
  /** Bounds on the entries the largest map here held at its peak; null when no table is live. */
  readonly entries: { readonly min: number; readonly max: number } | null;
  /** Tables allocated by growth, and their bytes since freed (garbage the growth left). */
  readonly growths: number;
  readonly garbage: number;
  /** Live single buckets past a map's table (hmap overflow buckets). */
  readonly overflowBuckets: number;
  /** Live objects of elems (keys) too big for the table, and their bytes. */
  readonly indirect: { readonly count: number; readonly bytes: number };
  /** Bytes of the site's samples the shape explains, of all. */
  readonly explained: number;
  /**
   * The owner lines whose samples hold tables (1 at granularity "line"), and the map types the
   * site's objects are of by size (see typesOf). Either past 1: the site is several maps, its
   * tables are not one map's, and no one-map advice follows.
   */
  readonly lines: number;
  readonly types: number;
}

/** The kind of a block, and the table it is if it is one. */
function objectKind(block: number, g: TableGeometry): { kind: ObjectKind; B: number; slots: number } {
  const rt = g.runtime;
  if (block === blockSize(rt.headerSize, true, rt)) return { kind: 'header', B: 0, slots: 0 };
  if (block === blockSize(g.slotBytes, g.scan, rt)) return { kind: 'bucket', B: 0, slots: 8 };
  const table = tableOf(block, g);
  if (table !== null) return { kind: 'table', ...table };
  // hmap: mapextra (overflow bookkeeping); Swiss: a table struct, or a directory of 2^k tables.
  const extra = rt.impl === 'hmap' ? [blockSize(rt.mapextraSize, true, rt)] : [blockSize(rt.tableSize, true, rt)];
  if (extra.includes(block) || (rt.impl === 'swiss' && isDirectory(block, rt)))
    return { kind: 'map-other', B: 0, slots: 0 };
  return { kind: 'other', B: 0, slots: 0 };
}

function isDirectory(block: number, rt: TableGeometry['runtime']): boolean {
  for (let tables = 1; tables <= 1 << 20; tables *= 2) {
    const b = blockSize(8 * tables, true, rt);
    if (b === block) return true;
    if (b > block) return false;
  }
  return false;
}

/** Whether a sample's objects are map objects: all of one map size, or a chain of growing tables. */
function isMapObject(count: number, bytes: number, g: TableGeometry): boolean {
  if (count <= 0) return false;
  if (bytes % count === 0 && objectKind(bytes / count, g).kind !== 'other') return true;
  return growthChain(count, bytes, g) !== null;
}

/**
 * One allocation stack that grew a map n times allocated tables of n consecutive sizes (hmap:
 * 2^(B−n+1) … 2^B buckets); their sum names B. null when no chain sums to `bytes`.
 */
function growthChain(count: number, bytes: number, g: TableGeometry): number | null {
  if (count > 40) return null;
  const size = (B: number) => (g.runtime.impl === 'hmap' ? bucketArray(B, g).block : groupArray(2 ** B, g));
  const maxB = g.runtime.impl === 'hmap' ? 30 : Math.log2(g.runtime.maxTableCapacity / g.runtime.groupSlots);
  for (let top = count; top <= maxB; top++) {
    let sum = 0;
    for (let B = top - count + 1; B <= top; B++) sum += size(B);
    if (sum === bytes) return top;
    if (sum > bytes) return null;
  }
  return null;
}

/**
 * Which samples a candidate reads as map objects. An elem stored indirectly is the map's too,
 * whatever else its size might be (256 bytes is also a Swiss directory of 32 tables): read first
 * as what it is, it counts alike for every runtime. What growth allocates besides a table
 * (mapextra, a Swiss table struct or directory) comes with tables, once per table at most:
 * without them a small object of that size is something else (a 16-byte string is also a Swiss
 * directory of two tables).
 */
function explainedBy(samples: readonly SizedSample[], c: ShapeCandidate): boolean[] {
  const g = c.geometry;
  const elem = c.indirectElem === null ? null : blockSize(c.indirectElem, true, g.runtime);
  const kinds = samples.map((s) => sampleKind(s, g));
  const tables = samples.reduce((sum, s, k) => sum + (kinds[k] === 'table' ? Math.max(s.allocObjects, 1) : 0), 0);
  return samples.map((s, k) => {
    const [count, bytes] = s.allocObjects > 0 ? [s.allocObjects, s.allocBytes] : [s.inuseObjects, s.inuseBytes];
    if (elem !== null && count > 0 && bytes === count * elem) return true;
    if (kinds[k] === 'map-other') return count <= tables;
    return isMapObject(s.allocObjects, s.allocBytes, g) || isMapObject(s.inuseObjects, s.inuseBytes, g);
  });
}

/** Bytes of the samples a candidate reads as map objects: the measure candidates are chosen by. */
export function explainedBytes(samples: readonly SizedSample[], c: ShapeCandidate): number {
  const explained = explainedBy(samples, c);
  return samples.reduce((sum, s, k) => sum + (explained[k] ? s.allocBytes : 0), 0);
}

const layoutOf = (c: ShapeCandidate) => `${c.geometry.slotBytes}/${c.geometry.scan}/${c.indirectElem}`;

/**
 * The map type that reads each of a site's samples, null for none: the chosen one where it
 * explains the sample and the sample's own entry point admits it (`candidatesOf`, per sample: a
 * string-keyed type does not read what mapassign_fast64 allocated), then, for the samples it
 * leaves, as many layouts more as it takes (the one that reads most of their bytes first; only
 * for a table of its own: a stray small object that happens to be one bucket of some type of the
 * program is no map). One site may fill maps of several types: a function's lines, or
 * runtime/pprof's own maps under the line that writes a profile.
 */
export function readersOf(
  samples: readonly SizedSample[],
  candidatesOf: ReadonlyArray<readonly ShapeCandidate[]>,
  chosen: ShapeCandidate,
): Array<ShapeCandidate | null> {
  const layouts = new Map<readonly ShapeCandidate[], Set<string>>();
  const admits = (k: number, layout: string) => {
    let set = layouts.get(candidatesOf[k]);
    if (set === undefined) layouts.set(candidatesOf[k], (set = new Set(candidatesOf[k].map(layoutOf))));
    return set.has(layout);
  };
  const chosenExplained = explainedBy(samples, chosen);
  const readers = samples.map((_, k) => (chosenExplained[k] && admits(k, layoutOf(chosen)) ? chosen : null));
  let left = samples.flatMap((_, k) => (readers[k] === null ? [k] : []));
  if (left.length === 0) return readers;
  const others = new Map<string, ShapeCandidate>();
  for (const k of left) for (const c of candidatesOf[k]) if (!others.has(layoutOf(c))) others.set(layoutOf(c), c);
  others.delete(layoutOf(chosen));
  for (;;) {
    const leftSamples = left.map((k) => samples[k]);
    let best: { c: ShapeCandidate; reads: number[] } | null = null;
    let bestBytes = 0;
    for (const [layout, c] of others) {
      const explained = explainedBy(leftSamples, c);
      const reads = left.filter((k, j) => explained[j] && admits(k, layout));
      if (!reads.some((k) => sampleKind(samples[k], c.geometry) === 'table')) continue;
      const bytes = reads.reduce((sum, k) => sum + samples[k].allocBytes, 0);
      if (bytes > bestBytes) [best, bestBytes] = [{ c, reads }, bytes];
    }
    if (best === null) return readers;
    for (const k of best.reads) readers[k] = best.c;
    others.delete(layoutOf(best.c));
    const read = new Set(best.reads);
    left = left.filter((k) => !read.has(k));
  }
}

/**
 * How many map types read a site's samples, and on how many owner lines (`lines`, each sample's)
 * their live tables are: a map's table is freed when it grows, so each map has one. Either past
 * one: the site is several maps, and the shape, read as the chosen type, is not one map's.
 */
export function mapsOf(
  samples: readonly SizedSample[],
  readers: ReadonlyArray<ShapeCandidate | null>,
  lines: readonly number[],
): { readonly types: number; readonly lines: number } {
  const types = new Set(readers.flatMap((c) => (c === null ? [] : [layoutOf(c)])));
  const tableLines = new Set(lines.filter((_, k) => readers[k] !== null && liveTable(samples[k], readers[k].geometry)));
  return { types: Math.max(1, types.size), lines: Math.max(1, tableLines.size) };
}

/** The candidate that explains most of a site's bytes (the first of equals); null when none explains any. */
export function chooseCandidate(
  samples: readonly SizedSample[],
  candidates: readonly ShapeCandidate[],
): { readonly candidate: ShapeCandidate; readonly explained: number } | null {
  const scored = candidates.map((candidate) => ({ candidate, explained: explainedBytes(samples, candidate) }));
  const most = Math.max(0, ...scored.map((s) => s.explained));
  if (most === 0) return null;
  const best = scored.filter((s) => s.explained === most).map((s) => s.candidate);
  // Types of one layout explain the same sizes (map[string]int and map[string]*T both have
  // 208-byte buckets): the shape holds, the name only when it is the one that fits.
  const only = <K extends 'name' | 'key' | 'elem'>(k: K) =>
    best.every((c) => c[k] === best[0][k]) ? best[0][k] : null;
  return { candidate: { ...best[0], name: only('name'), key: only('key'), elem: only('elem') }, explained: most };
}

/**
 * The phases a site's sizes tell, for a stock profile read with --binary, where only the entry
 * point a line calls is known: under mapassign, a table of 2^B buckets or groups (or what growth
 * allocates with one: mapextra, a Swiss table struct or directory) is growth; one bucket is an
 * overflow bucket once the map has a table, else its first bucket. Each sample is read as the map
 * type that reads it (`readers`, see readersOf), the samples of each type together.
 */
export function phasesFromSizes(
  samples: readonly SizedSample[],
  readers: ReadonlyArray<ShapeCandidate | null>,
  paths: readonly number[] = samples.map(() => 0),
): Phase[] {
  const phases = samples.map((s) => s.phase);
  const byType = new Map<string, { c: ShapeCandidate; at: number[] }>();
  readers.forEach((c, k) => {
    if (c === null) return;
    const entry = byType.get(layoutOf(c)) ?? byType.set(layoutOf(c), { c, at: [] }).get(layoutOf(c))!;
    entry.at.push(k);
  });
  for (const { c, at } of byType.values()) {
    const read = phasesOfType(
      at.map((k) => samples[k]),
      c,
      at.map((k) => paths[k]),
    );
    at.forEach((k, j) => (phases[k] = read[j]));
  }
  return phases;
}

function phasesOfType(samples: readonly SizedSample[], c: ShapeCandidate, paths: readonly number[]): Phase[] {
  const g = c.geometry;
  const kinds = samples.map((s) => (s.phase === 'assign' ? kindOf(s, c) : null));
  const hasTables = kinds.includes('table');
  // hmap: the first bucket of a map that starts empty is one allocation stack (mapassign's
  // newobject), its overflow buckets others ((*hmap).newoverflow); all are one bucket, filed
  // under the same call site once the writer hides runtime frames. Per call site (`paths`: maps
  // of its own), every map that grew from its first bucket allocated one table of 2 buckets: the
  // bucket sample made as often is the first buckets'; without one, the one made least often.
  const byPath = new Map<number, number[]>();
  const doubled = new Map<number, number>();
  kinds.forEach((kind, k) => {
    if (kind === 'bucket') (byPath.get(paths[k]) ?? byPath.set(paths[k], []).get(paths[k])!).push(k);
    if (kind === 'table') doubled.set(paths[k], (doubled.get(paths[k]) ?? 0) + tablesOfOneBucketPair(samples[k], g));
  });
  const first = new Set<number>();
  for (const [path, buckets] of byPath) {
    const grown = doubled.get(path) ?? 0;
    const asOften = buckets.find((k) => samples[k].allocObjects === grown);
    if (grown > 0 && asOften !== undefined) {
      first.add(asOften);
      continue;
    }
    const k = buckets.reduce((a, b) => (samples[b].allocObjects < samples[a].allocObjects ? b : a));
    if (buckets.length > 1 || samples[k].allocObjects === 1) first.add(k);
  }
  return samples.map((s, k) => {
    const kind = kinds[k];
    if (kind === 'table' || kind === 'map-other') return 'grow';
    if (kind === 'bucket' && g.runtime.impl === 'hmap' && hasTables) return first.has(k) ? 'assign' : 'overflow';
    return s.phase;
  });
}

/** How many tables of 2^1 buckets (a first bucket's growth) a table sample allocated. */
function tablesOfOneBucketPair(s: SizedSample, g: TableGeometry): number {
  if (s.allocObjects <= 0 || g.runtime.impl !== 'hmap') return 0;
  if (s.allocBytes % s.allocObjects === 0) {
    const t = objectKind(s.allocBytes / s.allocObjects, g);
    return t.kind === 'table' && t.B === 1 ? s.allocObjects : 0;
  }
  const top = growthChain(s.allocObjects, s.allocBytes, g);
  return top !== null && top - s.allocObjects + 1 === 1 ? 1 : 0;
}

/** A sample's kind; an elem stored indirectly (an object per entry, under mapassign) is none of the table's. */
function kindOf(s: SizedSample, c: ShapeCandidate): ObjectKind {
  const kind = sampleKind(s, c.geometry);
  const [count, bytes] = s.allocObjects > 0 ? [s.allocObjects, s.allocBytes] : [s.inuseObjects, s.inuseBytes];
  if (c.indirectElem !== null && count > 0 && bytes === count * blockSize(c.indirectElem, true, c.geometry.runtime))
    return 'other';
  return kind;
}

/** What a sample's objects are: of one kind when all of one size, a table chain when growth made them. */
export function sampleKind(s: SizedSample, g: TableGeometry): ObjectKind {
  const [count, bytes] = s.allocObjects > 0 ? [s.allocObjects, s.allocBytes] : [s.inuseObjects, s.inuseBytes];
  if (count <= 0) return 'other';
  if (bytes % count !== 0) return growthChain(count, bytes, g) === null ? 'other' : 'table';
  return objectKind(bytes / count, g).kind;
}

/**
 * `phasesSeen`: the samples' phases came from frames or were read from sizes (stock + binary);
 * false for source evidence, where every map object of an assign line is `assign`.
 */
export function shapeOf(
  samples: readonly SizedSample[],
  c: ShapeCandidate,
  explained: number,
  phasesSeen = true,
  of: { readonly lines: number; readonly types: number } = { lines: 1, types: 1 },
): MapShape {
  const g = c.geometry;
  const rt = g.runtime;
  const tables = new Map<string, { B: number; slots: number; bytes: number; count: number; grown: boolean }>();
  let maps = 0;
  let growths = 0;
  let garbage = 0;
  let overflowBuckets = 0;
  const indirect = { count: 0, bytes: 0 };
  const live = (B: number, slots: number, bytes: number, count: number, grown: boolean) => {
    const key = `${B}/${slots}`;
    const t = tables.get(key) ?? { B, slots, bytes, count: 0, grown: false };
    t.count += count;
    t.grown ||= grown;
    tables.set(key, t);
  };
  for (const s of samples) {
    const avg = s.inuseObjects > 0 && s.inuseBytes % s.inuseObjects === 0 ? s.inuseBytes / s.inuseObjects : null;
    const kind = avg === null ? null : objectKind(avg, g);
    if (s.phase === 'grow' && s.allocObjects > 0) {
      // Growth allocates tables (and, for Swiss tables, table structs and directories): all of it
      // is garbage once freed, but only tables count as a growth step.
      const allocKind = s.allocBytes % s.allocObjects === 0 ? objectKind(s.allocBytes / s.allocObjects, g).kind : null;
      const chain = allocKind === null && growthChain(s.allocObjects, s.allocBytes, g) !== null;
      if (chain || allocKind === 'table') growths += s.allocObjects;
      if (chain || (allocKind !== null && allocKind !== 'other')) garbage += s.allocBytes - s.inuseBytes;
    }
    if (kind === null) continue;
    if (kind.kind === 'header') maps += s.inuseObjects;
    else if (kind.kind === 'table') live(kind.B, kind.slots, avg!, s.inuseObjects, s.phase === 'grow');
    else if (kind.kind === 'bucket' && s.phase === 'overflow') overflowBuckets += s.inuseObjects;
    else if (kind.kind === 'bucket') live(0, 8, avg!, s.inuseObjects, false);
    else if (
      kind.kind === 'other' &&
      s.phase === 'assign' &&
      c.indirectElem !== null &&
      avg === blockSize(c.indirectElem, true, rt)
    ) {
      indirect.count += s.inuseObjects;
      indirect.bytes += s.inuseBytes;
    }
  }
  // Source evidence has no phases to tell an overflow bucket from a map's first bucket, and one
  // bucket is both's size. A map's first bucket is freed when it grows, so next to a live table of
  // 2^B ≥ 2 buckets of the same type, live single buckets are overflow buckets (or the first
  // buckets of other maps the line filled: sizes cannot tell), not tables of their own.
  if (!phasesSeen && rt.impl === 'hmap' && [...tables.values()].some((t) => t.B >= 1)) {
    const single = tables.get('0/8');
    if (single !== undefined) {
      overflowBuckets += single.count;
      tables.delete('0/8');
    }
  }
  const list = [...tables.values()].sort((a, b) => b.slots - a.slots || b.count - a.count);
  const slots = list.reduce((sum, t) => sum + t.slots * t.count, 0);
  const hasFirstBucket = samples.some(
    (s) =>
      s.phase === 'assign' &&
      s.inuseObjects > 0 &&
      s.inuseBytes === s.inuseObjects * blockSize(g.slotBytes, g.scan, rt),
  );
  return {
    type: { impl: rt.impl, slotBytes: g.slotBytes, name: c.name, key: c.key, elem: c.elem, from: c.from },
    maps,
    tables: list.map(({ B, slots: s, bytes, count }) => ({ B, slots: s, bytes, count })),
    slots,
    entries: list.length === 0 ? null : entryBounds(list, slots, rt, hasFirstBucket),
    growths,
    garbage,
    overflowBuckets,
    indirect,
    explained,
    lines: of.lines,
    types: of.types,
  };
}

/** A sample with a live table: a map's present table, freed once the map grows (one per map). */
function liveTable(s: SizedSample, g: TableGeometry): boolean {
  return (
    s.inuseObjects > 0 &&
    s.inuseBytes % s.inuseObjects === 0 &&
    objectKind(s.inuseBytes / s.inuseObjects, g).kind === 'table'
  );
}

/**
 * Bounds on the peak entries of the largest map. hmap (runtime/map.go overLoadFactor): a map
 * grows from 2^(B−1) to 2^B buckets when an insert takes it past 6.5 per bucket (and past 8), and
 * would grow again past 6.5 per bucket of 2^B: entries of a grown table lie in between; a table
 * made with a hint (create) may hold anything up to the upper bound; a lone first bucket holds 1
 * to 8. Deleting never shrinks a table, so these bound the peak, not the present. Swiss tables
 * (internal/runtime/maps): a table holds at most 7/8 of its slots; deleted slots count as used
 * until the table grows, so the table size bounds entries from above only — beyond the 8 of a
 * small map that grew into a table.
 */
function entryBounds(
  list: ReadonlyArray<{ B: number; slots: number; grown: boolean }>,
  slots: number,
  rt: TableGeometry['runtime'],
  firstBucket: boolean,
): { min: number; max: number } {
  const largest = list[0];
  if (rt.impl === 'hmap') {
    if (largest.B === 0) return { min: firstBucket ? 1 : 0, max: rt.bucketEntries };
    const max = Math.floor(rt.loadFactor * 2 ** largest.B);
    const min = largest.grown
      ? Math.max(rt.bucketEntries + 1, Math.floor(rt.loadFactor * 2 ** (largest.B - 1)) + 1)
      : 0;
    return { min, max };
  }
  if (largest.slots <= rt.groupSlots && list.length === 1 && list[0].B === 0) {
    return { min: firstBucket ? 1 : 0, max: rt.groupSlots };
  }
  // A map past one full table is several tables: its capacity is theirs together.
  const capacity = largest.slots >= rt.maxTableCapacity ? slots : largest.slots;
  return { min: list.some((t) => t.grown) ? rt.groupSlots + 1 : 0, max: Math.floor(rt.maxLoad * capacity) };
}
