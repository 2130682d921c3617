import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe } from 'vitest';
import { parseElf } from '../../src/binary/elf.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { MapbloatError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { parseHeapText } from '../../src/pprof/text.js';
import { FIXTURES } from '../helpers.js';
import { tinyElf } from '../binary/tiny-elf.js';
import { property, returnsOrRefuses } from './budget.js';
import { edgeValue, inPlaceMutation, mutate, mutateInPlace, mutations } from './mutate.js';

// ELF, pclntab, inline trees, build info, relocations and map types (src/binary): a damaged binary
// is read, or refused with a BinaryError (InputError for its size), in bounded time and memory:
// never a RangeError from a DataView, never an endless walk of an inline tree or pc-value table.

/** A binary with the text profile it wrote: its stacks are what the symbolizer is asked about. */
const BINARIES = [
  { binary: 'go1.19/bin/multi.gz', text: 'go1.19/multi.heap.txt' },
  { binary: 'go1.24/bin/multi.gz', text: 'go1.24/multi.heap.txt' },
  { binary: 'pie/bin/pie-pie.gz', text: 'pie/out/pie/pie.heap.txt' },
  { binary: 'pie/bin/pie-arm64-pie.gz', text: 'pie/out/arm64-pie/pie.heap.txt' },
].map(({ binary, text }) => {
  const bytes = gunzipSync(readFileSync(`${FIXTURES}/${binary}`));
  const records = parseHeapText(readFileSync(`${FIXTURES}/${text}`)).records;
  return { name: binary, bytes, records, regions: regionsOf(bytes) };
});

/**
 * Where mapbloat reads, each region equally likely to be hit however small: the ELF header, the
 * program and section headers, the pclntab's header and tables, the data holding moduledata, the
 * inline trees and type descriptors in .rodata, build info, relocations, the dynamic section, notes.
 */
function regionsOf(bytes: Uint8Array): Array<readonly [number, number]> {
  const elf = parseElf(bytes, DEFAULT_LIMITS);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const regions: Array<readonly [number, number]> = [
    [0, 64],
    [Number(view.readBigUInt64LE(32)), 56 * view.readUInt16LE(56)],
    [Number(view.readBigUInt64LE(40)), 64 * view.readUInt16LE(60)],
  ];
  for (const s of elf.sections) {
    if (s.type === 8 || s.size === 0) continue; // SHT_NOBITS: nothing in the file
    if (/gopclntab$/.test(s.name)) {
      regions.push([s.offset, 96], [s.offset, 4096], [s.offset + Math.floor(s.size / 2), 4096]);
    }
    if (
      /^\.(shstrtab|gopclntab|data\.rel\.ro\.gopclntab|rodata|go\.buildinfo|noptrdata|data|data\.rel\.ro|typelink|data\.rel\.ro\.typelink|rela|dynamic)$|^\.note/.test(
        s.name,
      )
    ) {
      regions.push([s.offset, s.size]);
    }
  }
  return regions;
}

/** Everything a run with --binary asks of the symbolizer, each call returning or refusing. */
function useBinary(bytes: Uint8Array, records: ReturnType<typeof parseHeapText>['records']): void {
  const symbolizer = returnsOrRefuses(() => symbolizerFor(bytes, DEFAULT_LIMITS));
  if (symbolizer instanceof MapbloatError) return;
  returnsOrRefuses(() => symbolizer.textLoadBias(records.map((r) => r.shown)));
  for (const record of records) {
    if (returnsOrRefuses(() => symbolizer.stackFrames(record.pcs)) instanceof MapbloatError) break;
    for (const pc of record.pcs) returnsOrRefuses(() => symbolizer.callTarget(pc));
  }
  returnsOrRefuses(() => symbolizer.linkAddress(0x401000, { start: 0x400000, limit: 0x800000, offset: 0 }));
  returnsOrRefuses(() => symbolizer.mapTypes());
  returnsOrRefuses(() => symbolizer.mapRuntime());
}

describe('Go binaries', () => {
  property(
    'damaged headers, tables, inline trees, build info and type descriptors: read or refused',
    { runs: 600, file: import.meta.url },
    fc.record({
      binary: fc.nat(BINARIES.length - 1),
      ops: fc.array(inPlaceMutation, { minLength: 1, maxLength: 6 }),
      cut: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat() }),
    }),
    ({ binary, ops, cut }) => {
      const { bytes, records, regions } = BINARIES[binary];
      // The shared copy is changed in place and put back: a case costs its mutations, not 2 MB.
      const restore = mutateInPlace(bytes, ops, regions);
      try {
        useBinary(cut === null ? bytes : bytes.subarray(0, cut % bytes.length), records);
      } finally {
        restore();
      }
    },
  );

  property(
    'small ELF files of any shape: read or refused',
    { runs: 300, file: import.meta.url },
    fc.record({
      elf: fc.record({
        elfClass: fc.constantFrom(1 as const, 2 as const),
        order: fc.constantFrom(1 as const, 2 as const),
        type: fc.constantFrom(1, 2, 3, 4),
        machine: fc.constantFrom(3, 40, 62, 183, 243),
        segments: fc.array(fc.record({ vaddr: fc.nat(), flags: fc.nat(7), data: fc.uint8Array({ maxLength: 64 }) }), {
          maxLength: 3,
        }),
        sections: fc.array(
          fc.record({
            name: fc.constantFrom(
              '.gopclntab',
              '.text',
              '.noptrdata',
              '.rodata',
              '.go.buildinfo',
              '.note.gnu.build-id',
              '.data.rel.ro.gopclntab',
              '.dynamic',
            ),
            addr: fc.nat(),
            data: fc.oneof(fc.uint8Array({ maxLength: 128 }), pclntabHeader),
          }),
          { maxLength: 4 },
        ),
      }),
      ops: fc.option(mutations(4)),
    }),
    ({ elf, ops }) => {
      const bytes = tinyElf(elf);
      useBinary(ops === null ? bytes : mutate(bytes, ops), BINARIES[0].records.slice(0, 3));
    },
  );
});

/** A pclntab header (Go 1.18 or 1.20 magic, amd64) followed by table offsets near its end. */
const pclntabHeader: fc.Arbitrary<Uint8Array> = fc
  .record({
    magic: fc.constantFrom(0xfffffff0, 0xfffffff1, 0xfffffffb),
    words: fc.array(edgeValue, { minLength: 8, maxLength: 8 }),
    tail: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ magic, words, tail }) => {
    const out = Buffer.alloc(8 + 8 * 8 + tail.length);
    out.writeUInt32LE(magic, 0);
    out.set([0, 0, 1, 8], 4);
    words.forEach((w, k) => out.writeBigUInt64LE(k === 0 || k > 2 ? w % 256n : w, 8 + 8 * k));
    out.set(tail, 72);
    return out;
  });
