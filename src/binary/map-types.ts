import { BinaryError } from '../errors.js';
import { fileOffset, type ElfFile } from './elf.js';
import type { ModuleTypes } from './pclntab.js';
import { corrupt } from './region.js';
import { KIND_MAP, TFLAG_NAMED, TypeDescriptors } from './rtype.js';

import type { MapImpl } from '../go/map-runtime.js';

export type { MapImpl };

/** Every map type of a Go program, read from its type descriptors. */
export interface GoMapTypes {
  /** The implementation the descriptors are laid out for; null when the program has no map type. */
  readonly impl: MapImpl | null;
  /** Sorted by descriptor address. */
  readonly types: readonly GoMapType[];
}

export type GoMapType = HmapMapType | SwissMapType;

/** A map type's key or elem type. */
export interface MapOperand {
  /** As reflect prints it: "string", "*main.Entry", "[256]uint8". */
  readonly name: string;
  /** Bytes of one value (Size_), also when the table stores a pointer to it instead. */
  readonly size: number;
}

interface MapTypeCommon {
  /** The virtual address of the map type descriptor: what makemap and mapassign get as their type. */
  readonly descriptor: number;
  /** As reflect prints it: "map[string][]uint8", or a defined type's name, "pprof.labelMap". */
  readonly name: string;
  /** A defined type (`type T map[K]V`): its key, elem and table layout are those of its underlying type. */
  readonly named: boolean;
  readonly key: MapOperand;
  readonly elem: MapOperand;
  /** Keys (elems) over 128 bytes live in objects of their own; the table holds pointers to them. */
  readonly indirectKey: boolean;
  readonly indirectElem: boolean;
  /** The flags word as stored; hmap and Swiss tables assign its bits differently. */
  readonly flags: number;
  /**
   * Whether a bucket or group holds pointers: the garbage collector scans it, and Go ≥ 1.22 gives
   * big ones a malloc header.
   */
  readonly tablePointers: boolean;
}

/** runtime.maptype (1.18–1.20), internal/abi.MapType (1.21–1.23), internal/abi.OldMapType (1.24). */
export interface HmapMapType extends MapTypeCommon {
  readonly impl: 'hmap';
  /** Bytes of a key (elem) slot in a bucket: the key (elem) size, or 8 when indirect (KeySize, ValueSize). */
  readonly keySlot: number;
  readonly elemSlot: number;
  /** Bytes of a bucket: 8 tophash bytes, 8 key slots, 8 elem slots, the overflow pointer (BucketSize). */
  readonly bucketSize: number;
}

/** internal/abi.SwissMapType (1.24). */
export interface SwissMapType extends MapTypeCommon {
  readonly impl: 'swiss';
  /** Bytes of a group: 8 control bytes, then 8 slots (GroupSize). */
  readonly groupSize: number;
  /** Bytes of a slot: key, then elem at elemOffset, each a pointer when indirect (SlotSize). */
  readonly slotSize: number;
  /** Offset of the elem in a slot (ElemOff). */
  readonly elemOffset: number;
}

/**
 * The fields after the 48-byte header. Both layouts start key@48, elem@56, bucket or group@64,
 * hasher@72 (a func value).
 * hmap, 88 bytes (1.19 runtime/type.go:356-367, 1.23 internal/abi/type.go:467-478, 1.24's DWARF):
 * keysize u8@80, elemsize u8@81, bucketsize u16@82, flags u32@84 (indirect key 1, indirect elem 2;
 * 1.19 runtime/type.go:371-385, 1.23 internal/abi/type.go:482-496).
 * Swiss, 112 bytes (1.24's DWARF of internal/abi.SwissMapType): GroupSize u64@80, SlotSize u64@88,
 * ElemOff u64@96, Flags u32@104 (indirect key 4, indirect elem 8: the DWARF constants
 * abi.SwissMapIndirectKey and SwissMapIndirectElem).
 */
