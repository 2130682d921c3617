import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiffJson } from '../../src/report/schema.js';
import { fixture, readExpected, runCli, type Expected } from '../helpers.js';
import { synthProfile } from '../synth.js';

// A series is the same program's snapshots; for each Go version we have them from the in-process
// full-frame writer (<dir>/<name>.full.pb.gz) and from a patched runtime/pprof (<dir>-fullstack).
const VERSIONS = ['go1.19', 'go1.23', 'go1.24', 'go1.24-noswiss'];
const SERIES = VERSIONS.flatMap(
  (v) =>
    [
      [`${v} full`, (name: string) => `${v}/${name}.full.pb.gz`, (name: string) => `${v}/${name}.full.expected.json`],
      [
        `${v}-fullstack`,
        (name: string) => `${v}-fullstack/${name}.pb.gz`,
        (name: string) => `${v}-fullstack/${name}.expected.json`,
      ],
    ] as const,
);

async function diffJson(argv: string[]): Promise<DiffJson> {
  const { code, stdout, stderr } = await runCli(['diff', ...argv, '--json']);
  expect([code, stderr]).toEqual([0, '']);
  return JSON.parse(stdout) as DiffJson;
}

/** main.(*Server).remember's inuse_space in go1.24's leak_n, from the reference. */
const rememberInuse = (n: number) =>
  readExpected(`go1.24/leak_${n}.full.expected.json`).sites.find((s) => s.function === 'main.(*Server).remember')!
    .values.inuse_space;
const site = (e: Expected, fn: string, line: number) => e.sites.find((s) => s.function === fn && s.line === line);
const minus = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.keys(a).map((k) => [k, a[k] - b[k]]));

describe.each(SERIES)('%s', (_, profile, expected) => {
  it('leak_0..4: the cache site is rising, its series and delta are the reference values', async () => {
    const names = [0, 1, 2, 3, 4].map((i) => `leak_${i}`);
    const got = await diffJson(names.map((n) => fixture(profile(n))));
    const refs = names.map((n) => readExpected(expected(n)));
    const remember = got.sites.find((s) => s.function === 'main.(*Server).remember')!;
    expect(remember.rank).toBe(1);
    expect(remember.trend).toBe('rising');
    expect(remember.status).toBe('grown');
    expect(remember.series).toEqual(refs.map((r) => site(r, 'main.(*Server).remember', 49)!.values));
    expect(remember.delta).toEqual(
      minus(site(refs[4], 'main.(*Server).remember', 49)!.values, site(refs[0], 'main.(*Server).remember', 49)!.values),
    );
    expect(got.totals.map).toEqual(refs.map((r) => r.totals.map));
    expect(got.totals.heap).toEqual(refs.map((r) => r.totals.heap));
    expect(got.totalsDelta.map).toEqual(minus(refs[4].totals.map, refs[0].totals.map));
  });

  it('steady_0..2: no map site changes its inuse_space and --max-growth 1KiB passes', async () => {
    const names = ['steady_0', 'steady_1', 'steady_2'];
    const { code, stdout, stderr } = await runCli([
      'diff',
      ...names.map((n) => fixture(profile(n))),
      '--max-growth',
      '1KiB',
      '--json',
    ]);
    expect([code, stderr]).toEqual([0, '']);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.sites.length).toBeGreaterThanOrEqual(4);
    for (const s of got.sites) {
      expect([s.function, s.line, s.delta!.inuse_space]).toEqual([s.function, s.line, 0]);
      // runtime/pprof's own temporary maps while writing: alloc-only, growing (corpus README).
      if (s.function !== 'main.writeHeapProfiles') expect(Object.values(s.delta!)).toEqual([0, 0, 0, 0]);
    }
    expect(got.totalsDelta.map!.inuse_space).toBe(0);
    expect(got.gate).toEqual({ maxGrowth: '1KiB', maxSiteGrowth: null, inferred: false, breaches: [] });
  });

  it('leak_0 leak_4 --max-growth 1MiB exits 1 and names the breach', async () => {
    const [first, last] = [readExpected(expected('leak_0')), readExpected(expected('leak_4'))];
    const { code, stdout, stderr } = await runCli([
      'diff',
      fixture(profile('leak_0')),
      fixture(profile('leak_4')),
      '--max-growth',
      '1MiB',
      '--json',
    ]);
    expect(code).toBe(1);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.gate.breaches).toHaveLength(1);
    const breach = got.gate.breaches[0];
    expect(breach).toMatchObject({
      option: '--max-growth',
      scope: 'map',
      function: null,
      limit: '1MiB',
      first: first.totals.map.inuse_space,
      delta: last.totals.map.inuse_space - first.totals.map.inuse_space,
    });
    expect(stderr).toBe(`mapbloat: threshold exceeded: ${breach.message}\n`);
    expect(breach.message).toMatch(/^map inuse_space grew \+\d+\.\d MiB \(\+\d+\.\d%\), more than --max-growth 1MiB$/);
  });
});

