import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/binary/elf.js';
import { mapRuntimeFor } from '../../src/go/map-runtime.js';
import type { GoMapType } from '../../src/binary/map-types.js';
import { readPclntab } from '../../src/binary/pclntab.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { FIXTURES } from '../helpers.js';

// Every map type of every bundled binary, as Go's own tools read them (fixtures/README.md,
// "fixtures/maptypes"): the same set, in the same order, with the same fields.
const VERSIONS = ['go1.19', 'go1.23', 'go1.24', 'go1.24-noswiss'];
const SCENARIOS = ['multi', 'grow', 'smallmaps', 'bigvalues', 'leak'];
const CASES = VERSIONS.flatMap((v) => SCENARIOS.map((s) => [v, s] as const));

interface Reference {
  readonly binarySha256: string;
  readonly mapImpl: 'hmap' | 'swiss';
  readonly moduledataTypes: string;
  readonly moduledataEtypes: string;
  readonly typelinks: string;
  readonly typelinksCount: number;
  readonly mapTypes: ReadonlyArray<{
    readonly descriptor: string;
    readonly type: string;
    readonly named: boolean;
    readonly key: string;
    readonly keySize: number;
    readonly elem: string;
    readonly elemSize: number;
    readonly stored: Readonly<Record<string, number | boolean>>;
  }>;
}

const bin = (version: string, scenario: string) =>
  gunzipSync(readFileSync(`${FIXTURES}/${version}/bin/${scenario}.gz`));
const reference = (version: string, scenario: string): Reference =>
  JSON.parse(readFileSync(`${FIXTURES}/maptypes/${version}/${scenario}.json`, 'utf8')) as Reference;

/** A reference entry in the shape mapbloat reads it. */
function expected(impl: Reference['mapImpl'], r: Reference['mapTypes'][number]): GoMapType {
  const s = r.stored;
  const common = {
    descriptor: Number(r.descriptor),
    name: r.type,
    named: r.named,
    key: { name: r.key, size: r.keySize },
    elem: { name: r.elem, size: r.elemSize },
    indirectKey: s.indirectKey as boolean,
    indirectElem: s.indirectElem as boolean,
    flags: s.flags as number,
    // A bucket or group is scanned unless both key and elem are plain numbers (or arrays of them)
    // held in it: one stored indirectly is a pointer.
    tablePointers:
      (s.indirectKey as boolean) || (s.indirectElem as boolean) || !(pointerFree(r.key) && pointerFree(r.elem)),
  };
  const n = (field: string) => s[field] as number;
  if (impl === 'hmap') {
    return { ...common, impl, keySlot: n('keysize'), elemSlot: n('elemsize'), bucketSize: n('bucketsize') };
  }
  return { ...common, impl, groupSize: n('groupSize'), slotSize: n('slotSize'), elemOffset: n('elemOff') };
}

/** Go types without pointers, as far as the bundled programs' map types go. */
const pointerFree = (type: string) =>
  /^(\[\d+\])*(u?int(8|16|32|64)?|uintptr|float(32|64)|bool|go\.shape\.int_0)$/.test(type);

describe.each(CASES)('%s %s', (version, scenario) => {
  const bytes = bin(version, scenario);
  const ref = reference(version, scenario);

  it('is the binary the reference was read from', () => {
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(ref.binarySha256);
  });

  it('moduledata: types, etypes and the typelinks slice', () => {
    expect(readPclntab(parseElf(bytes, DEFAULT_LIMITS)).moduleTypes).toEqual({
      types: Number(ref.moduledataTypes),
      etypes: Number(ref.moduledataEtypes),
      typelinks: Number(ref.typelinks),
      ntypelinks: ref.typelinksCount,
    });
  });

  it('every map type, named ones included, exactly', () => {
    const maps = symbolizerFor(bytes, DEFAULT_LIMITS).mapTypes();
    expect(maps.impl).toBe(ref.mapImpl);
    expect(maps.types).toEqual(ref.mapTypes.map((r) => expected(ref.mapImpl, r)));
  });

  it('costs well under 100 ms, read once', () => {
    const symbolizer = symbolizerFor(bytes, DEFAULT_LIMITS);
    const start = performance.now();
    const maps = symbolizer.mapTypes();
    expect(performance.now() - start).toBeLessThan(100);
    expect(symbolizer.mapTypes()).toBe(maps);
  });
});

