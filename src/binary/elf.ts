import { BinaryError } from '../errors.js';

/**
 * Just enough ELF to find a Go program's pclntab and turn virtual addresses into file offsets:
 * 64-bit little-endian (linux/amd64, linux/arm64), which is what Go servers run on.
 */
export interface ElfFile {
  readonly bytes: Uint8Array;
  readonly machine: 'amd64' | 'arm64' | 'other';
  readonly sections: readonly ElfSection[];
  readonly segments: readonly ElfSegment[];
  /** The GNU build-id note as hex, "" when there is none. */
  readonly gnuBuildId: string;
}

export interface ElfSection {
  readonly name: string;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly type: number;
}

export interface ElfSegment {
  readonly vaddr: number;
  readonly offset: number;
  readonly filesz: number;
}

const SHT_NOBITS = 8;
const PT_LOAD = 1;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

export function parseElf(bytes: Uint8Array): ElfFile {
  if (!isElf(bytes)) throw new BinaryError('is not an ELF executable (mapbloat reads Linux Go binaries)');
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new BinaryError('is not a 64-bit little-endian ELF file (linux/amd64 or linux/arm64)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, true);
  const u32 = (o: number) => view.getUint32(o, true);
  const u64 = (o: number) => Number(view.getBigUint64(o, true));
  const machineCode = u16(18);
  const phoff = u64(32);
  const shoff = u64(40);
  const phentsize = u16(54);
  const phnum = u16(56);
  const shentsize = u16(58);
  const shnum = u16(60);
  const shstrndx = u16(62);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (o + 56 > bytes.length) throw new BinaryError('is a truncated ELF file');
    if (u32(o) === PT_LOAD) segments.push({ offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32) });
  }

  const raw: Array<Omit<ElfSection, 'name'> & { nameOff: number }> = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    if (o + 64 > bytes.length) throw new BinaryError('is a truncated ELF file');
    raw.push({ nameOff: u32(o), type: u32(o + 4), addr: u64(o + 16), offset: u64(o + 24), size: u64(o + 32) });
  }
  const strtab = raw[shstrndx];
  const sections = raw.map(({ nameOff, ...s }) => ({ ...s, name: strtab === undefined ? '' : cString(bytes, strtab.offset + nameOff) }));
  const note = sections.find((s) => s.name === '.note.gnu.build-id');
  return {
    bytes,
    machine: machineCode === 62 ? 'amd64' : machineCode === 183 ? 'arm64' : 'other',
    sections,
    segments,
    gnuBuildId: note === undefined ? '' : noteDescriptor(view, note),
  };
}

/** The descriptor of an ELF note section (namesz, descsz, type, name, desc), as hex. */
function noteDescriptor(view: DataView, note: ElfSection): string {
  const namesz = view.getUint32(note.offset, true);
  const descsz = view.getUint32(note.offset + 4, true);
  const desc = note.offset + 12 + align4(namesz);
  return Array.from({ length: descsz }, (_, i) => view.getUint8(desc + i).toString(16).padStart(2, '0')).join('');
}

const align4 = (n: number) => (n + 3) & ~3;

/** The file bytes behind a virtual address range, or null when the file does not hold them. */
export function readVirtual(elf: ElfFile, addr: number, size: number): Uint8Array | null {
  for (const seg of elf.segments) {
    if (addr >= seg.vaddr && addr + size <= seg.vaddr + seg.filesz) {
      const off = seg.offset + (addr - seg.vaddr);
      return elf.bytes.subarray(off, off + size);
    }
  }
  for (const s of elf.sections) {
    if (s.type !== SHT_NOBITS && addr >= s.addr && addr + size <= s.addr + s.size) {
      const off = s.offset + (addr - s.addr);
      return elf.bytes.subarray(off, off + size);
    }
  }
  return null;
}

export function cString(bytes: Uint8Array, offset: number): string {
  let end = offset;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, end - offset).toString('utf8');
}
