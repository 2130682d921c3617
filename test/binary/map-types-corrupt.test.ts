import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/binary/elf.js';
import type { GoMapType } from '../../src/binary/map-types.js';
import { readPclntab } from '../../src/binary/pclntab.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { FIXTURES, binaryErrorOf } from '../helpers.js';
import { seededRandom } from '../random.js';

// Corrupt type descriptors, names, typelinks or moduledata words are a BinaryError that says what
// is wrong, or a clean result, never a RangeError or a hang: one reproducer per kind of damage,
// then a mutation loop over the bytes the map type reader reads, in both layouts.
const multi = (version: string) => gunzipSync(readFileSync(`${FIXTURES}/${version}/bin/multi.gz`));

/** Reads every map type of bytes: null, or the BinaryError's message. */
function outcome(bytes: Uint8Array): string | null {
  return binaryErrorOf(() => symbolizerFor(bytes, DEFAULT_LIMITS).mapTypes());
}

/** File offsets of what the reader reads in an undamaged binary, and its map types. */
function layout(bytes: Buffer) {
  const elf = parseElf(bytes, DEFAULT_LIMITS);
  const module = readPclntab(elf).moduleTypes!;
  const rodata = elf.sections.find((s) => s.name === '.rodata')!;
  const at = (addr: number) => rodata.offset + (addr - rodata.addr);
  const words = Buffer.alloc(16);
  words.writeBigUInt64LE(BigInt(module.types));
  words.writeBigUInt64LE(BigInt(module.etypes), 8);
  const moduledata = bytes.indexOf(words, elf.sections.find((s) => s.name === '.noptrdata')!.offset);
  const maps = symbolizerFor(bytes, DEFAULT_LIMITS).mapTypes().types;
  const map = (name: string) => maps.find((t) => t.name === name)!;
  const name = (t: GoMapType) => at(module.types) + bytes.readInt32LE(at(t.descriptor) + 40);
  return { module, at, moduledata, maps, map, name };
}

const corrupt = (detail: string) => `is truncated or corrupt: ${detail}`;

describe('corrupt map types', () => {
  it('a typelinks entry outside the type descriptors', () => {
    const bytes = multi('go1.24');
    const l = layout(bytes);
    bytes.writeInt32LE(0x7fffffff, l.at(l.module.typelinks));
    expect(outcome(bytes)).toBe(corrupt('a typelinks entry lies outside the type descriptors'));
  });

  it('more typelinks than the file holds: refused, not read', () => {
    const bytes = multi('go1.24');
    bytes.writeBigUInt64LE(1n << 40n, layout(bytes).moduledata + 8 * 8); // typelinks' length
    expect(outcome(bytes)).toBe(corrupt('the typelinks lie outside the file'));
  });

  it('etypes before types', () => {
    const bytes = multi('go1.19');
    const l = layout(bytes);
    bytes.writeBigUInt64LE(BigInt(l.module.types - 8), l.moduledata + 8);
    expect(outcome(bytes)).toBe(corrupt('the type descriptors lie outside the file'));
  });

  it('no moduledata to be found', () => {
    const bytes = multi('go1.19');
    bytes.writeBigUInt64LE(0n, layout(bytes).moduledata - 35 * 8); // moduledata.pcHeader
    const message = 'has no runtime.firstmoduledata that mapbloat can find, so its types are unknown';
    expect(outcome(bytes)).toBe(message);
  });

  it('a key type outside the type descriptors', () => {
    const bytes = multi('go1.19');
    const l = layout(bytes);
    const t = l.map('map[string]int');
    bytes.writeBigUInt64LE(0n, l.at(t.descriptor) + 48);
    const message = `the key type of the map type at 0x${t.descriptor.toString(16)} lies outside the type descriptors`;
    expect(outcome(bytes)).toBe(corrupt(message));
  });

  it('a bucket size other than the bucket type’s', () => {
    const bytes = multi('go1.19');
    const l = layout(bytes);
    const t = l.map('map[string]int');
    bytes.writeUInt16LE(208 + 8, l.at(t.descriptor) + 82);
    const at = `0x${t.descriptor.toString(16)}`;
    const message = `the map type at ${at} gives a bucket or group size other than its table type's`;
    expect(outcome(bytes)).toBe(corrupt(message));
  });

  it('a Swiss map type that reads as an hmap one', () => {
    const bytes = multi('go1.24');
    const l = layout(bytes);
    const t = l.map('map[string]int');
    bytes.writeUInt16LE(200, l.at(t.descriptor) + 82); // its group size, where an hmap type's bucket size is
    expect(outcome(bytes)).toBe(corrupt('its map types have both the hmap and the Swiss table layout'));
  });

  it('a type name that claims more bytes than there are', () => {
    const bytes = multi('go1.24');
    const l = layout(bytes);
    const name = l.name(l.map('map[string]int'));
    bytes.fill(0xff, name + 1, name + 9); // the length's uvarint: eight continuation bytes
    expect(outcome(bytes)).toBe(corrupt('a type name runs past the end of the type descriptors'));
  });
});

describe.each(['go1.19', 'go1.24'])('mutated copies of %s/bin/multi', (version) => {
  it('read their map types, or throw a BinaryError', () => {
    const original = multi(version);
    const l = layout(original);
    const spans = [
      ...l.maps.map((t) => [l.at(t.descriptor), 112]),
      ...l.maps.map((t) => [l.name(t), 16]),
      [l.at(l.module.typelinks), 4 * l.module.ntypelinks],
      [l.moduledata, 10 * 8], // from types to the typelinks' capacity
    ];
    const rnd = seededRandom(20261124);
    const messages = new Map<string | null, number>();
    for (let k = 0; k < 300; k++) {
      const [start, size] = spans[rnd(spans.length)];
      const at = start + rnd(size - 4);
      const bytes = Buffer.from(original);
      const op = rnd(6);
      if (op < 3) bytes[at] ^= 1 << rnd(8);
      else if (op < 5) bytes.set([rnd(256), rnd(256), rnd(256), rnd(256)], at);
      else bytes.fill(0xff, at, at + 4);
      const result = outcome(bytes);
      messages.set(result, (messages.get(result) ?? 0) + 1);
    }
    expect(messages.get(null)).toBeGreaterThan(0);
    expect(messages.size).toBeGreaterThan(5);
  });
});
