import { BinaryError } from '../errors.js';
import { cString, readVirtual, type ElfFile } from './elf.js';

/**
 * Go's pclntab (runtime/symtab.go): function table, names, files, line tables and, through
 * moduledata.gofunc, the inline trees. It survives `-ldflags=-s -w`, so nothing here needs the
 * symbol table or DWARF. Layouts: Go 1.18–1.19 (magic 0xfffffff0) and 1.20+ (0xfffffff1).
 */
export interface Pclntab {
  readonly goLayout: '1.18' | '1.20';
  readonly minPc: number;
  readonly maxPc: number;
  /** The function whose code holds pc, or null. */
  findFunc(pc: number): GoFunc | null;
}

export interface GoFunc {
  readonly entry: number;
  readonly name: string;
  /** Source position at pc (which must be inside the function): innermost inlined frame. */
  fileLine(pc: number): { file: string; line: number };
  /** Index into the inline tree at pc, -1 when pc is not in inlined code. */
  inlineIndex(pc: number): number;
  /** An inline tree entry: the inlined function's name and the PC of its call site in this function. */
  inlined(index: number): { name: string; parentPc: number };
}

const MAGIC_118 = 0xfffffff0;
const MAGIC_120 = 0xfffffff1;
const PCDATA_INL_TREE_INDEX = 2;
const FUNCDATA_INL_TREE = 3;

export function readPclntab(elf: ElfFile): Pclntab {
  const { tab, addr } = locatePclntab(elf);
  const view = new DataView(tab.buffer, tab.byteOffset, tab.byteLength);
  const magic = view.getUint32(0, true);
  const goLayout = magic === MAGIC_118 ? '1.18' : '1.20';
  const quantum = tab[6];
  const ptrSize = tab[7];
  if (ptrSize !== 8) throw new BinaryError('is a 32-bit Go binary; mapbloat reads 64-bit ones');
  const word = (i: number) => Number(view.getBigUint64(8 + i * 8, true));
  const nfunc = word(0);
  const headerTextStart = word(2);
  const funcnameOffset = word(3);
  const cuOffset = word(4);
  const filetabOffset = word(5);
  const pctabOffset = word(6);
  const pclnOffset = word(7);

  const moduledata = findModuledata(elf, addr, addr + funcnameOffset, goLayout);
  const textStart = moduledata?.text ?? (headerTextStart || (elf.sections.find((s) => s.name === '.text')?.addr ?? 0));
  const u32 = (off: number) => view.getUint32(off, true);
  const i32 = (off: number) => view.getInt32(off, true);
  const entryAt = (i: number) => textStart + u32(pclnOffset + 8 * i);
  const funcOffAt = (i: number) => u32(pclnOffset + 8 * i + 4);
  const funcSize = goLayout === '1.18' ? 40 : 44;
  const inlSize = goLayout === '1.18' ? 20 : 16;
  const name = (nameOff: number) => cString(tab, funcnameOffset + nameOff);

  // pcvalue tables: (zig-zag value delta, pc delta × quantum) pairs from value -1 at the entry.
  const pcvalue = (off: number, entry: number, target: number): number => {
    if (off === 0) return -1;
    let p = pctabOffset + off;
    let pc = entry;
    let val = -1;
    let first = true;
    for (;;) {
      let uv = 0;
      let shift = 0;
      let b: number;
      do {
        b = tab[p++];
        uv |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      uv >>>= 0;
      if (uv === 0 && !first) return -1;
      first = false;
      val += uv & 1 ? -((uv + 1) >>> 1) : uv >>> 1;
      let pcDelta = 0;
      shift = 0;
      do {
        b = tab[p++];
        pcDelta += (b & 0x7f) * 2 ** shift;
        shift += 7;
      } while (b & 0x80);
      pc += pcDelta * quantum;
      if (target < pc) return val;
    }
  };

  const cache = new Map<number, GoFunc>();
  const funcAtIndex = (i: number): GoFunc => {
    const cached = cache.get(i);
    if (cached !== undefined) return cached;
    const fo = pclnOffset + funcOffAt(i);
    const entry = textStart + u32(fo);
    const pcfile = u32(fo + 20);
    const pcln = u32(fo + 24);
    const npcdata = u32(fo + 28);
    const cu = u32(fo + 32);
    const nfuncdata = tab[fo + funcSize - 1];
    const pcdata = (k: number) => (k < npcdata ? u32(fo + funcSize + 4 * k) : 0);
    const funcdata = (k: number) => (k < nfuncdata ? u32(fo + funcSize + 4 * npcdata + 4 * k) : 0xffffffff);
    const inlOff = funcdata(FUNCDATA_INL_TREE);
    const inlBase = inlOff === 0xffffffff || moduledata === null ? null : moduledata.gofunc + inlOff;
    const fn: GoFunc = {
      entry,
      name: name(i32(fo + 4)),
      fileLine(pc) {
        const fileno = pcvalue(pcfile, entry, pc);
        const line = pcvalue(pcln, entry, pc);
        const fileOff = fileno < 0 ? 0xffffffff : u32(cuOffset + 4 * (cu + fileno));
        return { file: fileOff === 0xffffffff ? '?' : cString(tab, filetabOffset + fileOff), line };
      },
      inlineIndex(pc) {
        return inlBase === null ? -1 : pcvalue(pcdata(PCDATA_INL_TREE_INDEX), entry, pc);
      },
      inlined(index) {
        const entryBytes = inlBase === null ? null : readVirtual(elf, inlBase + index * inlSize, inlSize);
        if (entryBytes === null) throw new BinaryError('has an inline tree outside its file');
        const v = new DataView(entryBytes.buffer, entryBytes.byteOffset, inlSize);
        return goLayout === '1.18'
          ? { name: name(v.getInt32(12, true)), parentPc: v.getInt32(16, true) }
          : { name: name(v.getInt32(4, true)), parentPc: v.getInt32(8, true) };
      },
    };
    cache.set(i, fn);
    return fn;
  };

  const minPc = entryAt(0);
  const maxPc = entryAt(nfunc);
  return {
    goLayout,
    minPc,
    maxPc,
    findFunc(pc) {
      if (pc < minPc || pc >= maxPc) return null;
      let lo = 0;
      let hi = nfunc - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (entryAt(mid) <= pc) lo = mid;
        else hi = mid - 1;
      }
      return funcAtIndex(lo);
    },
  };
}

