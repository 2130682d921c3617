import { BinaryError } from '../errors.js';
import { tooLarge, type Limits } from '../limits.js';
import { gunzipHead, isGzip } from '../pprof/gzip.js';
import { corrupt, Region } from './region.js';

/**
 * Just enough ELF to find a Go program's pclntab and turn virtual addresses into file offsets:
 * 64-bit little-endian (linux/amd64, linux/arm64), which is what Go servers run on.
 */
export interface ElfFile {
  /** The whole file; every read of it is bounds-checked. */
  readonly file: Region;
  readonly machine: 'amd64' | 'arm64';
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  /** The GNU build-id note as hex, "" when there is none. */
  readonly gnuBuildId: string;
  /**
   * ET_DYN, a position-independent executable: loaded wherever the loader chooses, its addresses
   * then all off by one load bias. An ET_EXEC runs at the addresses it was linked at.
   */
  readonly pie: boolean;
  /**
   * The words the dynamic loader relocates by the load bias (R_X86_64_RELATIVE,
   * R_AARCH64_RELATIVE): virtual address → the word's link-time value, the relocation's addend.
   * Empty in an executable that is not a PIE.
   */
  readonly relocated: ReadonlyMap<number, number>;
}

export interface ElfSection {
  readonly name: string;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly type: number;
}

/** A PT_LOAD program header. */
export interface ElfSegment {
  readonly vaddr: number;
  readonly offset: number;
  readonly filesz: number;
  /** PF_X (1), PF_W (2), PF_R (4). */
  readonly flags: number;
}

const SHT_NOBITS = 8;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const ET_EXEC = 2;
const ET_DYN = 3; // position-independent executables

const SUPPORTED = 'mapbloat reads 64-bit little-endian linux/amd64 and linux/arm64 Go binaries';

function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/**
 * The ELF file in bytes. Anything but a 64-bit little-endian amd64 or arm64 executable is refused
 * by name, a file over limits.binaryBytes with an InputError naming --max-binary-size.
 */
export function parseElf(bytes: Uint8Array, limits: Pick<Limits, 'binaryBytes'>): ElfFile {
  if (bytes.length > limits.binaryBytes) {
    throw tooLarge('the binary', bytes.length, limits.binaryBytes, '--max-binary-size');
  }
  const file = new Region(bytes, 'the file');
  const machine = checkKind(file);
  const header = file.sub(0, 64, 'the ELF header');
  const { segments, dynamic } = readSegments(file, header);
  const sections = readSections(file, header);
  const note = sections.find((s) => s.name === '.note.gnu.build-id');
  const gnuBuildId = note === undefined ? '' : noteDescriptor(file, note);
  const pie = header.u16(16, 'the ELF header') === ET_DYN;
  const elf: ElfFile = { file, machine, sections, segments, gnuBuildId, pie, relocated: new Map() };
  return dynamic === null ? elf : { ...elf, relocated: relativeRelocations(elf, dynamic) };
}

/**
 * The first bytes of a binary that is being read from a stream (a pipe, a device): refused at
 * once when they are not a supported ELF header, instead of read to the size limit first.
 */
export function checkBinaryHead(head: Uint8Array): void {
  const inner = isGzip(head) ? gunzipHead(head) : head;
  if (inner !== null && inner.length >= 64) checkKind(new Region(inner, 'the file'));
}

/** amd64 or arm64, or a BinaryError that says what the file is instead. */
function checkKind(file: Region): 'amd64' | 'arm64' {
  const bytes = file.bytes;
  if (!isElf(bytes)) {
    const format = foreignFormat(bytes);
    if (format !== null) throw new BinaryError(`is ${format}; ${SUPPORTED}`);
    throw new BinaryError('is not an ELF executable (mapbloat reads Linux Go binaries)');
  }
  file.check(0, 20, 'the ELF header');
  const [elfClass, order] = [bytes[4], bytes[5]];
  if (elfClass !== 1 && elfClass !== 2) throw corrupt(`the ELF header gives class ${elfClass}, neither 32- nor 64-bit`);
  if (order !== 1 && order !== 2) {
    throw corrupt(`the ELF header gives byte order ${order}, neither little- nor big-endian`);
  }
  // e_type and e_machine sit at 16 and 18 in both classes, in the file's byte order.
  const u16 = (at: number) => (order === 1 ? bytes[at] | (bytes[at + 1] << 8) : (bytes[at] << 8) | bytes[at + 1]);
  const [type, machine] = [u16(16), u16(18)];
  const supported = elfClass === 2 && order === 1 && (machine === EM_X86_64 || machine === EM_AARCH64);
  if (!supported || (type !== ET_EXEC && type !== ET_DYN)) {
    throw new BinaryError(`is ${describe(elfClass, order, machine, type)}; ${SUPPORTED}`);
  }
  return machine === EM_X86_64 ? 'amd64' : 'arm64';
}

