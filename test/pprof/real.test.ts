import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireHeapProfile } from '../../src/analysis/sample-type.js';
import { decodeInput } from '../../src/pprof/input.js';
import { frameLanguage, isUnsymbolized } from '../../src/pprof/language.js';
import type { Profile } from '../../src/pprof/profile.js';
import type { TextHeapProfile } from '../../src/pprof/text.js';
import { FIXTURES } from '../helpers.js';
import { failure } from './craft.js';

// Profiles from other projects' repositories (fixtures/real/README.md): what users really pass.
const real = (name: string): Uint8Array => readFileSync(`${FIXTURES}/real/${name}`);

function protobuf(name: string): Profile {
  const input = decodeInput(real(name));
  if (input.kind !== 'protobuf') throw new Error(`${name} is ${input.kind}`);
  return input.profile;
}

function text(name: string): TextHeapProfile {
  const input = decodeInput(real(name));
  if (input.kind !== 'text') throw new Error(`${name} is ${input.kind}`);
  return input.text;
}

const types = (p: Profile): string[] => p.sampleTypes.map((t) => `${t.type}/${t.unit}`);
const HEAP_TYPES = ['alloc_objects/count', 'alloc_space/bytes', 'inuse_objects/count', 'inuse_space/bytes'];

describe('Go heap profiles from other writers decode', () => {
  it.each([
    ['parca__parca_testdata_alloc_objects.pb.gz', 4661, 'alloc_space'],
    ['parca__query_testdata_alloc_space_delta.pb.gz', 4942, null],
    ['dd__fastdelta_heap.before.pprof', 3, null],
    ['dd__fastdelta_heap.after.pprof', 5, null],
    ['advcache__storage_mem_before.prof', 345, null],
  ])('%s', (name, count, defaultSampleType) => {
    const profile = protobuf(name);
    expect([types(profile), profile.samples.count, profile.defaultSampleType, profile.samples.exact]).toEqual([
      HEAP_TYPES,
      count,
      defaultSampleType,
      null,
    ]);
    expect([frameLanguage(profile), isUnsymbolized(profile)]).toEqual(['Go', false]);
  });

  it('a delta profile keeps its negative values', () => {
    const { values } = protobuf('parca__query_testdata_alloc_space_delta.pb.gz').samples;
    expect(values.filter((v) => v < 0).length).toBe(288);
    expect(Array.from(values.subarray(0, 4))).toEqual([0, 0, -910, -524576]);
  });
});

describe('an old Go text heap profile whose header disagrees with its records', () => {
  it('is read, and says so (gobench.heap)', () => {
    const profile = text('pprof__profile_testdata_gobench.heap');
    expect([profile.headerAgrees, profile.rate, profile.header, profile.records.length, profile.memStats]).toEqual([
      false,
      524288,
      [13, 1595680, 47130736, 2584596557304],
      15,
      null,
    ]);
    // Addresses only: the old form has no `#` lines, and one record no stack at all.
    expect(profile.records.map((r) => [r.pcs.length, r.shown.length])).toContainEqual([0, 0]);
    expect(profile.records[0].pcs.slice(0, 2)).toEqual([0x420cef, 0x422151]);
  });
});

describe('profiles of another kind are named', () => {
  it('a tcmalloc heap profile (cppbench.heap)', () => {
    expect(failure(() => decodeInput(real('pprof__profile_testdata_cppbench.heap')))).toEqual([
      'UnsupportedProfileError',
      'a tcmalloc (C/C++) heap profile, not a Go heap profile: take one from /debug/pprof/heap or go test -memprofile',
    ]);
  });

  it('a CPU profile is a valid Profile with CPU sample types, which the analysis refuses', () => {
    const profile = protobuf('pprof__internal_report_testdata_sample.cpu');
    expect([types(profile), profile.samples.count, profile.period, frameLanguage(profile)]).toEqual([
      ['samples/count', 'cpu/nanoseconds'],
      76,
      10_000_000,
      'Go',
    ]);
    expect(failure(() => requireHeapProfile(profile))).toEqual([
      'UnsupportedProfileError',
      'a CPU profile (sample types samples/count, cpu/nanoseconds), not a heap profile: ' +
        'take one from /debug/pprof/heap or go test -memprofile',
    ]);
  });

  it('a Node.js heap profile has heap sample types and JavaScript frames', () => {
    const profile = protobuf('nodejs-heap.pb.gz');
    expect([
      types(profile),
      Array.from(profile.samples.values),
      frameLanguage(profile),
      isUnsymbolized(profile),
    ]).toEqual([['objects/count', 'space/bytes'], [4, 2_097_152, 1, 524_288], 'Node.js', false]);
  });
});
