import { describe, expect, it } from 'vitest';
import type { DiffJson } from '../../src/report/schema.js';
import { fixture, runCli, runJson } from '../helpers.js';

// What a user sees for profiles nobody on this project wrote (fixtures/real/README.md). Every map
// number here was checked against go tool pprof on the same file (see each case).
const real = (name: string) => fixture(`real/${name}`);
const ENV = { NO_COLOR: '1' };

describe('a go test -memprofile of a cache library (advanced-cache, Go 1.24)', () => {
  const PROFILE = real('advcache__storage_mem_before.prof');

  it('its runtime/trace.Stop stack does not make the runtime frames "present": maps are not visible, not 0 B', async () => {
    const { code, stdout, stderr } = await runCli(['analyze', PROFILE], { env: ENV });
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `mapbloat analyze ${PROFILE}`,
        '  time      2025-06-09 13:42:24 UTC',
        '  runtime   unknown (no map runtime frames); runtime frames hidden by the profile writer',
        '  sample    inuse_space',
        '  heap      1.2 GiB',
        '  maps      not visible: the runtime frames are hidden in this profile (see the note)',
        '',
        'no map sites visible in this profile',
        '',
      ].join('\n'),
    );
    expect(stderr).toMatch(/^note: Runtime frames hidden: /);
    const got = await runJson(['analyze', PROFILE]);
    expect([got.profile.runtimeFrames, got.profile.mapVisibility, got.totals.map]).toEqual(['hidden', 'none', null]);
  });

  it('with its source tree: the make(map…) in NewShard, 345,678,492 bytes as go tool pprof -lines shows', async () => {
    const argv = ['analyze', PROFILE, '--source-path', real('src/advcache')];
    const { code, stdout } = await runCli(argv, { env: { ...ENV, COLUMNS: '100' } });
    expect(code).toBe(0);
    expect(stdout).toContain(
      '  maps      ≥ 329.7 MiB (≥ 25.9% of heap) in 1 site, inferred from the source (see the note)\n',
    );
    expect(stdout).toContain(
      '  1   map.NewShard[...]   map/shard.go:56     329.7 MiB   100.0%   create 100%   source\n',
    );
    const got = await runJson(argv);
    const bytes = { alloc_objects: 131702, alloc_space: 345678492, inuse_objects: 131702, inuse_space: 345678492 };
    expect(got.totals.map).toEqual(bytes);
    expect(got.sites.map((s) => [s.function, s.file, s.line, s.evidence, s.values, s.phases])).toEqual([
      [
        'github.com/Borislavv/traefik-http-cache-plugin/pkg/storage/map.NewShard[go.shape.*uint8]',
        '/Users/admin/dev/projects/work/traefik-http-cache-plugin/pkg/storage/map/shard.go',
        56,
        'source',
        bytes,
        { create: bytes },
      ],
    ]);
    expect(got.profile.mainModule).toEqual({
      path: 'github.com/Borislavv/traefik-http-cache-plugin',
      source: 'go.mod',
    });
  });
});

describe("a continuous profiler's stock profile (Parca, prometheus-operator, 2020)", () => {
  it('shows the linknamed reflect map frames it keeps, as a lower bound of alloc_space (its default sample type)', async () => {
    const PROFILE = real('parca__parca_testdata_alloc_objects.pb.gz');
    const got = await runJson(['analyze', PROFILE]);
    expect([got.sampleIndex, got.profile.runtimeFrames, got.profile.mapVisibility]).toEqual([
      'alloc_space',
      'hidden',
      'partial',
    ]);
    // go tool pprof -sample_index=alloc_space -focus='^reflect\.(mapassign|makemap)' : 231843007B.
    expect(got.totals.map).toEqual({
      alloc_objects: 906895,
      alloc_space: 231843007,
      inuse_objects: 1820,
      inuse_space: 524432,
    });
    expect(got.sites).toHaveLength(18);
    expect(got.sites.slice(0, 2).map((s) => [s.function, s.line, s.via, s.values.alloc_space])).toEqual([
      [
        'github.com/prometheus-operator/prometheus-operator/pkg/prometheus.(*Operator).syncNodeEndpoints',
        607,
        'github.com/modern-go/reflect2.(*UnsafeMapType).UnsafeSetIndex',
        102299734,
      ],
      ['github.com/modern-go/reflect2.(*UnsafeMapType).UnsafeSetIndex', 76, null, 59270497],
    ]);
    const { stdout } = await runCli(['analyze', PROFILE], { env: { ...ENV, COLUMNS: '120' } });
    expect(stdout).toContain('  allocated 108.1 GiB\n');
    expect(stdout).toContain(
      '  maps      ≥ 221.1 MiB (≥ 0.2% of allocated) in 18 sites, through linknamed frames only (see the note)\n',
    );
  });
});

