import { loadedRegion, type ElfFile, type LoadedRegion } from './elf.js';
import type { ModuleTypes } from './pclntab.js';
import { corrupt } from './region.js';

/**
 * The header every type descriptor starts with, 48 bytes in each Go version mapbloat reads:
 * runtime._type (1.19 runtime/type.go:35-52), internal/abi.Type since 1.21 (1.23
 * internal/abi/type.go:20-37; Go 1.24's DWARF gives the same offsets). size@0, ptrdata@8,
 * hash@16, tflag@20, align@21, fieldAlign@22, kind@23, equal@24, gcdata@32, str@40, ptrToThis@44.
 */
const HEADER_SIZE = 48;
const SIZE_AT = 0;
const TFLAG_AT = 20;
const KIND_AT = 23;
const STR_AT = 40;
/** abi.KindMask: the kind is the low five bits; flags such as KindDirectIface (32) sit above them. */
const KIND_MASK = 31;
export const KIND_MAP = 21;
/** tflag bits (abi.TFlag): the name carries a '*' to strip; the type is a defined type (`type T …`). */
const TFLAG_EXTRA_STAR = 2;
export const TFLAG_NAMED = 4;

/**
 * The type descriptors of a Go program, [moduledata.types, moduledata.etypes): the descriptors,
 * and the names their `str` fields point to as offsets from `types`. In a binary that is one
 * module (no -linkshared, no plugins) every descriptor a descriptor points to is in here too.
 */
export class TypeDescriptors {
  /** The virtual address of region offset 0: moduledata.types. */
  readonly base: number;

  /** Pointers in descriptors (to key, elem, bucket types) are relocated words in a PIE: read them with pointer(). */
  private constructor(readonly region: LoadedRegion) {
    this.base = region.addr;
  }

  static read(elf: ElfFile, module: ModuleTypes): TypeDescriptors {
    const size = module.etypes - module.types;
    const region = size < 0 ? null : loadedRegion(elf, module.types, size, 'the type descriptors');
    if (region === null) throw corrupt('the type descriptors lie outside the file');
    return new TypeDescriptors(region);
  }

  /** The region offset of the descriptor at addr, or null unless its first `length` bytes are in the region. */
  offsetOf(addr: number, length = HEADER_SIZE): number | null {
    const off = addr - this.base;
    return off >= 0 && off + length <= this.region.length ? off : null;
  }

  /** The descriptor at off's address, as "0x4eac40", for messages. */
  hex(off: number): string {
    return `0x${(this.base + off).toString(16)}`;
  }

  /** abi.Kind: 21 for a map. off must have HEADER_SIZE bytes in the region, like every off below. */
  kind(off: number): number {
    return this.region.u8(off + KIND_AT, 'a type descriptor') & KIND_MASK;
  }

  tflag(off: number): number {
    return this.region.u8(off + TFLAG_AT, 'a type descriptor');
  }

  /** Size_: the bytes a value of the type takes. */
  size(off: number): number {
    return this.region.u64(off + SIZE_AT, 'a type descriptor');
  }

  /**
   * The type as reflect prints it (runtime._type.string, abi.Type's String): the name at
   * types + str, a flag byte then a uvarint length and the bytes (runtime.name, abi.Name), with
   * the leading '*' dropped when tflag has ExtraStar.
   */
  name(off: number): string {
    const at = this.region.i32(off + STR_AT, 'a type descriptor');
    const { value: length, end } = this.region.uvarint(at + 1, 'a type name');
    const bytes = this.region.sub(end, length, 'a type name').bytes;
    const name = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
    return this.tflag(off) & TFLAG_EXTRA_STAR ? name.slice(1) : name;
  }
}
