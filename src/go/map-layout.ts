import type { MapRuntime } from './map-runtime.js';

/**
 * What a map's heap objects weigh: Go's size classes, and the blocks a map's tables take for a
 * given bucket or group size. Sources: runtime/sizeclasses.go (class_to_size, identical in Go
 * 1.19, 1.23 and 1.24), runtime/msize.go roundupsize, runtime/map.go makeBucketArray (1.19
 * :345-388, 1.23 :359-402), internal/runtime/maps (1.24: newarray of groups, tables of at most
 * 1024 slots).
 */

const SIZE_CLASSES = [
  8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480,
  512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864,
  5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
  24576, 27264, 28672, 32768,
];
const MAX_SMALL = 32768;
const PAGE = 8192;
/** Go ≥ 1.22: objects with pointers over this many bytes carry an 8-byte header (mbitmap.go). */
const HEADER_MIN = 512;
const MALLOC_HEADER = 8;

/** The size of the block mallocgc hands out, and a heap profile records, for `size` bytes. */
export function blockSize(size: number, scan: boolean, runtime: Pick<MapRuntime, 'mallocHeaders'>): number {
  if (size <= 0) return 0;
  const withHeader = size + mallocHeader(size, scan, runtime);
  if (withHeader <= MAX_SMALL) return SIZE_CLASSES.find((c) => c >= withHeader)!;
  return Math.ceil(size / PAGE) * PAGE;
}

function mallocHeader(size: number, scan: boolean, runtime: Pick<MapRuntime, 'mallocHeaders'>): number {
  return runtime.mallocHeaders && scan && size > HEADER_MIN && size + MALLOC_HEADER <= MAX_SMALL ? MALLOC_HEADER : 0;
}

/** runtime.roundupsize: what an allocation of `size` bytes may use of its block. */
function usable(size: number, scan: boolean, runtime: Pick<MapRuntime, 'mallocHeaders'>): number {
  return blockSize(size, scan, runtime) - mallocHeader(size, scan, runtime);
}

/** A map type's table geometry under one runtime: all a size needs to be read as a table. */
export interface TableGeometry {
  readonly runtime: MapRuntime;
  /** Bytes of an hmap bucket or a Swiss group. */
  readonly slotBytes: number;
  /** Whether a bucket or group holds pointers (scanned; malloc header past 512 bytes). */
  readonly scan: boolean;
}

/**
 * An hmap bucket array of 2^B buckets as makeBucketArray allocates it: from B = 4 on with
 * 2^(B−4) overflow buckets preallocated, and as many more buckets as fill the size class.
 */
export function bucketArray(B: number, g: TableGeometry): { readonly buckets: number; readonly block: number } {
  let buckets = 2 ** B + (B >= 4 ? 2 ** (B - 4) : 0);
  if (B > 0) buckets = Math.floor(usable(buckets * g.slotBytes, g.scan, g.runtime) / g.slotBytes);
  return { buckets, block: blockSize(buckets * g.slotBytes, g.scan, g.runtime) };
}

/** A Swiss group array: newarray of `groups` groups, as a table's storage or a small map's one group. */
export function groupArray(groups: number, g: TableGeometry): number {
  return blockSize(groups * g.slotBytes, g.scan, g.runtime);
}

/** The largest B a table may have: 2^30 buckets already take terabytes. */
const MAX_B = 30;

/**
 * The table a block is, if it is one: an hmap bucket array of 2^B buckets (B ≥ 1; B = 0 is one
 * bucket, told apart by its caller) or a Swiss group array of a power of two groups up to a
 * full table of 1024 slots. null when no table of this geometry has that size.
 */
export function tableOf(block: number, g: TableGeometry): { readonly B: number; readonly slots: number } | null {
  if (g.runtime.impl === 'hmap') {
    for (let B = 1; B <= MAX_B; B++) {
      const { buckets, block: b } = bucketArray(B, g);
      if (b === block) return { B, slots: buckets * 8 };
      if (b > block) return null;
    }
    return null;
  }
  for (let groups = 1; groups * g.runtime.groupSlots <= g.runtime.maxTableCapacity; groups *= 2) {
    if (groupArray(groups, g) === block) return { B: Math.log2(groups), slots: groups * g.runtime.groupSlots };
  }
  return null;
}