describe('diff', () => {
  const LEAK = (i: number) => fixture(`go1.24/leak_${i}.full.pb.gz`);

  it('names the breach in words a CI log reader understands', async () => {
    const { code, stdout, stderr } = await runCli([
      'diff',
      LEAK(0),
      LEAK(4),
      '--max-growth',
      '1MiB',
      '--max-site-growth',
      '50%',
    ]);
    expect(code).toBe(1);
    expect(stdout).toContain('exceeds --max-growth 1MiB, --max-site-growth 50%');
    expect(stderr).toBe(
      [
        'mapbloat: threshold exceeded: map inuse_space grew +22.1 MiB (+534.8%), more than --max-growth 1MiB',
        'mapbloat: threshold exceeded: main.(*Server).remember (mapbloat.test/leak/main.go:49) inuse_space ' +
          'grew +21.0 MiB (+698.4%), more than --max-site-growth 50%',
        'mapbloat: threshold exceeded: main.(*Server).openSession (mapbloat.test/leak/main.go:53) ' +
          'inuse_space grew +1.1 MiB (+100.0%), more than --max-site-growth 50%',
        '',
      ].join('\n'),
    );
  });

  it('a site limit in bytes: only the sites above it breach', async () => {
    const got = JSON.parse(
      (await runCli(['diff', LEAK(0), LEAK(4), '--max-site-growth', '2MB', '--json'])).stdout,
    ) as DiffJson;
    const growth = rememberInuse(4) - rememberInuse(0);
    expect(growth).toBeGreaterThan(2e6);
    expect(got.gate.breaches.map((b) => [b.function, b.line, b.delta])).toEqual([
      ['main.(*Server).remember', 49, growth],
    ]);
  });

  it('orders snapshots by profile time, whatever the argument order', async () => {
    const got = await diffJson([LEAK(4), LEAK(2), LEAK(0)]);
    expect(got.orderedBy).toBe('time');
    expect(got.snapshots.map((s) => s.source)).toEqual([LEAK(0), LEAK(2), LEAK(4)]);
    expect(got.sites[0].trend).toBe('rising');
  });

  it('falls back to argument order with a note when times are equal', async () => {
    const { code, stdout, stderr } = await runCli(['diff', LEAK(4), LEAK(4), '--json']);
    expect([code, stderr]).toEqual([
      0,
      'note: Some profiles have no time or the same time: the snapshots are taken in the order given on the ' +
        'command line.\n',
    ]);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.orderedBy).toBe('arguments');
    expect(got.sites.every((s) => s.status === 'unchanged' && s.trend === undefined)).toBe(true);
  });

  it('JSON follows mapbloat/diff@1', async () => {
    const got = await diffJson([LEAK(0), LEAK(1), LEAK(4), '--top', '2']);
    expect(Object.keys(got)).toEqual([
      'schema',
      'snapshots',
      'orderedBy',
      'sampleIndex',
      'granularity',
      'focus',
      'totals',
      'totalsDelta',
      'sites',
      'siteCounts',
      'gate',
      'notes',
    ]);
    expect(got.schema).toBe('mapbloat/diff@1');
    expect(got.snapshots).toHaveLength(3);
    expect(Object.keys(got.snapshots[0])).toEqual([
      'source',
      'timeNanos',
      'durationNanos',
      'sampleTypes',
      'defaultSampleType',
      'runtime',
      'runtimeFrames',
      'mapVisibility',
      'mainModule',
      'ownerRule',
    ]);
    expect(Object.keys(got.sites[0])).toEqual([
      'rank',
      'function',
      'file',
      'line',
      'via',
      'evidence',
      'series',
      'delta',
      'deltaPercent',
      'status',
      'trend',
      'mixed',
      'advice',
    ]);
    expect(got.siteCounts).toEqual({ total: 7, matched: 7, shown: 2 });
    const remember = got.sites[0];
    expect(remember.deltaPercent!.inuse_space).toBeCloseTo(
      (100 * (rememberInuse(4) - rememberInuse(0))) / rememberInuse(0),
      10,
    );
    // A site absent from the first snapshot is new, with a null percentage.
    const all = await diffJson([LEAK(0), LEAK(1), LEAK(4)]);
    const writer = all.sites.find((s) => s.function === 'main.writeHeapProfiles')!;
    expect([writer.status, writer.trend, writer.deltaPercent!.alloc_space, writer.series[0]!.alloc_space]).toEqual([
      'new',
      'flat',
      null,
      0,
    ]);
  });

  it('--focus and --granularity function work as in analyze', async () => {
    const got = await diffJson([LEAK(0), LEAK(4), '--focus', 'warmUp', '--granularity', 'function']);
    const warmUp = (n: number) =>
      readExpected(`go1.24/leak_${n}.full.expected.json`)
        .sites.filter((s) => s.function === 'main.warmUpProfiler')
        .reduce((sum, s) => sum + s.values.inuse_space, 0);
    expect(got.sites.map((s) => [s.function, s.line, s.series.map((v) => v!.inuse_space)])).toEqual([
      ['main.warmUpProfiler', null, [warmUp(0), warmUp(4)]],
    ]);
    expect(got.siteCounts).toEqual({ total: 5, matched: 1, shown: 1 });
  });
});