/** Executables of other systems, told by their magic bytes. */
function foreignFormat(bytes: Uint8Array): string | null {
  if (bytes.length < 8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const magic = view.getUint32(0, false);
  // MH_MAGIC and MH_MAGIC_64 in either byte order (mach-o/loader.h).
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe].includes(magic)) return 'a Mach-O file (macOS)';
  // FAT_MAGIC; a Java class file shares it but has its version (45 or more) where nfat_arch is.
  if (magic === 0xcafebabe && view.getUint32(4, false) < 20) return 'a Mach-O universal file (macOS)';
  if (bytes[0] === 0x4d && bytes[1] === 0x5a) return 'a PE file (Windows)';
  return null;
}

/** e_machine values of the architectures Go builds for (elf.h). */
const ARCHITECTURES = new Map([
  [3, 'x86'],
  [8, 'MIPS'],
  [20, 'PowerPC'],
  [21, 'PowerPC'],
  [22, 'IBM Z'],
  [40, 'ARM'],
  [EM_X86_64, 'x86-64'],
  [EM_AARCH64, 'ARM64'],
  [243, 'RISC-V'],
  [258, 'LoongArch'],
]);

const KINDS = new Map([
  [1, 'object file'],
  [ET_EXEC, 'executable'],
  [ET_DYN, 'executable'],
  [4, 'core file'],
]);

/** "a 32-bit ARM ELF executable", "a 64-bit big-endian PowerPC ELF executable". */
function describe(elfClass: number, order: number, machine: number, type: number): string {
  const shape = `${elfClass === 1 ? '32' : '64'}-bit${order === 2 ? ' big-endian' : ''}`;
  const kind = `ELF ${KINDS.get(type) ?? 'file'}`;
  const arch = ARCHITECTURES.get(machine);
  return arch === undefined ? `a ${shape} ${kind} for machine ${machine}` : `a ${shape} ${arch} ${kind}`;
}

/** Where the ELF header (Elf64_Ehdr) locates a table of fixed-size entries; the count follows the size. */
interface TableLayout {
  readonly offsetAt: number;
  readonly entSizeAt: number;
  readonly minEntSize: number;
  readonly what: string;
}

const PROGRAM_HEADERS: TableLayout = { offsetAt: 32, entSizeAt: 54, minEntSize: 56, what: 'the program header table' };
const SECTION_HEADERS: TableLayout = { offsetAt: 40, entSizeAt: 58, minEntSize: 64, what: 'the section table' };

/** The PT_LOAD segments, and the PT_DYNAMIC one (the dynamic section) when there is one. */
function readSegments(file: Region, header: Region): { segments: ElfSegment[]; dynamic: ElfSegment | null } {
  const segments: ElfSegment[] = [];
  let dynamic: ElfSegment | null = null;
  for (const entry of tableEntries(file, header, PROGRAM_HEADERS)) {
    const type = entry.u32(0, 'a program header');
    if (type !== PT_LOAD && type !== PT_DYNAMIC) continue;
    const u64 = (at: number) => entry.u64(at, 'a program header');
    const segment = { flags: entry.u32(4, 'a program header'), offset: u64(8), vaddr: u64(16), filesz: u64(32) };
    if (type === PT_LOAD) segments.push(segment);
    else dynamic = segment;
  }
  return { segments, dynamic };
}