describe('a delta profile (Parca alloc_space_delta: 288 negative values)', () => {
  it('is analyzed: the header says net change, a note says how negative values count', async () => {
    const PROFILE = real('parca__query_testdata_alloc_space_delta.pb.gz');
    const { code, stdout, stderr } = await runCli(['analyze', PROFILE], { env: ENV });
    expect(code).toBe(0);
    expect(stdout).toContain('  heap      +636.0 MiB net change (a delta profile: see the note)\n');
    expect(stderr.split('\n')[1]).toBe(
      'note: Negative values in this profile (144 in inuse_objects, 144 in inuse_space samples): a delta ' +
        'profile, the difference of two profiles as ' +
        'continuous profilers (Parca, Pyroscope, Datadog) store them. Its values and totals are net changes ' +
        'over its duration, not the heap at one ' +
        'moment; a negative value (memory freed) is shown with a minus sign and counts against every total ' +
        'it is part of.',
    );
    const got = await runJson(['analyze', PROFILE]);
    expect([got.totals.heap.inuse_space, got.totals.map, got.notes.map((n) => n.code)]).toEqual([
      666938665,
      null,
      ['runtime-frames-hidden', 'delta-profile'],
    ]);
  });

  it('cannot gate: a delta of deltas means nothing', async () => {
    const PROFILE = real('parca__query_testdata_alloc_space_delta.pb.gz');
    const { code, stdout, stderr } = await runCli(['diff', PROFILE, PROFILE, '--max-growth', '0']);
    expect([code, stdout, stderr]).toEqual([
      2,
      '',
      `mapbloat: --max-growth cannot be checked: ${PROFILE} is a delta profile (its inuse_space has negative ` +
        `values), not a snapshot of the heap\n`,
    ]);
  });
});

describe('a raw before/after pair (Datadog fastdelta, stock)', () => {
  const PAIR = [real('dd__fastdelta_heap.before.pprof'), real('dd__fastdelta_heap.after.pprof')];

  it('diff: the map totals are null, never a 0 B change', async () => {
    const got = await runJson<DiffJson>(['diff', ...PAIR]);
    expect([got.totals.map, got.totalsDelta.map, got.totals.heap.map((v) => v.inuse_space)]).toEqual([
      [null, null],
      null,
      [1049360, 1049360],
    ]);
    const { stdout } = await runCli(['diff', ...PAIR], { env: ENV });
    expect(stdout).toContain('  map inuse_space not visible: runtime frames hidden in every snapshot (see the note)\n');
    expect(stdout).not.toMatch(/map .*\b0 B\b/);
  });

  it('--max-growth is refused with exit 2 and says what would make it checkable', async () => {
    const { code, stdout, stderr } = await runCli(['diff', ...PAIR, '--max-growth', '0']);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toBe(
      `mapbloat: --max-growth cannot be checked: ${PAIR[0]} is a stock profile whose runtime frames are ` +
        `hidden, so its map memory is not visible; ` +
        `give the program's binary (--binary) or its source tree (--source-path) (mapbloat analyze ` +
        `${PAIR[0]} explains)\n`,
    );
  });
});

describe('an old Go text heap profile (google/pprof gobench.heap)', () => {
  it('is read with notes: no function names, and a header that disagrees with its records', async () => {
    const PROFILE = real('pprof__profile_testdata_gobench.heap');
    const { code, stdout, stderr } = await runCli(['analyze', PROFILE], { env: ENV });
    expect(code).toBe(0);
    expect(stdout).toContain(
      '  runtime   unknown (no map runtime frames); runtime frames unknown: the profile has no function ' +
        'names (unsymbolized)\n',
    );
    expect(stdout).toContain('  maps      not visible: the profile has no function names (see the note)\n');
    expect(stderr.split('\n').map((l) => l.slice(0, 40))).toEqual([
      'note: No function names in this profile:',
      "note: The text profile's header totals d",
      '',
    ]);
    // The records' sums, as go tool pprof reads them (the header says 47130736 allocated bytes).
    const got = await runJson(['analyze', PROFILE]);
    expect([got.totals.heap, got.totals.map]).toEqual([
      { alloc_objects: 83134, alloc_space: 350314738, inuse_objects: 11445, inuse_space: 7721316 },
      null,
    ]);
  });
});

describe('files that are not Go heap profiles: one line, exit 2, nothing on stdout', () => {
  it.each([
    [
      'pprof__profile_testdata_cppbench.heap',
      'a tcmalloc (C/C++) heap profile, not a Go heap profile: take one from /debug/pprof/heap or go test -memprofile',
    ],
    [
      'pprof__internal_report_testdata_sample.cpu',
      'a CPU profile (sample types samples/count, cpu/nanoseconds), not a heap profile: take one from ' +
        '/debug/pprof/heap or go test -memprofile',
    ],
    [
      'nodejs-heap.pb.gz',
      'not a Go heap profile: its frames are Node.js code (sample types objects/count, space/bytes); ' +
        'mapbloat reads the heap profiles of Go programs',
    ],
  ])('%s', async (name, message) => {
    for (const command of ['analyze', 'diff']) {
      const argv = command === 'analyze' ? [command, real(name)] : [command, real(name), real(name)];
      const { code, stdout, stderr } = await runCli(argv);
      expect([code, stdout, stderr]).toEqual([2, '', `mapbloat: ${real(name)}: ${message}\n`]);
    }
  });
});