describe('hmap or Swiss tables', () => {
  // The descriptors decide; the linker also writes the experiment into runtime.Version().
  it.each(VERSIONS)('%s: the descriptors agree with the build info', (version) => {
    const symbolizer = symbolizerFor(bin(version, 'grow'), DEFAULT_LIMITS);
    const goVersion = symbolizer.buildInfo!.goVersion;
    const swiss = goVersion.startsWith('go1.24') && !goVersion.includes('X:noswissmap');
    expect(symbolizer.mapTypes().impl).toBe(swiss ? 'swiss' : 'hmap');
  });

  it.each([
    [
      'go1.19',
      { impl: 'hmap', headerSize: 48, mapextraSize: 24, bucketEntries: 8, loadFactor: 6.5, mallocHeaders: false },
    ],
    [
      'go1.23',
      { impl: 'hmap', headerSize: 48, mapextraSize: 24, bucketEntries: 8, loadFactor: 6.5, mallocHeaders: true },
    ],
    [
      'go1.24-noswiss',
      { impl: 'hmap', headerSize: 56, mapextraSize: 24, bucketEntries: 8, loadFactor: 6.5, mallocHeaders: true },
    ],
    [
      'go1.24',
      {
        impl: 'swiss',
        headerSize: 48,
        tableSize: 32,
        groupSlots: 8,
        maxTableCapacity: 1024,
        maxLoad: 0.875,
        mallocHeaders: true,
      },
    ],
  ])('%s: the map runtime facts', (version, facts) => {
    expect(symbolizerFor(bin(version, 'leak'), DEFAULT_LIMITS).mapRuntime()).toEqual(facts);
  });

  it('facts by runtime.Version() and implementation; none for versions the table does not cover', () => {
    expect(mapRuntimeFor('go1.18', 'hmap')?.headerSize).toBe(48);
    expect(mapRuntimeFor('go1.24.4 X:noswissmap', 'hmap')?.headerSize).toBe(56);
    expect(mapRuntimeFor('devel go1.24-0123abcd Tue Jan 1 00:00:00 2025 +0000', 'swiss')?.impl).toBe('swiss');
    expect(mapRuntimeFor('go1.23.5', 'swiss')).toBeNull();
    expect(mapRuntimeFor('go1.17.13', 'hmap')).toBeNull();
    expect(mapRuntimeFor('go1.25.0', 'swiss')).toBeNull();
    expect(mapRuntimeFor('gccgo', 'hmap')).toBeNull();
  });
});

describe('defined map types (type T map[K]V)', () => {
  // No bundled Go 1.24 binary has one, so one is made: an unnamed map type X is taken out of
  // typelinks, marked Named and given the key, elem, group and fields of another map type Y, as
  // if X were `type X Y`. The scan must find it, and must not once its hasher differs from Y's.
  const original = bin('go1.24', 'multi');
  const module = readPclntab(parseElf(original, DEFAULT_LIMITS)).moduleTypes!;
  const before = symbolizerFor(original, DEFAULT_LIMITS).mapTypes().types;
  const x = before.find((t) => t.name === 'map[int32]string')!;
  const y = before.find((t) => t.name === 'map[string]int')!;

  function defineXasY(keepHasher: boolean): Buffer {
    const bytes = Buffer.from(original);
    const rodata = parseElf(bytes, DEFAULT_LIMITS).sections.find((s) => s.name === '.rodata')!;
    const at = (addr: number) => rodata.offset + (addr - rodata.addr);
    const links = Array.from({ length: module.ntypelinks }, (_, i) => at(module.typelinks) + 4 * i);
    const link = links.find((p) => bytes.readInt32LE(p) === x.descriptor - module.types)!;
    bytes.writeInt32LE(y.descriptor - module.types, link); // a second entry for Y instead
    bytes[at(x.descriptor) + 20] |= 4; // tflag Named
    bytes.copy(bytes, at(x.descriptor) + 48, at(y.descriptor) + 48, at(y.descriptor) + 112);
    if (!keepHasher) bytes.writeBigUInt64LE(0x401000n, at(x.descriptor) + 72);
    return bytes;
  }

  it('found by the scan when it shares key, elem, group and hasher with an unnamed map type', () => {
    const types = symbolizerFor(defineXasY(true), DEFAULT_LIMITS).mapTypes().types;
    const defined = { ...y, descriptor: x.descriptor, name: x.name, named: true };
    expect(types).toEqual(before.map((t) => (t === x ? defined : t)));
  });

  it('not found when it does not', () => {
    const types = symbolizerFor(defineXasY(false), DEFAULT_LIMITS).mapTypes().types;
    expect(types).toEqual(before.filter((t) => t !== x));
  });
});
