/**
 * Hand-made ELF files for the tests: a 64-byte header (class, byte order, type and machine as
 * given; the rest always in the 64-bit little-endian layout), PT_LOAD program headers and, when
 * sections are given, section headers with a .shstrtab. Only what mapbloat reads is filled in.
 */
export interface TinyElf {
  readonly elfClass?: 1 | 2;
  readonly order?: 1 | 2;
  readonly type?: number;
  readonly machine?: number;
  readonly segments?: ReadonlyArray<{ readonly vaddr: number; readonly flags: number; readonly data: Uint8Array }>;
  readonly sections?: ReadonlyArray<{ readonly name: string; readonly addr: number; readonly data: Uint8Array }>;
}

export const EM_X86_64 = 62;
export const PF_R = 4;
export const PF_W = 2;

export function tinyElf(elf: TinyElf): Uint8Array {
  const segments = elf.segments ?? [];
  const sections = elf.sections ?? [];
  const names = Buffer.from(`\0${sections.map((s) => `${s.name}\0`).join('')}.shstrtab\0`);
  const blobs = [...segments.map((s) => s.data), ...sections.map((s) => s.data)];
  if (sections.length > 0) blobs.push(names);
  let end = 64 + 56 * segments.length;
  const offsets = blobs.map((b) => {
    const at = end;
    end += b.length;
    return at;
  });
  const shoff = end;
  const shnum = sections.length === 0 ? 0 : sections.length + 2; // a null section first, .shstrtab last
  const out = Buffer.alloc(shoff + 64 * shnum);
  out.set([0x7f, 0x45, 0x4c, 0x46, elf.elfClass ?? 2, elf.order ?? 1, 1]);
  const u16 = elf.order === 2 ? out.writeUInt16BE.bind(out) : out.writeUInt16LE.bind(out);
  u16(elf.type ?? 2, 16);
  u16(elf.machine ?? EM_X86_64, 18);
  out.writeBigUInt64LE(64n, 32); // e_phoff
  out.writeBigUInt64LE(BigInt(shnum === 0 ? 0 : shoff), 40);
  out.writeUInt16LE(56, 54);
  out.writeUInt16LE(segments.length, 56);
  out.writeUInt16LE(64, 58);
  out.writeUInt16LE(shnum, 60);
  out.writeUInt16LE(shnum === 0 ? 0 : shnum - 1, 62);
  for (const [i, s] of segments.entries()) {
    const ph = 64 + 56 * i;
    out.writeUInt32LE(1, ph); // PT_LOAD
    out.writeUInt32LE(s.flags, ph + 4);
    out.writeBigUInt64LE(BigInt(offsets[i]), ph + 8);
    out.writeBigUInt64LE(BigInt(s.vaddr), ph + 16);
    out.writeBigUInt64LE(BigInt(s.data.length), ph + 32);
  }
  blobs.forEach((b, i) => out.set(b, offsets[i]));
  const headers = sections.map((s, i) => ({ ...s, offset: offsets[segments.length + i] }));
  headers.push({ name: '.shstrtab', addr: 0, data: names, offset: offsets.at(-1)! });
  for (const [i, s] of (shnum === 0 ? [] : headers).entries()) {
    const sh = shoff + 64 * (i + 1);
    out.writeUInt32LE(names.indexOf(`${s.name}\0`), sh);
    out.writeUInt32LE(s.name === '.shstrtab' ? 3 : 1, sh + 4); // SHT_STRTAB, SHT_PROGBITS
    out.writeBigUInt64LE(BigInt(s.addr), sh + 16);
    out.writeBigUInt64LE(BigInt(s.offset), sh + 24);
    out.writeBigUInt64LE(BigInt(s.data.length), sh + 32);
  }
  return out;
}
