import { describe, expect, it } from 'vitest';
import { framePhase, isMapFrame, isStdFunction, packagePath } from '../../src/go/names.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { attribute } from '../helpers.js';
import { synthProfile, type SynthSample } from '../synth.js';

const HEAP: ReadonlyArray<readonly [string, string]> = [
  ['alloc_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['inuse_objects', 'count'],
  ['inuse_space', 'bytes'],
];

function attributeSamples(samples: SynthSample[], granularity: 'line' | 'function' = 'line') {
  return attribute(decodeProfile(synthProfile(HEAP, samples)), granularity);
}

describe('Go names', () => {
  it.each([
    ['main.Index[go.shape.int,go.shape.struct { ID int; Name string }]', 'main', false],
    ['github.com/acme/cache.(*LRU).Put', 'github.com/acme/cache', false],
    ['github.com/acme/cache.Get[go.shape.*example.com/x.T]', 'github.com/acme/cache', false],
    ['sync.(*Map).Store', 'sync', true],
    ['encoding/json.(*decodeState).object', 'encoding/json', true],
    ['runtime/pprof.lockProfiles', 'runtime/pprof', true],
    ['main.buildGrown', 'main', false],
  ])('%s is in package %s (std: %s)', (fn, pkg, std) => {
    expect(packagePath(fn)).toBe(pkg);
    expect(isStdFunction(fn)).toBe(std);
  });

  it.each([
    ['runtime.mapassign_faststr', true, 'assign'],
    ['runtime.hashGrow', true, 'grow'],
    ['runtime.growWork_fast64', true, 'grow'],
    ['runtime.(*hmap).newoverflow', true, 'overflow'],
    ['runtime.mapclone2', true, 'clone'],
    ['maps.clone', true, 'clone'],
    ['internal/runtime/maps.(*Map).Clone', true, 'clone'],
    ['internal/runtime/maps.NewEmptyMap', true, 'create'],
    ['internal/runtime/maps.(*table).rehash', true, 'grow'],
    ['internal/runtime/maps.(*Map).growToSmall', true, 'assign'],
    ['reflect.mapassign_faststr0', true, 'assign'],
    ['reflect.makemap', true, 'create'],
    ['runtime.mallocgc', false, 'assign'],
    ['maps.Clone[go.shape.map[string]int,go.shape.string,go.shape.int]', false, 'assign'],
    ['reflect.Value.SetMapIndex', false, 'assign'],
  ])('%s: map frame %s, phase %s', (fn, map, phase) => {
    expect(isMapFrame(fn)).toBe(map);
    if (map) expect(framePhase(fn)).toBe(phase);
  });
});

describe('attribution rules', () => {
  it('finds the site past std frames and names it via; linknamed frames survive a stock writer', () => {
    // A stock stack of reflect-based map code: the writer dropped runtime.* frames, the linknamed
    // reflect.mapassign_faststr0 stays, then the std caller, then user code.
    const a = attributeSamples([
      {
        stack: [
          ['reflect.mapassign_faststr0', 10],
          ['reflect.Value.SetMapIndex', 20],
          ['encoding/json.(*decodeState).object', 30],
          ['main.load', 40],
          ['main.main', 50],
        ],
        values: [2, 4096, 1, 2048],
      },
      {
        stack: [
          ['main.other', 7],
          ['main.main', 51],
        ],
        values: [1, 100, 1, 100],
      },
    ]);
    expect(a.sites).toEqual([
      {
        function: 'main.load',
        file: 'main/x.go',
        line: 40,
        via: 'reflect.Value.SetMapIndex',
        evidence: 'frames',
        values: [2, 4096, 1, 2048],
        phases: { assign: [2, 4096, 1, 2048] },
        mixed: false,
        // No binary and no source: no map type, so no shape.
        shape: null,
        phasesFromSizes: false,
        // Every value and sum below 2^53: the numbers are exact, no BigInt side.
        exact: null,
      },
    ]);
    expect(a.exactTotals).toBeNull();
    expect(a.totals).toEqual({ heap: [3, 4196, 2, 2148], map: [2, 4096, 1, 2048] });
    expect(a.linknamedOnly).toEqual([2, 4096, 1, 2048]);
    expect(a.runtimeFrames).toBe('hidden');
    expect(a.runtime).toBe('unknown');
  });

  it('takes the first phase rule any map frame meets, and the via with most inuse_space', () => {
    const a = attributeSamples([
      {
        stack: [
          ['runtime.mallocgc', 1],
          ['runtime.makeBucketArray', 2],
          ['runtime.hashGrow', 3],
          ['runtime.mapassign_faststr', 4],
          ['main.put', 9],
        ],
        values: [1, 100, 1, 100],
      },
      {
        stack: [
          ['runtime.makemap_small', 1],
          ['sync.(*Map).Store', 5],
          ['main.put', 9],
        ],
        values: [1, 48, 0, 0],
      },
      {
        stack: [
          ['runtime.mapclone2', 1],
          ['maps.clone', 2],
          ['maps.Clone[...]', 3],
          ['main.put', 9],
        ],
        values: [1, 10, 1, 10],
      },
    ]);
    expect(a.sites).toHaveLength(1);
    expect(a.sites[0].via).toBeNull();
    expect(a.sites[0].phases).toEqual({ grow: [1, 100, 1, 100], create: [1, 48, 0, 0], clone: [1, 10, 1, 10] });
    expect(a.runtimeFrames).toBe('present');
    expect(a.runtime).toBe('hmap');
  });

  it('falls back to the outermost map frame and to the site when no frame qualifies', () => {
    const a = attributeSamples([
      {
        stack: [
          ['internal/runtime/maps.newarray', 1],
          ['internal/runtime/maps.(*table).grow', 2],
          ['runtime.gcBgMarkWorker', 3],
        ],
        values: [1, 64, 1, 64],
      },
      {
        stack: [
          ['runtime.makemap_small', 1],
          ['unicode.init', 2],
        ],
        values: [1, 48, 1, 48],
      },
    ]);
    expect(a.sites.map((s) => [s.function, s.line, s.via, Object.keys(s.phases)])).toEqual([
      ['internal/runtime/maps.(*table).grow', 2, null, ['grow']],
      ['unicode.init', 2, null, ['create']],
    ]);
    expect(a.runtime).toBe('swiss');
  });

  it('groups by function with --granularity function and omits all-zero groups', () => {
    const samples: SynthSample[] = [
      {
        stack: [
          ['runtime.mapassign_fast64', 1],
          ['main.fill', 10],
        ],
        values: [1, 100, 1, 100],
      },
      {
        stack: [
          ['runtime.makemap', 1],
          ['main.fill', 8],
        ],
        values: [1, 48, 1, 48],
      },
      {
        stack: [
          ['runtime.makemap', 1],
          ['main.late', 3],
        ],
        values: [0, 0, 0, 0],
      },
    ];
    expect(attributeSamples(samples).sites.map((s) => [s.function, s.line])).toEqual([
      ['main.fill', 10],
      ['main.fill', 8],
    ]);
    const byFunction = attributeSamples(samples, 'function').sites;
    expect(byFunction.map((s) => [s.function, s.file, s.line, s.values])).toEqual([
      ['main.fill', 'main/x.go', null, [2, 148, 2, 148]],
    ]);
  });
});
