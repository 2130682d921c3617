import { BinaryError } from '../errors.js';
import { fileOffset, LoadedRegion, loadedSection, sectionRegion, type ElfFile, type ElfSegment } from './elf.js';
import { corrupt, Region } from './region.js';

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
  /** Every function's name and entry, in address order. */
  functions(): Iterable<{ readonly name: string; readonly entry: number }>;
  /** Where runtime.firstmoduledata says the type descriptors are; null when it was not found. */
  readonly moduleTypes: ModuleTypes | null;
}

/** The words of runtime.moduledata that locate the type descriptors (runtime/symtab.go). */
export interface ModuleTypes {
  /** [types, etypes): every type descriptor, and the names and types they refer to by offset. */
  readonly types: number;
  readonly etypes: number;
  /** The typelinks slice (address, length): int32 offsets from types, one per unnamed type reflect may build. */
  readonly typelinks: number;
  readonly ntypelinks: number;
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
/** sys.PCQuantum: the unit of pc deltas in pc-value tables. */
const PC_QUANTUM = { amd64: 1, arm64: 4 };

/** runtime.pcHeader's tables, in the order the linker writes them after the header. */
interface Tables {
  readonly layout: '1.18' | '1.20';
  readonly quantum: number;
  readonly funcnames: Region;
  readonly cutab: Region;
  readonly filetab: Region;
  readonly pctab: Region;
  /** functab: nfunc + 1 (entry offset, _func offset) pairs, the last one the end of the text. */
  readonly functab: Region;
  /** pclntable: functab, then the _func records its pairs point to. */
  readonly funcs: Region;
}

export function readPclntab(elf: ElfFile): Pclntab {
  const tab = locatePclntab(elf);
  const layout = checkHeader(tab, PC_QUANTUM[elf.machine]);
  const word = (i: number) => tab.u64(8 + 8 * i, 'the pclntab header');
  // runtime.pcHeader: nfunc, nfiles, textStart (a pointer), then the offsets of the tables.
  const [nfunc, funcnameOff, cuOff, filetabOff, pctabOff, pclnOff] = [0, 3, 4, 5, 6, 7].map(word);
  const headerTextStart = tab.pointer(8 + 8 * 2, 'the pclntab header');
  const tables: Tables = {
    layout,
    quantum: PC_QUANTUM[elf.machine],
    funcnames: tab.sub(funcnameOff, cuOff - funcnameOff, 'the function name table'),
    cutab: tab.sub(cuOff, filetabOff - cuOff, 'the compilation unit table'),
    filetab: tab.sub(filetabOff, pctabOff - filetabOff, 'the file name table'),
    pctab: tab.sub(pctabOff, pclnOff - pctabOff, 'the pctab'),
    functab: tab.sub(pclnOff, 8 * (nfunc + 1), 'the function table'),
    funcs: tab.sub(pclnOff, tab.length - pclnOff, 'the function records'),
  };
  const moduledata = findModuledata(elf, tab.addr, tab.addr + funcnameOff, layout);
  const textSection = elf.sections.find((s) => s.name === '.text');
  const textStart = moduledata?.text ?? (headerTextStart || (textSection?.addr ?? 0));
  const entryAt = (i: number) => textStart + tables.functab.u32(8 * i, 'the function table');
  const cache = new Map<number, GoFunc>();
  const funcAt = (i: number): GoFunc => {
    let fn = cache.get(i);
    if (fn === undefined) cache.set(i, (fn = goFunc(elf, tables, textStart, moduledata?.gofunc ?? null, i)));
    return fn;
  };
  // The binary search of findFunc needs ascending entries; runtime.moduledataverify1 checks too.
  for (let i = 0; i < nfunc; i++) {
    if (entryAt(i) > entryAt(i + 1)) throw corrupt('the function table is not sorted by address');
  }
  const minPc = entryAt(0);
  const maxPc = entryAt(nfunc);
  return {
    goLayout: layout,
    minPc,
    maxPc,
    moduleTypes: moduledata?.types ?? null,
    findFunc(pc) {
      if (pc < minPc || pc >= maxPc) return null;
      let lo = 0;
      let hi = nfunc - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (entryAt(mid) <= pc) lo = mid;
        else hi = mid - 1;
      }
      return funcAt(lo);
    },
    *functions() {
      for (let i = 0; i < nfunc; i++) yield { name: funcName(tables, i), entry: entryAt(i) };
    },
  };
}

/** The name of function i of the function table. */
function funcName(t: Tables, i: number): string {
  const fo = t.functab.u32(8 * i + 4, 'the function table');
  return t.funcnames.cString(t.funcs.i32(fo + 4, 'a function record'), 'a function name');
}