const KEY_AT = 48;
const ELEM_AT = 56;
const TABLE_TYPE_AT = 64;
const HASHER_AT = 72;
const HMAP = { keySlot: 80, elemSlot: 81, bucketSize: 82, flags: 84, size: 88, indirectKey: 1, indirectElem: 2 };
const SWISS = { groupSize: 80, slotSize: 88, elemOffset: 96, flags: 104, size: 112, indirectKey: 4, indirectElem: 8 };
const LAYOUT = { hmap: HMAP, swiss: SWISS };

/**
 * Every map type of the program. Unnamed map types are listed in moduledata.typelinks; defined
 * ones are found by a scan of the type descriptors (namedMapTypes). Corrupt descriptors, names
 * or typelinks are a BinaryError.
 */
export function readMapTypes(elf: ElfFile, module: ModuleTypes | null): GoMapTypes {
  if (module === null) {
    throw new BinaryError('has no runtime.firstmoduledata that mapbloat can find, so its types are unknown');
  }
  const t = TypeDescriptors.read(elf, module);
  const unnamed = typelinks(elf, module, t).filter((off) => t.kind(off) === KIND_MAP);
  const impl = programImpl(t, unnamed);
  if (impl === null) return { impl, types: [] };
  const all = [...unnamed, ...namedMapTypes(t, unnamed, impl)].sort((a, b) => a - b);
  return { impl, types: all.map((off) => readMapType(t, off, impl)) };
}

/**
 * The descriptors moduledata.typelinks lists, as offsets in the type descriptors, once each. The
 * compiler lists every unnamed map type there: reflect.MapOf must find the binary's own
 * descriptor rather than build another (cmd/compile/internal/reflectdata/reflect.go, 1.19
 * :1210-1226, 1.23 :1218-1234).
 */
function typelinks(elf: ElfFile, module: ModuleTypes, t: TypeDescriptors): number[] {
  const at = fileOffset(elf, module.typelinks, 4 * module.ntypelinks);
  if (at === null) throw corrupt('the typelinks lie outside the file');
  const links = elf.file.sub(at, 4 * module.ntypelinks, 'the typelinks');
  const offsets = new Set<number>();
  for (let i = 0; i < module.ntypelinks; i++) {
    const off = links.i32(4 * i, 'the typelinks');
    if (t.offsetOf(t.base + off) === null) throw corrupt('a typelinks entry lies outside the type descriptors');
    offsets.add(off);
  }
  return [...offsets];
}

/**
 * hmap or Swiss tables, told by the map descriptors themselves: the size of the table type at @64
 * (bucket or group) is bucketsize (u16@82) in an hmap descriptor and GroupSize (u64@80) in a Swiss
 * one, and never both (bytes 82-83 of a GroupSize below 64 KiB are zero). The descriptors are what
 * the fields are read from, and this needs no knowledge of Go versions. The Go version says it
 * too (runtime.Version() ends in " X:noswissmap", 1.23 cmd/link/internal/ld/main.go:185-189), but
 * only with a table of which release defaults to which maps; function names in the pclntab
 * (runtime.hashGrow, internal/runtime/maps.*) only for what the program happens to call.
 */
function programImpl(t: TypeDescriptors, maps: readonly number[]): MapImpl | null {
  const impls = new Set(maps.map((off) => layoutOf(t, off)));
  if (impls.size > 1) throw corrupt('its map types have both the hmap and the Swiss table layout');
  const [impl = null] = impls;
  return impl;
}

function layoutOf(t: TypeDescriptors, off: number): MapImpl {
  const d = t.region.sub(off, HMAP.size, `the map type at ${t.hex(off)}`);
  const tableSize = t.size(pointee(t, off, TABLE_TYPE_AT, 'bucket or group'));
  if (d.u16(HMAP.bucketSize, 'a map type') === tableSize) return 'hmap';
  if (d.u64(SWISS.groupSize, 'a map type') === tableSize) return 'swiss';
  throw corrupt(`the map type at ${t.hex(off)} gives a bucket or group size other than its table type's`);
}