/** Dynamic section tags (elf.h): the end, and where the relocations with addends are. */
const DT_NULL = 0;
const DT_RELA = 7;
const DT_RELASZ = 8;
const DT_RELAENT = 9;
const RELA_SIZE = 24;
/** The relocation that adds the load bias to its addend, per machine. */
const R_RELATIVE = { amd64: 8, arm64: 1027 };

/**
 * The R_*_RELATIVE relocations of the DT_RELA table the dynamic section names: what the loader
 * reads, so it works without section headers and whatever the table's section is called (`.rela`
 * from Go's own linker, `.rela.dyn` from the system's). Other relocations (symbol lookups for cgo's
 * libc, the PLT) never touch the words mapbloat reads. DT_REL and DT_RELR relocations keep their
 * addend in the word itself, so the file already holds the link-time value there.
 */
function relativeRelocations(elf: ElfFile, dynamic: ElfSegment): Map<number, number> {
  const tags = dynamicTags(elf.file.sub(dynamic.offset, dynamic.filesz, 'the dynamic section'));
  const [addr, size] = [tags.get(DT_RELA), tags.get(DT_RELASZ) ?? 0];
  const relocated = new Map<number, number>();
  if (addr === undefined || size === 0) return relocated;
  const entSize = tags.get(DT_RELAENT) ?? RELA_SIZE;
  if (entSize !== RELA_SIZE) throw corrupt(`the dynamic section gives ${entSize}-byte relocations, not ${RELA_SIZE}`);
  const at = fileOffset(elf, addr, size);
  if (at === null) throw corrupt('the relocations lie outside the file');
  const table = elf.file.sub(at, size, 'the relocations');
  const relative = R_RELATIVE[elf.machine];
  for (let o = 0; o + RELA_SIZE <= size; o += RELA_SIZE) {
    // Elf64_Rela: r_offset, r_info (symbol << 32 | type), r_addend.
    if (table.u32(o + 8, 'a relocation') !== relative) continue;
    relocated.set(table.u64(o, 'a relocation'), table.u64(o + 16, 'a relocation'));
  }
  return relocated;
}

/** The dynamic section's (tag, value) pairs up to DT_NULL; the first of a repeated tag counts. */
function dynamicTags(section: Region): Map<number, number> {
  const tags = new Map<number, number>();
  for (let o = 0; o + 16 <= section.length; o += 16) {
    const tag = section.u64(o, 'the dynamic section');
    if (tag === DT_NULL) break;
    if (!tags.has(tag)) tags.set(tag, section.u64(o + 8, 'the dynamic section'));
  }
  return tags;
}

function readSections(file: Region, header: Region): ElfSection[] {
  const raw = tableEntries(file, header, SECTION_HEADERS).map((entry) => {
    const u64 = (at: number) => entry.u64(at, 'a section header');
    const [nameOff, type] = [entry.u32(0, 'a section header'), entry.u32(4, 'a section header')];
    return { nameOff, type, addr: u64(16), offset: u64(24), size: u64(32) };
  });
  // Without the names (e_shstrndx 0, or a broken index) the pclntab is found by its magic instead.
  const strtab = raw[header.u16(62, 'the ELF header')];
  const names = strtab === undefined ? null : file.sub(strtab.offset, strtab.size, 'the section name table');
  return raw.map(({ nameOff, ...s }) => ({ ...s, name: names?.cString(nameOff, 'a section name') ?? '' }));
}

/** The entries of a program or section header table, each a region of its own. */
function tableEntries(file: Region, header: Region, layout: TableLayout): Region[] {
  const entSize = header.u16(layout.entSizeAt, 'the ELF header');
  const count = header.u16(layout.entSizeAt + 2, 'the ELF header');
  if (count === 0) return [];
  if (entSize < layout.minEntSize) {
    throw corrupt(`${layout.what} has ${entSize}-byte entries, less than ${layout.minEntSize}`);
  }
  const table = file.sub(header.u64(layout.offsetAt, 'the ELF header'), count * entSize, layout.what);
  return Array.from({ length: count }, (_, i) => table.sub(i * entSize, entSize, layout.what));
}

