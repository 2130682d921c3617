import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/binary/elf.js';
import { readPclntab } from '../../src/binary/pclntab.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { BinaryError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { parseHeapText } from '../../src/pprof/text.js';
import { FIXTURES, binaryErrorOf } from '../helpers.js';
import { seededRandom } from '../random.js';

// A truncated or corrupt binary is a BinaryError that says what is wrong, never a RangeError,
// a hang or a runaway allocation: one reproducer per kind of damage, then a mutation loop.
const multi = (version: string) => gunzipSync(readFileSync(`${FIXTURES}/${version}/bin/multi.gz`));
const STACKS = {
  'go1.19': parseHeapText(readFileSync(`${FIXTURES}/go1.19/multi.heap.txt`)).records.map((r) => r.pcs),
  'go1.24': parseHeapText(readFileSync(`${FIXTURES}/go1.24/multi.heap.txt`)).records.map((r) => r.pcs),
};

/** Reads bytes and symbolizes every stack of the snapshot: null, or the BinaryError's message. */
function outcome(bytes: Uint8Array, version: keyof typeof STACKS): string | null {
  return binaryErrorOf(() => {
    const symbolizer = symbolizerFor(bytes, DEFAULT_LIMITS);
    for (const pcs of STACKS[version]) {
      symbolizer.stackFrames(pcs);
      for (const pc of pcs) symbolizer.callTarget(pc);
    }
  });
}

/** Where things are in an undamaged binary: sections, and the pclntab header's tables as file offsets. */
function layout(bytes: Buffer) {
  const elf = parseElf(bytes, DEFAULT_LIMITS);
  const section = (name: string) => elf.sections.find((s) => s.name === name)!;
  const tab = section('.gopclntab').offset;
  const word = (i: number) => Number(bytes.readBigUInt64LE(tab + 8 + 8 * i));
  const sectionHeader = (name: string) => Number(bytes.readBigUInt64LE(40)) + 64 * elf.sections.indexOf(section(name));
  const [funcnames, pctab, pcln] = [tab + word(3), tab + word(6), tab + word(7)];
  return { section, sectionHeader, tab, nfunc: word(0), funcnames, pctab, pcln };
}

/** The file offset of the named function's _func record. */
function funcRecord(bytes: Buffer, name: string): number {
  const l = layout(bytes);
  for (let i = 0; i < l.nfunc; i++) {
    const record = l.pcln + bytes.readUInt32LE(l.pcln + 8 * i + 4);
    const nameAt = l.funcnames + bytes.readInt32LE(record + 4);
    if (bytes.toString('utf8', nameAt, bytes.indexOf(0, nameAt)) === name) return record;
  }
  throw new Error(`no function ${name}`);
}

const corrupt = (detail: string) => `is truncated or corrupt: ${detail}`;

describe('a truncated binary', () => {
  it('cut inside the section table', () => {
    const bytes = multi('go1.24').subarray(0, 1_000_000); // the section table is at the end
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('the section table runs past the end of the file'));
  });

  it('cut inside the pclntab', () => {
    const bytes = multi('go1.19').subarray(0, 0x120000); // .gopclntab: 0x105800 to 0x177fd8
    expect(outcome(bytes, 'go1.19')).toBe(corrupt('the .gopclntab section runs past the end of the file'));
  });

  it('cut inside the pclntab, without section headers', () => {
    const bytes = multi('go1.19').subarray(0, 0x120000);
    bytes.fill(0, 0x3c, 0x3e); // e_shnum = 0: the pclntab is found by its magic, and runs to the end of the file
    expect(outcome(bytes, 'go1.19')).toBe(corrupt('the pctab runs past the end of the pclntab'));
  });
});