/** The .gopclntab section, or (for binaries without section names) its header found by its magic. */
function locatePclntab(elf: ElfFile): { tab: Uint8Array; addr: number } {
  const section = elf.sections.find((s) => s.name === '.gopclntab' || s.name === '.data.rel.ro.gopclntab');
  if (section !== undefined) {
    const tab = elf.bytes.subarray(section.offset, section.offset + section.size);
    checkHeader(tab);
    return { tab, addr: section.addr };
  }
  const b = elf.bytes;
  for (let i = 0; i + 16 <= b.length; i += 4) {
    if ((b[i] === 0xf0 || b[i] === 0xf1) && b[i + 1] === 0xff && b[i + 2] === 0xff && b[i + 3] === 0xff && b[i + 4] === 0 && b[i + 5] === 0 && b[i + 7] === 8) {
      const seg = elf.segments.find((s) => i >= s.offset && i < s.offset + s.filesz);
      if (seg !== undefined) return { tab: b.subarray(i), addr: seg.vaddr + (i - seg.offset) };
    }
  }
  throw new BinaryError('is not a Go binary: it has no pclntab (Go\'s function table)');
}

function checkHeader(tab: Uint8Array): void {
  const magic = tab.length >= 8 ? new DataView(tab.buffer, tab.byteOffset, 8).getUint32(0, true) : 0;
  if (magic === MAGIC_118 || magic === MAGIC_120) return;
  if (magic === 0xfffffffa || magic === 0xfffffffb) {
    throw new BinaryError('was built by Go 1.17 or older; mapbloat reads binaries of Go 1.18 and later');
  }
  throw new BinaryError('has a .gopclntab section mapbloat does not recognise');
}

/**
 * runtime.firstmoduledata: the one word in the data sections that points at the pclntab and is
 * followed by the funcnametab slice. It holds `text` (the base of function entries) and `gofunc`
 * (the base of funcdata, where the inline trees are). Go 1.20 added covctrs/ecovctrs before it.
 */
function findModuledata(elf: ElfFile, pclntabAddr: number, funcnametabAddr: number, layout: '1.18' | '1.20'): { text: number; gofunc: number } | null {
  const b = elf.bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lo = pclntabAddr % 2 ** 32;
  const hi = Math.floor(pclntabAddr / 2 ** 32);
  // Data sections by name, or every loadable segment of a file without section headers.
  const named = elf.sections.filter((s) => /^\.(noptrdata|data|data\.rel\.ro)$/.test(s.name));
  const ranges = named.length > 0 ? named.map((s) => ({ offset: s.offset, size: s.size })) : elf.segments.map((s) => ({ offset: s.offset, size: s.filesz }));
  for (const s of ranges) {
    for (let o = s.offset - (s.offset % 8); o + 400 <= s.offset + s.size; o += 8) {
      if (view.getUint32(o, true) !== lo || view.getUint32(o + 4, true) !== hi) continue;
      if (Number(view.getBigUint64(o + 8, true)) !== funcnametabAddr) continue;
      const word = (i: number) => Number(view.getBigUint64(o + 8 * i, true));
      return { text: word(22), gofunc: word(layout === '1.18' ? 38 : 40) };
    }
  }
  return null;
}
