/**
 * What a Go version's map runtime allocates besides the tables a map type describes, for sizing
 * a map from its heap objects. Sources: Debian's Go 1.19.8 and 1.23.5 sources, cited file:line;
 * for Go 1.24, whose sources were not at hand, the DWARF of the go1.24.4 binaries the bundled
 * ones were stripped from: the sizes of the named structs and the values of the named constants.
 */
export type MapRuntime = HmapRuntime | SwissRuntime;

/**
 * The two map implementations: the runtime's hash maps of buckets (Go 1.18–1.23, and 1.24 with
 * GOEXPERIMENT=noswissmap) and the Swiss tables of internal/runtime/maps (Go 1.24).
 */
export type MapImpl = 'hmap' | 'swiss';

interface RuntimeCommon {
  /**
   * Go ≥ 1.22 puts an 8-byte header before every object with pointers over 512 bytes (the
   * allocheaders experiment, on by default since 1.22: runtime/mbitmap.go minSizeForMallocHeader),
   * and the heap profile records the whole block.
   */
  readonly mallocHeaders: boolean;
}

export interface HmapRuntime extends RuntimeCommon {
  readonly impl: 'hmap';
  /** runtime.hmap, the object make() allocates (makemap_small, makemap). */
  readonly headerSize: number;
  /** runtime.mapextra, the overflow bookkeeping allocated with preallocated overflow buckets or by createOverflow. */
  readonly mapextraSize: number;
  /** Entries a bucket holds (bucketCnt, abi.MapBucketCount, abi.OldMapBucketCount). */
  readonly bucketEntries: number;
  /** Average entries per bucket beyond which the map grows: loadFactorNum / loadFactorDen. */
  readonly loadFactor: number;
}

export interface SwissRuntime extends RuntimeCommon {
  readonly impl: 'swiss';
  /** internal/runtime/maps.Map, the object make() allocates. */
  readonly headerSize: number;
  /** internal/runtime/maps.table, one per table once a map outgrows its single small group. */
  readonly tableSize: number;
  /** Slots a group holds (abi.SwissMapGroupSlots). */
  readonly groupSlots: number;
  /** Slots of the largest table; a full one splits in two instead of growing (maxTableCapacity). */
  readonly maxTableCapacity: number;
  /** Share of a table's slots in use beyond which it grows: maxAvgGroupLoad / groupSlots. */
  readonly maxLoad: number;
}

const HMAP = { impl: 'hmap', mapextraSize: 24, bucketEntries: 8, loadFactor: 13 / 2 } as const;

/** By implementation and Go minor version (inclusive); a version outside them has no facts. */
const RUNTIMES: ReadonlyArray<{ readonly minors: readonly [number, number]; readonly runtime: MapRuntime }> = [
  // 1.19 runtime/map.go:66-72 (bucketCnt, loadFactorNum/Den), :116-130 (hmap), :133-147 (mapextra);
  // 1.23 internal/abi/map.go:11-12, runtime/map.go:71-72, :109-123, :126-140. Identical in both, so taken
  // to hold in 1.20–1.22 too, and in 1.18, whose sources were not at hand: both structs are older.
  { minors: [18, 21], runtime: { ...HMAP, headerSize: 48, mallocHeaders: false } },
  { minors: [22, 23], runtime: { ...HMAP, headerSize: 48, mallocHeaders: true } },
  // Go 1.24 added hmap.clearSeq (DWARF: runtime.hmap is 56 bytes, clearSeq@40, extra@48), which
  // the bundled go1.24-noswiss smallmaps profile confirms: 64-byte blocks from makemap_small.
  { minors: [24, 24], runtime: { ...HMAP, headerSize: 56, mallocHeaders: true } },
  // DWARF: internal/runtime/maps.Map 48 bytes, maps.table 32, abi.SwissMapGroupSlots 8,
  // maps.maxTableCapacity 1024, maps.maxAvgGroupLoad 7.
  {
    minors: [24, 24],
    runtime: {
      impl: 'swiss',
      headerSize: 48,
      tableSize: 32,
      groupSlots: 8,
      maxTableCapacity: 1024,
      maxLoad: 7 / 8,
      mallocHeaders: true,
    },
  },
];

/**
 * The facts for a runtime.Version() string ("go1.24.4", "go1.24.4 X:noswissmap") and the map
 * implementation the binary's descriptors have; null for a version this table does not cover.
 */
export function mapRuntimeFor(goVersion: string, impl: MapImpl): MapRuntime | null {
  const minor = /^(?:devel )?go1\.(\d+)/.exec(goVersion)?.[1];
  if (minor === undefined) return null;
  const n = Number(minor);
  const row = RUNTIMES.find((r) => r.runtime.impl === impl && n >= r.minors[0] && n <= r.minors[1]);
  return row?.runtime ?? null;
}

/** Every runtime a profile without a version may come from, newest first. */
export const ALL_RUNTIMES: readonly MapRuntime[] = [...RUNTIMES].reverse().map((r) => r.runtime);