describe('a corrupt binary', () => {
  it('a section table of short entries', () => {
    const bytes = multi('go1.24');
    bytes.writeUInt16LE(40, 58); // e_shentsize
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('the section table has 40-byte entries, less than 64'));
  });

  it('a section name offset past the names', () => {
    const bytes = multi('go1.24');
    bytes.writeUInt32LE(0x10000, layout(bytes).sectionHeader('.text'));
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('a section name runs past the end of the section name table'));
  });

  it('a section larger than the file', () => {
    const bytes = multi('go1.24');
    bytes.writeBigUInt64LE(1n << 40n, layout(bytes).sectionHeader('.noptrdata') + 32);
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('the .noptrdata section runs past the end of the file'));
  });

  it('a 4 GiB build ID: refused, not allocated', () => {
    const bytes = multi('go1.24');
    bytes.writeUInt32LE(0xffffffff, layout(bytes).section('.note.gnu.build-id').offset + 4); // descsz
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('the build ID runs past the end of the .note.gnu.build-id section'));
  });

  it('a pclntab header of another architecture', () => {
    const bytes = multi('go1.24');
    bytes[layout(bytes).tab + 6] = 4;
    const message = 'the pclntab header gives pc quantum 4 and pointer size 8, not 1 and 8';
    expect(outcome(bytes, 'go1.24')).toBe(corrupt(message));
  });

  it('more functions than the function table holds', () => {
    const bytes = multi('go1.24');
    bytes.writeBigUInt64LE(1n << 28n, layout(bytes).tab + 8); // nfunc
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('the function table runs past the end of the pclntab'));
  });

  it('a function table out of order', () => {
    const bytes = multi('go1.24');
    bytes.writeUInt32LE(0xffffff, layout(bytes).pcln + 8); // the entry offset of function 1
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('the function table is not sorted by address'));
  });

  it('a negative function name offset', () => {
    const bytes = multi('go1.24');
    bytes.writeInt32LE(-1, funcRecord(bytes, 'main.main') + 4);
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('a function name lies outside the function name table'));
  });

  it('pc-value tables that start past their area', () => {
    const bytes = multi('go1.24');
    const l = layout(bytes);
    bytes.writeBigUInt64LE(BigInt(l.pcln - l.tab - 1), l.tab + 8 + 8 * 6); // pctabOffset: one byte before the functab
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('a pc-value table runs past the end of the pctab'));
  });

  it('a pc-value table that does not advance: stopped within its function', () => {
    const bytes = multi('go1.24');
    const record = funcRecord(bytes, 'main.main');
    const lineTable = layout(bytes).pctab + bytes.readUInt32LE(record + 24);
    bytes.fill(Buffer.from([2, 0]), lineTable, lineTable + 64); // (value +1, pc +0) pairs
    const main = readPclntab(parseElf(bytes, DEFAULT_LIMITS)).findFunc(0x401000 + bytes.readUInt32LE(record))!;
    const message = corrupt('a pc-value table is longer than its function');
    expect(() => main.fileLine(main.entry + 3)).toThrow(new BinaryError(message));
  });

  it('an inline tree entry that names itself as its caller: refused, not walked forever', () => {
    const bytes = multi('go1.24');
    const table = readPclntab(parseElf(bytes, DEFAULT_LIMITS));
    const inMain = (p: number) => table.findFunc(p)?.name === 'main.main' && table.findFunc(p)!.inlineIndex(p - 1) >= 0;
    const pc = STACKS['go1.24'].flat().find(inMain)!;
    const main = table.findFunc(pc)!;
    const call = main.inlined(main.inlineIndex(pc - 1));
    expect(call.name).toBe('main.allocNoise');
    // Go 1.20+ inlinedCall: funcID, 3 pad bytes, nameOff, parentPc, startLine. Find it by its
    // name offset and parentPc, and point parentPc back at the inlined code.
    const nameOff = bytes.indexOf(`\0${call.name}\0`, layout(bytes).funcnames) + 1 - layout(bytes).funcnames;
    const key = Buffer.alloc(8);
    key.writeInt32LE(nameOff, 0);
    key.writeInt32LE(call.parentPc, 4);
    const at = bytes.indexOf(key);
    expect(bytes.indexOf(key, at + 1)).toBe(-1);
    bytes.writeInt32LE(pc - 1 - main.entry, at + 4);
    expect(outcome(bytes, 'go1.24')).toBe(corrupt('the inline tree of main.main is out of order'));
  });
});

describe('mutated copies of go1.24/bin/multi', () => {
  it('symbolize, or throw a BinaryError', () => {
    const original = multi('go1.24');
    const l = layout(original);
    const span = (name: string) => [l.section(name).offset, l.section(name).size];
    // The bytes mapbloat reads: ELF and program headers, section table, pclntab header, tables
    // and function records, rodata (inline trees), build info and moduledata, build ID note.
    const regions = [
      [0, 0x200],
      [Number(original.readBigUInt64LE(40)), 64 * original.readUInt16LE(60)],
      [l.tab, 96],
      [l.pctab, l.pcln - l.pctab],
      [l.pcln, l.tab + l.section('.gopclntab').size - l.pcln],
      span('.rodata'),
      span('.go.buildinfo'),
      span('.noptrdata'),
      span('.note.gnu.build-id'),
    ];
    const rnd = seededRandom(20261123);
    const messages = new Map<string | null, number>();
    for (let k = 0; k < 400; k++) {
      const [start, size] = regions[rnd(regions.length)];
      const at = start + rnd(size - 8);
      let bytes = Buffer.from(original);
      const op = rnd(8);
      if (op === 0) bytes = bytes.subarray(0, at);
      else if (op < 4) bytes[at] ^= 1 << rnd(8);
      else if (op < 6) bytes.set([rnd(256), rnd(256), rnd(256), rnd(256)], at);
      else bytes.fill(op === 6 ? 0xff : 0, at, at + 8);
      const result = outcome(bytes, 'go1.24');
      messages.set(result, (messages.get(result) ?? 0) + 1);
    }
    expect(messages.get(null)).toBeGreaterThan(0);
    expect(messages.size).toBeGreaterThan(10);
  });
});
