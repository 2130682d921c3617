import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileOffset, parseElf } from '../../src/binary/elf.js';
import { readPclntab } from '../../src/binary/pclntab.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { BinaryError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { FIXTURES } from '../helpers.js';

// fixtures/pie (fixtures/README.md): one program built as an executable and as a PIE, for amd64
// and arm64, each run once.
const RUNS = ['exe', 'pie', 'arm64-exe', 'arm64-pie'] as const;
type Run = (typeof RUNS)[number];
const binaryBytes = (run: Run) => gunzipSync(readFileSync(join(FIXTURES, `pie/bin/pie-${run}.gz`)));

const RELA_SIZE = 24;
/** The PIE with zeros in every word the loader relocates, as lld leaves them (without --apply-dynamic-relocs). */
function zeroed(run: Run): Buffer {
  const bytes = binaryBytes(run);
  const elf = parseElf(bytes, DEFAULT_LIMITS);
  for (const addr of elf.relocated.keys()) bytes.fill(0, fileOffset(elf, addr, 8)!, fileOffset(elf, addr, 8)! + 8);
  return bytes;
}

describe('relocations', () => {
  const PIES = ['pie', 'arm64-pie'] as const;

  it.each(PIES)('%s: every entry of .rela is relative, and the file holds its addend too', (run) => {
    const bytes = binaryBytes(run);
    const elf = parseElf(bytes, DEFAULT_LIMITS);
    expect(elf.pie).toBe(true);
    expect(elf.relocated.size).toBe(elf.sections.find((s) => s.name === '.rela')!.size / RELA_SIZE);
    const fileWord = (addr: number) => Number(bytes.readBigUInt64LE(fileOffset(elf, addr, 8)!));
    expect([...elf.relocated].filter(([addr, value]) => fileWord(addr) !== value)).toEqual([]);
  });

  it.each(['exe', 'arm64-exe'] as const)('%s: no relocations, not a PIE', (run) => {
    const elf = parseElf(binaryBytes(run), DEFAULT_LIMITS);
    expect([elf.pie, elf.relocated.size]).toEqual([false, 0]);
  });

  it.each(PIES)('%s: moduledata and the type descriptors found through the relocations alone', (run) => {
    const elf = parseElf(zeroed(run), DEFAULT_LIMITS);
    const original = readPclntab(parseElf(binaryBytes(run), DEFAULT_LIMITS)).moduleTypes;
    expect(original).not.toBe(null);
    expect(readPclntab(elf).moduleTypes).toEqual(original);
    expect(readPclntab({ ...elf, relocated: new Map() }).moduleTypes).toBe(null);
    const mapTypes = (bytes: Uint8Array) => symbolizerFor(bytes, DEFAULT_LIMITS).mapTypes();
    expect(mapTypes(zeroed(run))).toEqual(mapTypes(binaryBytes(run)));
  });
});

describe('a corrupt PIE', () => {
  const DT_RELASZ = 8;
  const DT_RELAENT = 9;
  /** Reads bytes and their map types: null, or the BinaryError's message. */
  function outcome(bytes: Uint8Array): string | null {
    try {
      symbolizerFor(bytes, DEFAULT_LIMITS).mapTypes();
      return null;
    } catch (err) {
      if (err instanceof BinaryError) return err.message;
      throw err;
    }
  }
  /** The file offset of the value of the dynamic section's entry `tag`. */
  const dynamicValue = (bytes: Buffer, tag: number) => {
    const dynamic = parseElf(bytes, DEFAULT_LIMITS).sections.find((s) => s.name === '.dynamic')!;
    for (let o = dynamic.offset; ; o += 16) if (Number(bytes.readBigUInt64LE(o)) === tag) return o + 8;
  };

  it('relocations of another size', () => {
    const bytes = binaryBytes('pie');
    bytes.writeBigUInt64LE(16n, dynamicValue(bytes, DT_RELAENT));
    expect(outcome(bytes)).toBe('is truncated or corrupt: the dynamic section gives 16-byte relocations, not 24');
  });

  it('a relocation table larger than the file', () => {
    const bytes = binaryBytes('pie');
    bytes.writeBigUInt64LE(1n << 40n, dynamicValue(bytes, DT_RELASZ));
    expect(outcome(bytes)).toBe('is truncated or corrupt: the relocations lie outside the file');
  });

  it('mutated relocations of moduledata, in a PIE with zeros there: symbolize, or throw a BinaryError', () => {
    const original = zeroed('pie');
    const elf = parseElf(original, DEFAULT_LIMITS);
    const section = (name: string) => elf.sections.find((x) => x.name === name)!;
    const [rela, dynamic] = [section('.rela'), section('.dynamic')];
    const pclntab = section('.data.rel.ro.gopclntab').addr;
    const moduledata = [...elf.relocated].find(([, value]) => value === pclntab)![0];
    // The dynamic section, and the .rela entries of moduledata's words (text, types, gofunc, …).
    const entries: Array<[number, number]> = [[dynamic.offset, dynamic.size]];
    for (let o = rela.offset; o < rela.offset + rela.size; o += RELA_SIZE) {
      const target = Number(original.readBigUInt64LE(o));
      if (target >= moduledata && target < moduledata + 400) entries.push([o, RELA_SIZE]);
    }
    expect(entries.length).toBeGreaterThan(20);
    let seed = 20261124;
    const rnd = (n: number) => {
      // mulberry32, as in corrupt.test.ts
      let t = (seed = (seed + 0x6d2b79f5) | 0);
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
    };
    const messages = new Map<string | null, number>();
    for (let k = 0; k < 80; k++) {
      const [start, size] = entries[rnd(entries.length)];
      const at = start + rnd(size - 7);
      const bytes = Buffer.from(original);
      const op = rnd(3);
      if (op === 0) bytes[at] ^= 1 << rnd(8);
      else bytes.fill(op === 1 ? 0xff : 0, at, at + 8);
      const result = outcome(bytes);
      messages.set(result, (messages.get(result) ?? 0) + 1);
    }
    expect(messages.get(null)).toBeGreaterThan(0);
    expect(messages.size).toBeGreaterThan(3);
  });
});