/** The descriptor of an ELF note section (namesz, descsz, type, name, desc), as hex. */
function noteDescriptor(file: Region, note: ElfSection): string {
  const section = file.sub(note.offset, note.size, `the ${note.name} section`);
  const namesz = section.u32(0, 'the note header');
  const descsz = section.u32(4, 'the note header');
  const desc = section.sub(12 + align4(namesz), descsz, 'the build ID');
  return Buffer.from(desc.bytes).toString('hex');
}

const align4 = (n: number) => n + ((4 - (n % 4)) % 4);

/**
 * The file offset of the virtual address range [addr, addr + size), or null when no segment (or,
 * in a file without program headers, no section) holds it in the file. The offset may still lie
 * past the end of a truncated file: reads through `file` say so.
 */
export function fileOffset(elf: ElfFile, addr: number, size: number): number | null {
  for (const seg of elf.segments) {
    if (addr >= seg.vaddr && addr + size <= seg.vaddr + seg.filesz) return seg.offset + (addr - seg.vaddr);
  }
  for (const s of elf.sections) {
    if (s.type !== SHT_NOBITS && addr >= s.addr && addr + size <= s.addr + s.size) return s.offset + (addr - s.addr);
  }
  return null;
}

/** A section's bytes, called "the <name> section" in messages. */
export function sectionRegion(elf: ElfFile, section: ElfSection): Region {
  return elf.file.sub(section.offset, section.size, `the ${section.name} section`);
}

/**
 * Bytes of the program at their virtual address, whose pointers read as the loaded program holds
 * them less the load bias. In a PIE the loader writes bias + addend over every word an
 * R_*_RELATIVE relocation names, whatever the file has there: Go's own linker and GNU ld write the
 * addend into the file too, but with RELA relocations nothing requires it, and lld leaves zeros
 * unless told --apply-dynamic-relocs (a cgo PIE linked externally with it). So every read of a
 * pointer in the program's data (moduledata, the pclntab header, type descriptors) goes through
 * pointer().
 */
export class LoadedRegion extends Region {
  readonly #relocated: ReadonlyMap<number, number>;

  constructor(
    region: Region,
    /** The virtual address of offset 0. */
    readonly addr: number,
    relocated: ReadonlyMap<number, number>,
  ) {
    super(region.bytes, region.name);
    this.#relocated = relocated;
  }

  /** The pointer at off: a relocation's addend where the loader writes one, else the file's word. */
  pointer(off: number, what: string): number {
    const word = this.u64(off, what);
    return this.#relocated.size === 0 ? word : (this.#relocated.get(this.addr + off) ?? word);
  }
}

/** The bytes at [addr, addr + size) as loaded, called `what` in messages; null when no segment holds them. */
export function loadedRegion(elf: ElfFile, addr: number, size: number, what: string): LoadedRegion | null {
  const at = fileOffset(elf, addr, size);
  return at === null ? null : new LoadedRegion(elf.file.sub(at, size, what), addr, elf.relocated);
}

/** A section's bytes as loaded, called "the <name> section" in messages. */
export function loadedSection(elf: ElfFile, section: ElfSection): LoadedRegion {
  return new LoadedRegion(sectionRegion(elf, section), section.addr, elf.relocated);
}

/** Where a process mapped part of a file (a line of /proc/self/maps, a pprof Mapping): [start, limit) ← offset. */
export interface FileMapping {
  readonly start: number;
  readonly limit: number;
  readonly offset: number;
}

/**
 * The virtual address in the binary of `address` in a process that mapped its file as `mapping`,
 * the way pprof does it: the file offset address − start + offset, in the PT_LOAD segment whose
 * file bytes hold it, at that segment's vaddr. Not address − start + offset: Go links a PIE at
 * 0x400000 (0x10000 on arm64) like an executable, so vaddr and file offset differ by that much.
 * Null when the address is outside the mapping or its file offset in no segment.
 */
export function linkAddress(elf: ElfFile, address: number, mapping: FileMapping): number | null {
  if (address < mapping.start || address >= mapping.limit) return null;
  const off = address - mapping.start + mapping.offset;
  const seg = elf.segments.find((s) => off >= s.offset && off < s.offset + s.filesz);
  return seg === undefined ? null : seg.vaddr + (off - seg.offset);
}