/** Function i of the function table: its _func record (runtime/runtime2.go), read on demand. */
function goFunc(elf: ElfFile, t: Tables, textStart: number, gofunc: number | null, i: number): GoFunc {
  const fo = t.functab.u32(8 * i + 4, 'the function table');
  const u32 = (at: number) => t.funcs.u32(fo + at, 'a function record');
  const entry = textStart + u32(0);
  const [pcfile, pcln, npcdata, cu] = [u32(20), u32(24), u32(28), u32(32)];
  const funcSize = t.layout === '1.18' ? 40 : 44;
  const nfuncdata = t.funcs.u8(fo + funcSize - 1, 'a function record');
  const pcdata = (k: number) => (k < npcdata ? u32(funcSize + 4 * k) : 0);
  const funcdata = (k: number) => (k < nfuncdata ? u32(funcSize + 4 * npcdata + 4 * k) : 0xffffffff);
  const name = funcName(t, i);
  const inlOff = funcdata(FUNCDATA_INL_TREE);
  const inlBase = inlOff === 0xffffffff || gofunc === null ? null : gofunc + inlOff;
  return {
    entry,
    name,
    fileLine(pc) {
      const fileno = pcvalue(t, pcfile, entry, pc);
      const line = pcvalue(t, pcln, entry, pc);
      const fileOff = fileno < 0 ? 0xffffffff : t.cutab.u32(4 * (cu + fileno), 'a file index');
      return { file: fileOff === 0xffffffff ? '?' : t.filetab.cString(fileOff, 'a file name'), line };
    },
    inlineIndex(pc) {
      return inlBase === null ? -1 : pcvalue(t, pcdata(PCDATA_INL_TREE_INDEX), entry, pc);
    },
    inlined(index) {
      if (inlBase === null) throw new Error(`${name} has no inline tree`);
      return inlinedCall(elf, t, inlBase, index, name);
    },
  };
}

/** Entry `index` of an inline tree: runtime.inlinedCall, 20 bytes before Go 1.20, 16 since. */
function inlinedCall(elf: ElfFile, t: Tables, base: number, index: number, caller: string) {
  const size = t.layout === '1.18' ? 20 : 16;
  const off = fileOffset(elf, base + index * size, size);
  if (off === null) throw corrupt(`the inline tree of ${caller} lies outside the file`);
  const [nameAt, parentPcAt] = t.layout === '1.18' ? [12, 16] : [4, 8];
  const nameOff = elf.file.i32(off + nameAt, 'an inline tree');
  const parentPc = elf.file.i32(off + parentPcAt, 'an inline tree');
  return { name: t.funcnames.cString(nameOff, 'a function name'), parentPc };
}

/**
 * The value a pc-value table (runtime.pcvalue) gives target: varint pairs of a zig-zag value
 * delta and a pc delta in quanta, from value -1 at the entry, ended by a zero value delta. The
 * linker writes no zero pc delta but in the last pair (funcpctab, cmd/internal/obj/pcln.go), so
 * a valid table passes target within (target − entry) / quantum + 2 pairs.
 */
function pcvalue(t: Tables, off: number, entry: number, target: number): number {
  if (off === 0) return -1;
  let p = off;
  // runtime.readvarint: a uint32, however many bytes it takes.
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = t.pctab.u8(p++, 'a pc-value table');
      v |= (b & 0x7f) << (shift & 31);
      if ((b & 0x80) === 0) return v >>> 0;
    }
  };
  const maxPairs = Math.max(0, Math.floor((target - entry) / t.quantum)) + 2;
  let pc = entry;
  let val = -1;
  for (let n = 0; n < maxPairs; n++) {
    const uv = varint();
    if (uv === 0 && pc !== entry) return -1;
    val += uv & 1 ? -((uv + 1) / 2) : uv / 2;
    pc += varint() * t.quantum;
    if (target < pc) return val;
  }
  throw corrupt('a pc-value table is longer than its function');
}

/**
 * The .gopclntab section (.data.rel.ro.gopclntab in a PIE, as its header holds a pointer), or
 * (for binaries without section names) its header found by its magic.
 */