describe('diff: bad input exits 2 with one line', () => {
  const dir = '/mem/diff';
  const files = {
    [join(dir, 'alloc-only.pb')]: synthProfile(
      [
        ['alloc_objects', 'count'],
        ['alloc_space', 'bytes'],
      ],
      [
        {
          stack: [
            ['runtime.makemap', 1],
            ['main.f', 2],
          ],
          values: [1, 48],
        },
      ],
    ),
  };
  const LEAK0 = fixture('go1.24/leak_0.full.pb.gz');

  it.each([
    ['a single profile', () => ['diff', LEAK0], 'mapbloat: diff needs two or more profiles to compare, got 1'],
    ['a missing file', () => ['diff', LEAK0, 'fixtures/none.pb.gz'], 'mapbloat: fixtures/none.pb.gz: no such file'],
    [
      'profiles with other sample types',
      () => ['diff', LEAK0, join(dir, 'alloc-only.pb')],
      () =>
        `mapbloat: ${join(dir, 'alloc-only.pb')} has sample types alloc_objects/count, alloc_space/bytes but ${LEAK0} has alloc_objects/count, alloc_space/bytes, inuse_objects/count, inuse_space/bytes: diff compares profiles of one kind`,
    ],
    [
      'a malformed threshold',
      () => ['diff', LEAK0, LEAK0, '--max-growth', '5XB'],
      'mapbloat: --max-growth "5XB": expected a size (e.g. 5MiB, 512KB, 1GB; units B, KB, KiB, MB, MiB, GB, ' +
        'GiB) or a percentage (e.g. 10%)',
    ],
    [
      'a size limit on an object count',
      () => ['diff', LEAK0, LEAK0, '--max-site-growth', '1MiB', '--sample-index', 'inuse_objects'],
      'mapbloat: --max-site-growth 1MiB is a size in bytes, but inuse_objects is measured in count: give a ' +
        'plain number or a percentage',
    ],
    ['stdin twice', () => ['diff', '-', '-'], 'mapbloat: "-" (stdin) can be given only once'],
    [
      'a gate on stock profiles, whose map memory is not visible',
      () => ['diff', LEAK0, fixture('go1.24/leak_4.pb.gz'), '--max-growth', '1MiB'],
      'mapbloat: --max-growth cannot be checked: fixtures/go1.24/leak_4.pb.gz is a stock profile whose ' +
        "runtime frames are hidden, so its map memory is not visible; give the program's binary (--binary) or " +
        'its source tree (--source-path) (mapbloat analyze fixtures/go1.24/leak_4.pb.gz explains)',
    ],
  ])('%s', async (_, argv, message) => {
    const text = typeof message === 'function' ? message() : message;
    expect(await runCli(argv(), { files })).toEqual({ code: 2, stdout: '', stderr: `${text}\n` });
  });
});