/**
 * Defined map types (`type T map[K]V`, runtime/pprof.labelMap in Go 1.19–1.23): the compiler leaves
 * them out of typelinks (1.23 reflect.go:1218-1234 keeps only types without a name), and nothing
 * else indexes them, so they are found by scanning the type descriptors. The scan steps 8 bytes,
 * as descriptors hold pointers and are pointer-aligned. A candidate counts only if its key, elem,
 * table type and hasher words equal an unnamed map type's: the compiler keeps the underlying map
 * type of every defined one in the binary, with the same key, elem and table type (Go issue 37716;
 * 1.19 reflect.go:1129-1136, 1.23 reflect.go:1146-1153, 1.24 map_swiss.go writeSwissMapType). So
 * every defined map type matches one, while other bytes would have to repeat four pointers of a
 * map type next to a map kind byte and the Named flag (which 110 to 160 other 8-byte positions of
 * each bundled binary's type descriptors have).
 */
function namedMapTypes(t: TypeDescriptors, unnamed: readonly number[], impl: MapImpl): number[] {
  const underlying = new Set(unnamed.map((off) => signature(t, off)));
  const listed = new Set(unnamed);
  const found: number[] = [];
  const end = t.region.length - LAYOUT[impl].size;
  for (let off = (8 - (t.base % 8)) % 8; off <= end; off += 8) {
    if (t.kind(off) !== KIND_MAP || !(t.tflag(off) & TFLAG_NAMED) || listed.has(off)) continue;
    if (underlying.has(signature(t, off))) found.push(off);
  }
  return found;
}

/** The words of a map descriptor that its underlying map type shares. */
function signature(t: TypeDescriptors, off: number): string {
  return [KEY_AT, ELEM_AT, TABLE_TYPE_AT, HASHER_AT].map((at) => t.region.pointer(off + at, 'a map type')).join();
}

function readMapType(t: TypeDescriptors, off: number, impl: MapImpl): GoMapType {
  const layout = LAYOUT[impl];
  const d = t.region.sub(off, layout.size, `the map type at ${t.hex(off)}`);
  const flags = d.u32(layout.flags, 'a map type');
  const common = {
    descriptor: t.base + off,
    name: t.name(off),
    named: (t.tflag(off) & TFLAG_NAMED) !== 0,
    key: operand(t, pointee(t, off, KEY_AT, 'key')),
    elem: operand(t, pointee(t, off, ELEM_AT, 'elem')),
    indirectKey: (flags & layout.indirectKey) !== 0,
    indirectElem: (flags & layout.indirectElem) !== 0,
    flags,
    // The type header's PtrBytes (@8): how much of the bucket or group holds pointers.
    tablePointers: t.region.u64(pointee(t, off, TABLE_TYPE_AT, 'bucket or group') + 8, 'a bucket or group type') > 0,
  };
  if (impl === 'hmap') {
    const [keySlot, elemSlot] = [d.u8(HMAP.keySlot, 'a map type'), d.u8(HMAP.elemSlot, 'a map type')];
    return { ...common, impl, keySlot, elemSlot, bucketSize: d.u16(HMAP.bucketSize, 'a map type') };
  }
  const [groupSize, slotSize, elemOffset] = [SWISS.groupSize, SWISS.slotSize, SWISS.elemOffset].map((at) =>
    d.u64(at, 'a map type'),
  );
  return { ...common, impl, groupSize, slotSize, elemOffset };
}

/** The offset of the type a map descriptor's field at `at` points to. */
function pointee(t: TypeDescriptors, off: number, at: number, what: string): number {
  const target = t.offsetOf(t.region.pointer(off + at, 'a map type'));
  if (target === null) {
    throw corrupt(`the ${what} type of the map type at ${t.hex(off)} lies outside the type descriptors`);
  }
  return target;
}

function operand(t: TypeDescriptors, off: number): MapOperand {
  return { name: t.name(off), size: t.size(off) };
}
