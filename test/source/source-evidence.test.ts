import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson, DiffJson } from '../../src/report/schema.js';
import { FIXTURES, ROOT, fixture, readExpected, runCli, runJson } from '../helpers.js';
import { mapLines } from '../../src/source/map-lines.js';
import { ProfileType, synthProfile } from '../synth.js';

const HEAP_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['alloc_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['inuse_objects', 'count'],
  ['inuse_space', 'bytes'],
];

// Issue 5: a stock protobuf profile plus the program's source tree. The standard library's
// unicode/tables.go (Go 1.19.8) stands in for $GOROOT/src: go1.19's grow has a unicode.init site.
const SOURCE_PATH = `${fixture('src')}:${fixture('goroot/go1.19/src')}`;
const VERSIONS = ['go1.19', 'go1.23', 'go1.24', 'go1.24-noswiss'];
const SNAPSHOTS = [
  'multi',
  'grow',
  'smallmaps',
  'bigvalues',
  'deleted',
  'prealloc',
  'syncmap',
  'grow_sampled',
  'steady_0',
  'steady_2',
  'leak_0',
  'leak_4',
];

describe.each(VERSIONS.flatMap((v) => SNAPSHOTS.map((s) => [v, s] as const)))(
  '%s %s.pb.gz --source-path',
  (version, snapshot) => {
    it('reports every via-null owner site of the reference from source, and no other line', async () => {
      const expected = readExpected(`${version}/${snapshot}.full.expected.json`).sites.filter((s) => s.via === null);
      const got = await runJson(['analyze', fixture(`${version}/${snapshot}.pb.gz`), '--source-path', SOURCE_PATH]);
      expect(got.sites.map((s) => [s.function, s.file, s.line])).toEqual(
        expect.arrayContaining(expected.map((s) => [s.function, s.file, s.line])),
      );
      expect(got.sites).toHaveLength(expected.length);
      for (const ref of expected) {
        const site = got.sites.find((s) => s.function === ref.function && s.line === ref.line)!;
        expect(site.evidence).toBe('source');
        for (const [type, value] of Object.entries(ref.values)) expect(site.values[type]).toBeGreaterThanOrEqual(value);
        if (!site.mixed) expect(site.values).toEqual(ref.values);
        expect(Object.keys(site.phases).every((p) => ['create', 'assign', 'clone'].includes(p))).toBe(true);
      }
      expect(got.source).toMatchObject({ roots: SOURCE_PATH.split(':'), unresolvedLines: expect.any(Number) });
    });
  },
);

describe('source evidence', () => {
  it.each(VERSIONS)(
    '%s: a line that also allocates non-map memory is split by object size, exactly',
    async (version) => {
      // s.sessions[id] = &Session{ID: id}: 250,000 Session objects (24 bytes) share the line with
      // the map's tables and buckets, whose sizes follow from map[int64]*Session.
      const got = await runJson(['analyze', fixture(`${version}/leak_4.pb.gz`), '--source-path', SOURCE_PATH]);
      const sessions = got.sites.find((s) => s.line === 53)!;
      const ref = readExpected(`${version}/leak_4.full.expected.json`).sites.find((s) => s.line === 53)!;
      expect([sessions.function, sessions.mixed, sessions.evidence]).toEqual([
        'main.(*Server).openSession',
        false,
        'source',
      ]);
      expect(sessions.values).toEqual(ref.values);
      expect(got.sites.filter((s) => s.mixed)).toEqual([]);
    },
  );

  it('sizes that cannot be told apart keep the line whole and mixed: a generic map type is not sized', () => {
    const types = (text: string) =>
      [
        ...mapLines([{ path: 'a.go', text }])
          .get('a.go')!
          .values(),
      ].map((op) => [op.mixed, op.types !== null]);
    expect(types('package p\nfunc f[K comparable, V any](m map[K]V, k K, v V) { m[k] = v; _ = new(int) }\n')).toEqual([
      [true, false],
    ]);
    expect(
      types('package p\ntype S struct{ A int; B string }\nvar m map[int]*S\nfunc f(i int) { m[i] = &S{A: i} }\n'),
    ).toEqual([[true, true]]);
  });

  it('a line whose map allocates nothing is no site: m[k+"x"] = v into a presized map', async () => {
    const source =
      'package main\n\nvar m = make(map[string]int, 1000)\n\nfunc put(k string, v int) {\n\tm[k+"x"] = v\n}\n';
    // The stock profile of that line: only the concatenated keys (16-byte strings).
    const profile = synthProfile(
      HEAP_TYPES,
      [
        {
          stack: [
            ['main.put', 6],
            ['main.main', 20],
          ],
          values: [1000, 16000, 1000, 16000],
        },
      ],
      'mapbloat.test/concat/',
    );
    const files = {
      '/mem/concat/main.go': source,
      '/mem/concat/go.mod': 'module mapbloat.test/concat\n',
      '/mem/concat.pb': profile,
    };
    const { stdout } = await runCli(['analyze', '/mem/concat.pb', '--source-path', '/mem/concat', '--json'], { files });
    const got = JSON.parse(stdout) as AnalyzeJson;
    expect([got.sites, got.source!.resolvedLines, got.totals.map]).toEqual([
      [],
      1,
      { alloc_objects: 0, alloc_space: 0, inuse_objects: 0, inuse_space: 0 },
    ]);
  });

  it('frame evidence wins: a full-frame profile is attributed from its frames alone', async () => {
    const got = await runJson(['analyze', fixture('go1.24/leak_4.full.pb.gz'), '--source-path', SOURCE_PATH]);
    expect(got.sites.map((s) => s.evidence)).toEqual(
      readExpected('go1.24/leak_4.full.expected.json').sites.map(() => 'frames'),
    );
    expect(got.totals).toEqual(readExpected('go1.24/leak_4.full.expected.json').totals);
  });

  it('diff reads the source of every snapshot', async () => {
    const got = await runJson<DiffJson>([
      'diff',
      fixture('go1.23/leak_0.pb.gz'),
      fixture('go1.23/leak_4.pb.gz'),
      '--source-path',
      SOURCE_PATH,
    ]);
    const value = (i: number) =>
      readExpected(`go1.23/leak_${i}.full.expected.json`).sites.find((s) => s.line === 49)!.values.inuse_space;
    const remember = got.sites.find((s) => s.line === 49)!;
    expect([remember.evidence, remember.status, remember.delta!.inuse_space]).toEqual([
      'source',
      'grown',
      value(4) - value(0),
    ]);
    expect(got.sites.find((s) => s.line === 53)!.mixed).toBe(false);
  });
});