function locatePclntab(elf: ElfFile): LoadedRegion {
  const section = elf.sections.find((s) => s.name === '.gopclntab' || s.name === '.data.rel.ro.gopclntab');
  if (section !== undefined) {
    return new LoadedRegion(new Region(sectionRegion(elf, section).bytes, 'the pclntab'), section.addr, elf.relocated);
  }
  const b = elf.file.bytes;
  for (let i = 0; i + 16 <= b.length; i += 4) {
    if (!looksLikeHeader(b, i)) continue;
    const seg = elf.segments.find((s) => i >= s.offset && i < s.offset + s.filesz);
    if (seg === undefined) continue;
    return new LoadedRegion(elf.file.sub(i, b.length - i, 'the pclntab'), seg.vaddr + (i - seg.offset), elf.relocated);
  }
  throw new BinaryError("is not a Go binary: it has no pclntab (Go's function table)");
}

/** A runtime.pcHeader at b[i] (i + 8 <= b.length): a Go 1.18+ magic, two zero bytes, quantum, pointer size 8. */
function looksLikeHeader(b: Uint8Array, i: number): boolean {
  const magic = (b[i] === 0xf0 || b[i] === 0xf1) && b[i + 1] === 0xff && b[i + 2] === 0xff && b[i + 3] === 0xff;
  return magic && b[i + 4] === 0 && b[i + 5] === 0 && b[i + 7] === 8;
}

/** The layout the header's magic names; its pad bytes, pc quantum and pointer size must fit the file. */
function checkHeader(tab: Region, quantum: number): '1.18' | '1.20' {
  const magic = tab.length >= 8 ? tab.u32(0, 'the pclntab header') : 0;
  if (magic === 0xfffffffa || magic === 0xfffffffb) {
    throw new BinaryError('was built by Go 1.17 or older; mapbloat reads binaries of Go 1.18 and later');
  }
  if (magic !== MAGIC_118 && magic !== MAGIC_120) {
    throw new BinaryError('has a .gopclntab section mapbloat does not recognise');
  }
  const pad = tab.u16(4, 'the pclntab header');
  const [pcQuantum, ptrSize] = [tab.u8(6, 'the pclntab header'), tab.u8(7, 'the pclntab header')];
  if (pad !== 0 || pcQuantum !== quantum || ptrSize !== 8) {
    throw corrupt(`the pclntab header gives pc quantum ${pcQuantum} and pointer size ${ptrSize}, not ${quantum} and 8`);
  }
  return magic === MAGIC_118 ? '1.18' : '1.20';
}

/**
 * runtime.firstmoduledata: the one word in the data sections that points at the pclntab and is
 * followed by the funcnametab slice. It holds `text` (the base of function entries), `gofunc`
 * (the base of funcdata, where the inline trees are) and where the type descriptors are. Go 1.20
 * added covctrs/ecovctrs before gofunc. In a PIE these are relocated words (LoadedRegion).
 */
function findModuledata(
  elf: ElfFile,
  pclntabAddr: number,
  funcnametabAddr: number,
  layout: '1.18' | '1.20',
): { text: number; gofunc: number; types: ModuleTypes } | null {
  for (const region of dataRanges(elf)) {
    // moduledata is pointer-aligned in memory.
    for (let o = (8 - (region.addr % 8)) % 8; o + 400 <= region.length; o += 8) {
      if (region.pointer(o, 'the data') !== pclntabAddr) continue;
      const word = (i: number) => region.pointer(o + 8 * i, 'runtime.firstmoduledata');
      if (word(1) === funcnametabAddr) {
        return { text: word(22), gofunc: word(layout === '1.18' ? 38 : 40), types: moduleTypes(word, layout) };
      }
    }
  }
  return null;
}

/**
 * types, etypes and the typelinks slice: words 35, 36, 42 and 43 of runtime.moduledata in Go 1.18–1.19
 * (1.19 runtime/symtab.go:415-437), two words later since Go 1.20 added covctrs and ecovctrs before
 * them (1.23 runtime/symtab.go:388-413; Go 1.24's DWARF gives the same offsets).
 */
function moduleTypes(word: (i: number) => number, layout: '1.18' | '1.20'): ModuleTypes {
  const at = layout === '1.18' ? 35 : 37;
  return { types: word(at), etypes: word(at + 1), typelinks: word(at + 7), ntypelinks: word(at + 8) };
}

/** Data sections by name, or every loadable segment of a file without section headers. */
function dataRanges(elf: ElfFile): LoadedRegion[] {
  const named = elf.sections.filter((s) => /^\.(noptrdata|data|data\.rel\.ro)$/.test(s.name));
  if (named.length > 0) return named.map((s) => loadedSection(elf, s));
  const segment = (seg: ElfSegment) => elf.file.sub(seg.offset, seg.filesz, 'a loadable segment');
  return elf.segments.map((seg) => new LoadedRegion(segment(seg), seg.vaddr, elf.relocated));
}