describe('finding the files', () => {
  const leakSource = join(FIXTURES, 'src/leak');

  it('absolute build paths with --trim-path', async () => {
    // The same profile as built without -trimpath, in /build/src/leak.
    const message = ProfileType.toObject(
      ProfileType.decode(gunzipSync(readFileSync(join(FIXTURES, 'go1.24/leak_4.pb.gz')))),
      { longs: Number },
    ) as {
      string_table: string[];
    };
    message.string_table = message.string_table.map((s) => s.replace(/^mapbloat\.test\/leak\//, '/build/src/leak/'));
    const heap = ProfileType.encode(ProfileType.fromObject(message)).finish();
    const got = await runJson(
      ['analyze', '/mem/heap.pb', '--source-path', leakSource, '--trim-path', '/build/src/leak'],
      {
        files: { '/mem/heap.pb': heap },
      },
    );
    expect(got.sites.map((s) => [s.file, s.line, s.evidence])).toEqual([
      ['/build/src/leak/main.go', 49, 'source'],
      ['/build/src/leak/main.go', 53, 'source'],
      ['/build/src/leak/main.go', 43, 'source'],
      ['/build/src/leak/main.go', 44, 'source'],
    ]);
    expect(got.source!.resolvedFiles).toBe(2);
    expect(got.source!.unresolvedFiles).not.toContain('/build/src/leak/main.go');
  });

  it('module-relative names by the longest path suffix, without a go.mod', async () => {
    const files = { '/mem/checkout/leak/main.go': readFileSync(join(leakSource, 'main.go')) };
    const got = await runJson(['analyze', fixture('go1.24/leak_4.pb.gz'), '--source-path', '/mem/checkout'], { files });
    expect(got.sites.map((s) => s.line)).toEqual([49, 53, 43, 44]);
    expect(got.source!.resolvedFiles).toBe(1);
    expect(got.source!.unresolvedFiles[0]).toBe('mapbloat.test/leak/fullprof.go');
  });

  it('a missing source tree: exit 0, and the report says what it could not find', async () => {
    const { code, stdout, stderr } = await runCli([
      'analyze',
      fixture('go1.24/leak_4.pb.gz'),
      '--source-path',
      'no/such/dir',
    ]);
    expect([code, stderr.startsWith('note: Runtime frames hidden')]).toEqual([0, true]);
    expect(stdout).toContain(
      '  sources   0 of 108 profile lines found in 0 files under no/such/dir; not found: ' +
        'mapbloat.test/leak/main.go, mapbloat.test/leak/fullprof.go, runtime/pprof/pprof.go (+23 more); 98 ' +
        'lines of the standard library need $GOROOT/src on the path\n',
    );
    const got = await runJson(['analyze', fixture('go1.24/leak_4.pb.gz'), '--source-path', 'no/such/dir']);
    expect(got.source).toMatchObject({
      roots: ['no/such/dir'],
      resolvedFiles: 0,
      resolvedLines: 0,
      unresolvedLines: 108,
      unresolvedStdLines: 98,
    });
    expect(got.source!.unresolvedFiles.slice(0, 3)).toEqual([
      'mapbloat.test/leak/main.go',
      'mapbloat.test/leak/fullprof.go',
      'runtime/pprof/pprof.go',
    ]);
    expect(got.source!.unresolvedFiles).toHaveLength(10);
    expect(got.sites).toEqual([]);
  });

  it('without --source-path: the current directory and its go.mod', () => {
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/mapbloat.js'), 'analyze', join(FIXTURES, 'go1.24/leak_4.pb.gz'), '--json'],
      {
        cwd: leakSource,
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(0);
    const got = JSON.parse(result.stdout) as AnalyzeJson;
    expect(got.sites.map((s) => [s.line, s.evidence])).toEqual([
      [49, 'source'],
      [53, 'source'],
      [43, 'source'],
      [44, 'source'],
    ]);
    expect(got.source!.roots).toEqual(['.']);
  });
});
