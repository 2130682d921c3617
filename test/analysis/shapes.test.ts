import { describe, expect, it } from 'vitest';
import { decodeProfile } from '../../src/pprof/decode.js';
import type { AnalyzeJson, DiffJson, SiteJson } from '../../src/report/schema.js';
import { isMapFrame } from '../../src/go/names.js';
import { sampleFrames } from '../../src/stacks/frame-table.js';
import { readFileSync } from 'node:fs';
import { FIXTURES, fixture, runCli, runJson } from '../helpers.js';

// Map shapes (docs/attribution.md §10) on the bundled scenarios, read with the programs' binaries.
// The programs' sources say how many entries each map holds (fixtures/src/*/main.go).
const VERSIONS = ['go1.19', 'go1.23', 'go1.24', 'go1.24-noswiss'];
const TRUE_ENTRIES: ReadonlyArray<readonly [snapshot: string, line: number, entries: number]> = [
  ['grow', 39, 1_000_000],
  ['multi', 45, 300_000], // presized: make(map[K]V, len(items))
  ['multi', 40, 100_000],
  ['multi', 59, 50_000],
  ['multi', 70, 10_000],
  ['smallmaps', 32, 3],
  ['bigvalues', 28, 20_000],
  ['leak_0', 49, 50_000], // 50,000 new entries a round, never evicted
  ['leak_4', 49, 250_000],
  ['leak_0', 53, 50_000], // 50,000 sessions a round; each round deletes the previous round's
  ['leak_4', 53, 50_000], // churn: 50,000 live sessions
];
const binary = (version: string, snapshot: string) => fixture(`${version}/bin/${snapshot.replace(/_\d$/, '')}.gz`);

const analyze = (argv: string[]) => runJson(['analyze', ...argv]);
const siteAt = (got: AnalyzeJson, line: number): SiteJson =>
  got.sites.find((s) => s.line === line && s.function.startsWith('main.'))!;

/**
 * The largest live object a site holds, read from the full-frame profile's samples directly: the
 * map samples whose owner line is the site, one object size per sample (inuse_space /
 * inuse_objects) — its largest table.
 */
const decoded = new Map<string, ReturnType<typeof decodeProfile>>();
function largestLiveObject(version: string, snapshot: string, line: number, owner?: string): number {
  const path = `${FIXTURES}/${version}/${snapshot}.full.pb.gz`;
  const profile = decoded.get(path) ?? decoded.set(path, decodeProfile(readFileSync(path))).get(path)!;
  const t = (name: string) => profile.sampleTypes.findIndex((s) => s.type === name);
  const [objects, space, n] = [t('inuse_objects'), t('inuse_space'), profile.sampleTypes.length];
  let largest = 0;
  for (let i = 0; i < profile.samples.count; i++) {
    const frames = sampleFrames(profile, i);
    if (!frames.some((f) => isMapFrame(f.function))) continue;
    const isOwner = (f: { function: string; file: string; line: number }) =>
      f.line === line &&
      (owner === undefined ? f.function.startsWith('main.') && f.file.endsWith('/main.go') : f.function === owner);
    if (!frames.some(isOwner)) continue;
    const [count, bytes] = [profile.samples.values[i * n + objects], profile.samples.values[i * n + space]];
    if (count > 0) largest = Math.max(largest, bytes / count);
  }
  return largest;
}

describe.each(VERSIONS)('%s, text profile + binary', (version) => {
  it.each(TRUE_ENTRIES)('%s line %i: the entry bounds hold the true count %i', async (snapshot, line, entries) => {
    const got = await analyze([fixture(`${version}/${snapshot}.heap.txt`), '--binary', binary(version, snapshot)]);
    const shape = siteAt(got, line).shape!;
    expect(shape.entries!.min).toBeLessThanOrEqual(entries);
    expect(shape.entries!.max).toBeGreaterThanOrEqual(entries);
    expect(shape.impl).toBe(version === 'go1.24' ? 'swiss' : 'hmap');
    expect(shape.type.from).toBe('binary');
  });

  it.each(TRUE_ENTRIES)(
    '%s line %i: the largest table is the largest live object of the full-frame profile',
    async (snapshot, line) => {
      const got = await analyze([fixture(`${version}/${snapshot}.heap.txt`), '--binary', binary(version, snapshot)]);
      expect(siteAt(got, line).shape!.tables[0].bytes).toBe(largestLiveObject(version, snapshot, line));
    },
  );
});

// Every site of the scenarios, not only those above: a site with a table has the full-frame
// profile's largest live object as its largest table, and entry bounds that hold its true count:
// the program's (TRUE_ENTRIES), or the standard library's (Go 1.19 fills unicode.Scripts, 156
// entries in fixtures/goroot/go1.19/src/unicode/tables.go:3655, at init). Only runtime/pprof's and
// syscall's own maps (warmUpProfiler) hold counts of the environment, unknown here. A line with
// only a map header (make, its buckets filed under the line that fills it) has no table.
const SCENARIOS = ['grow', 'multi', 'smallmaps', 'bigvalues', 'leak_0', 'leak_4'];
const STD_ENTRIES = new Map([['grow unicode.init 3655', 156]]);
const RUNTIME_FILLED = new Set(['main.warmUpProfiler']);

describe.each(VERSIONS)('%s, every site of every scenario (text profile + binary)', (version) => {
  it.each(SCENARIOS)('%s', async (snapshot) => {
    const got = await analyze([fixture(`${version}/${snapshot}.heap.txt`), '--binary', binary(version, snapshot)]);
    const withTables = got.sites.filter((s) => s.shape !== null && s.shape.tables.length > 0);
    expect(withTables.length).toBeGreaterThan(0);
    for (const site of withTables) {
      expect([site.line, site.shape!.tables[0].bytes]).toEqual([
        site.line,
        largestLiveObject(version, snapshot, site.line!, site.function),
      ]);
    }
    for (const site of got.sites.filter((s) => s.shape?.entries != null && !RUNTIME_FILLED.has(s.function))) {
      const own = TRUE_ENTRIES.find(([snap, line]) => snap === snapshot && line === site.line)?.[2];
      const count = own ?? STD_ENTRIES.get(`${snapshot} ${site.function} ${site.line}`);
      const { min, max } = site.shape!.entries!;
      expect([site.function, site.line, count !== undefined && min <= count && count <= max]).toEqual([
        site.function,
        site.line,
        true,
      ]);
    }
  });
});

describe('shapes in detail', () => {
  it('grow, Go 1.23: 2^18 buckets of 208 bytes, 278,528 with the preallocated overflow ones, grown 18 times', async () => {
    const got = await analyze([fixture('go1.23/grow.heap.txt'), '--binary', binary('go1.23', 'grow')]);
    const shape = siteAt(got, 39).shape!;
    expect(shape.type).toEqual({ name: null, key: 'string', elem: null, from: 'binary', bucketBytes: 208 });
    // 2^18 + 2^14 buckets × 208 B: runtime/map.go makeBucketArray; a page multiple already.
    expect(shape.tables).toEqual([{ buckets: 278_528, log2: 18, slots: 278_528 * 8, bytes: 57_933_824, count: 1 }]);
    expect(shape.entries).toEqual({ min: 851_969, max: 1_703_936 });
    expect([shape.growths, shape.maps]).toEqual([18, 0]);
  });

  it('smallmaps: 100,000 maps of one bucket (hmap) or one group (Swiss), their headers on the make line', async () => {
    for (const version of ['go1.23', 'go1.24']) {
      const got = await analyze([fixture(`${version}/smallmaps.heap.txt`), '--binary', binary(version, 'smallmaps')]);
      expect(siteAt(got, 32).shape!.tables).toEqual([
        { [version === 'go1.24' ? 'groups' : 'buckets']: 1, log2: 0, slots: 8, bytes: 288, count: 100_000 },
      ]);
      expect(siteAt(got, 31).shape!.maps).toBe(100_000);
    }
  });

  it('bigvalues: elems over 128 bytes live in objects of their own, one per entry', async () => {
    const got = await analyze([fixture('go1.19/bigvalues.heap.txt'), '--binary', binary('go1.19', 'bigvalues')]);
    expect(siteAt(got, 28).shape!.indirect).toEqual({ count: 20_000, bytes: 20_000 * 256 });
  });

  it('without a binary and without source, the map type is unknown: no shape', async () => {
    const got = await analyze([fixture('go1.23/grow.full.pb.gz')]);
    expect(got.sites.map((s) => s.shape)).toEqual([null, null]);
  });

  it('from source alone (a stock profile and its tree): the declared type sizes the tables', async () => {
    const got = await analyze([fixture('go1.23/leak_4.pb.gz'), '--source-path', fixture('src')]);
    const shape = siteAt(got, 49).shape!;
    // As the source spells them (fixtures/src/leak/main.go: `cache map[string][]byte`).
    expect(shape.type).toEqual({
      name: 'map[string][]byte',
      key: 'string',
      elem: '[]byte',
      from: 'source',
      bucketBytes: 336,
    });
    expect(siteAt(got, 53).shape!.type).toEqual({
      name: 'map[int64]*Session',
      key: 'int64',
      elem: '*Session',
      from: 'source',
      bucketBytes: 144,
    });
    expect(shape.entries!.max).toBeGreaterThanOrEqual(250_000);
  });
});

describe('one map runtime per profile (read without a binary)', () => {
  const IMPL: Record<string, 'hmap' | 'swiss'> = {
    'go1.19': 'hmap',
    'go1.23': 'hmap',
    'go1.24': 'swiss',
    'go1.24-noswiss': 'hmap',
  };
  it.each(VERSIONS)('%s: every site of every stock profile read with its source has the same, right one', async (v) => {
    for (const snapshot of ['grow', 'multi', 'bigvalues', 'leak_0', 'leak_4']) {
      const got = await analyze([fixture(`${v}/${snapshot}.pb.gz`), '--source-path', fixture('src')]);
      const impls = got.sites.flatMap((s) => (s.shape === null ? [] : [s.shape.impl]));
      expect(impls.length, snapshot).toBeGreaterThan(0);
      expect(new Set(impls), snapshot).toEqual(new Set([IMPL[v]]));
    }
  });

  it('go1.19 bigvalues: the buckets of line 28 read as hmap, the largest table as in the full-frame profile', async () => {
    const got = await analyze([fixture('go1.19/bigvalues.pb.gz'), '--source-path', fixture('src')]);
    const shape = siteAt(got, 28).shape!;
    expect(shape.impl).toBe('hmap');
    // 2^12 buckets + 2^8 preallocated overflow ones of 144 bytes, rounded to pages.
    expect(shape.tables).toEqual([{ buckets: 4380, log2: 12, slots: 35_040, bytes: 630_784, count: 1 }]);
    expect(shape.tables[0].bytes).toBe(largestLiveObject('go1.19', 'bigvalues', 28));
    expect(shape.entries).toEqual({ min: 0, max: 26_624 }); // holds the true 20,000
    expect(shape.indirect).toEqual({ count: 20_000, bytes: 20_000 * 256 });
    expect(siteAt(got, 24).shape!.impl).toBe('hmap');
  });

  it('deps (Go 1.19, maps inside libraries): one implementation for every row', async () => {
    const tree = `${fixture('deps/src')}:${fixture('deps/gomodcache')}`;
    const got = await analyze([fixture('deps/vendor-trimpath/vendor-trimpath.pb.gz'), '--source-path', tree]);
    expect(got.sites).toHaveLength(10);
    expect(got.sites.map((s) => s.shape?.impl)).toEqual(new Array(10).fill('hmap'));
  });

  it('sizes both implementations explain alike (map[string]string, 3 entries): unknown, no shape', async () => {
    // 288-byte blocks: an hmap bucket (272 B) and a Swiss group (264 B) of the type; 48-byte headers in both.
    for (const v of ['go1.19', 'go1.23', 'go1.24']) {
      const got = await analyze([fixture(`${v}/smallmaps.pb.gz`), '--source-path', fixture('src')]);
      expect(got.sites.map((s) => s.shape)).toEqual([null, null]);
    }
    // Go 1.24 noswiss: its 56-byte hmap header (64-byte blocks) settles it.
    const noswiss = await analyze([fixture('go1.24-noswiss/smallmaps.pb.gz'), '--source-path', fixture('src')]);
    expect(noswiss.sites.map((s) => s.shape?.impl)).toEqual(['hmap', 'hmap']);
  });
});

describe('source evidence: single buckets next to a table are overflow buckets, not tables', () => {
  const overflowInuse = (file: string, line: number): number => {
    const ref = JSON.parse(readFileSync(file, 'utf8')) as {
      sites: Array<{ line: number; phases: Record<string, { inuse_objects: number }> }>;
    };
    return ref.sites.find((s) => s.line === line)!.phases.overflow.inuse_objects;
  };

  it.each(['go1.19', 'go1.23', 'go1.24-noswiss'])('%s multi: lines 40 and 59 hold one table each', async (v) => {
    const got = await analyze([fixture(`${v}/multi.pb.gz`), '--source-path', fixture('src')]);
    for (const [line, log2] of [
      [40, 14],
      [59, 13],
    ]) {
      const shape = siteAt(got, line).shape!;
      expect(shape.tables.map((t) => [t.log2, t.count])).toEqual([[log2, 1]]);
      expect(shape.tables[0].bytes).toBe(largestLiveObject(v, 'multi', line));
      // The live overflow buckets of the full-frame reference of the same snapshot.
      expect(shape.overflowBuckets).toBe(overflowInuse(`${FIXTURES}/${v}/multi.full.expected.json`, line));
      expect(shape.entries).toEqual({ min: 0, max: 6.5 * 2 ** log2 });
    }
  });

  it('go1.23 multi line 40: 1,737 overflow buckets, as the text profile with the binary reads them', async () => {
    const source = await analyze([fixture('go1.23/multi.pb.gz'), '--source-path', fixture('src')]);
    const text = await analyze([fixture('go1.23/multi.heap.txt'), '--binary', binary('go1.23', 'multi')]);
    expect(siteAt(source, 40).shape!.overflowBuckets).toBe(1737);
    expect(siteAt(text, 40).shape!.overflowBuckets).toBe(1737);
    expect(siteAt(text, 40).shape!.tables).toEqual(siteAt(source, 40).shape!.tables);
    expect(siteAt(text, 40).shape!.entries).toEqual({ min: 53_249, max: 106_496 }); // grown: exact phases bound it
  });

  it('deps (go-cache, golang-lru): each row one table, its overflow buckets those of the reference', async () => {
    const tree = `${fixture('deps/src')}:${fixture('deps/gomodcache')}`;
    const got = await analyze([fixture('deps/vendor-trimpath/vendor-trimpath.pb.gz'), '--source-path', tree]);
    const reference = fixture('deps/vendor-trimpath/vendor-trimpath.expected.app.json');
    for (const [line, log2] of [
      [81, 13],
      [84, 12],
      [87, 12],
      [90, 11],
    ]) {
      const shape = got.sites.find((s) => s.line === line)!.shape!;
      expect(
        shape.tables.map((t) => [t.log2, t.count]),
        `line ${line}`,
      ).toEqual([[log2, 1]]);
      expect(shape.overflowBuckets, `line ${line}`).toBe(overflowInuse(reference, line));
    }
  });
});

describe('phases from sizes, a site of several map types (runtime/pprof writing a profile)', () => {
  type Phases = Record<string, Record<string, number>>;
  const reference = (version: string) =>
    (
      JSON.parse(readFileSync(`${FIXTURES}/${version}/leak_4.full.expected.json`, 'utf8')) as {
        sites: Array<{ function: string; line: number; phases: Phases }>;
      }
    ).sites.find((s) => s.function === 'main.writeHeapProfiles' && s.line === 53)!.phases;
  const site = async (version: string) =>
    (await analyze([fixture(`${version}/leak_4.pb.gz`), '--binary', binary(version, 'leak_4')])).sites.find(
      (s) => s.function === 'main.writeHeapProfiles' && s.line === 53,
    )!;
  const alloc = (phases: Partial<Phases>) =>
    Object.fromEntries(Object.entries(phases).map(([p, v]) => [p, v!.alloc_space]));

  it('go1.19: each sample read as the type its entry point and size fit: growth exactly as in full frames', async () => {
    const got = await site('go1.19');
    const want = alloc(reference('go1.19'));
    expect(want).toEqual({ create: 576, grow: 367_648, overflow: 23_536, assign: 4224 });
    const phases = alloc(got.phases);
    expect([phases.create, phases.grow]).toEqual([576, 367_648]);
    // One bucket: a first bucket or an overflow bucket; told apart by call site, not exactly.
    expect(phases.assign + phases.overflow).toBe(want.assign + want.overflow);
    expect([phases.assign, phases.overflow]).toEqual([3600, 24_160]);
    expect(got.shape!.types).toBe(3);
    expect(got.advice).toEqual([]);
  });

  it('go1.24 (Swiss): the phases of the full-frame profile exactly', async () => {
    const got = await site('go1.24');
    expect(alloc(got.phases)).toEqual(alloc(reference('go1.24')));
  });
});

describe('advice', () => {
  const advice = async (argv: string[], line: number) => siteAt(await analyze(argv), line).advice.map((a) => a.code);

  it('where the numbers support it, and only there', async () => {
    const text = (v: string, s: string) => [fixture(`${v}/${s}.heap.txt`), '--binary', binary(v, s)];
    expect(await advice(text('go1.23', 'grow'), 39)).toEqual(['presize', 'never-shrinks']);
    expect((await analyze(text('go1.23', 'grow'))).sites[0].advice[0].message).toBe(
      'grew 18 times to 2^18 buckets: make(map[string]…, 860_000) would save 55.3 MiB of garbage',
    );
    expect(await advice(text('go1.24', 'grow'), 39)).toEqual(['presize', 'never-shrinks']);
    expect(await advice(text('go1.23', 'smallmaps'), 32)).toEqual(['many-maps']);
    expect(await advice(text('go1.23', 'smallmaps'), 31)).toEqual(['many-maps']);
    // By function, a site has no line: the advice says where the maps were made accordingly.
    const byFunction = await analyze([...text('go1.24', 'smallmaps'), '--granularity', 'function']);
    expect(byFunction.sites.flatMap((s) => s.advice.map((a) => a.message))).toEqual([
      '100,000 maps made in this function are alive, each with its own header',
    ]);
    expect(await advice(text('go1.19', 'bigvalues'), 28)).toEqual(['indirect-values']);
    // Presized (no growth garbage), and grown with little garbage: no presize advice.
    expect(await advice(text('go1.23', 'multi'), 45)).toEqual(['never-shrinks']);
    expect(await advice(text('go1.23', 'multi'), 70)).toEqual([]);
  });

  it('a function filling several maps: its shape says so, and no one-map advice', async () => {
    const deps = [fixture('deps/modcache/modcache.heap.txt'), '--binary', fixture('deps/modcache/cachesrv.gz')];
    const got = await analyze([...deps, '--granularity', 'function']);
    const load = got.sites.find((s) => s.function === 'main.(*server).load')!;
    // Lines 81, 84, 87 and 90 (fixtures/deps/REFERENCE.md): go-cache's and the blobs' buckets of
    // 336 bytes (map[string]cache.Item, map[string][]uint8), golang-lru's of 208.
    expect([load.shape!.lines, load.shape!.types]).toEqual([4, 2]);
    expect(load.advice).toEqual([]);
    // By line, each of them is one map of one type.
    const byLine = await analyze(deps);
    for (const line of [81, 84, 87, 90]) {
      const shape = byLine.sites.find((s) => s.line === line)!.shape!;
      expect([shape.lines, shape.types], `line ${line}`).toEqual([1, 1]);
    }
    const { stdout } = await runCli(['analyze', ...deps, '--granularity', 'function']);
    expect(stdout).toContain('4 lines, 2 map types: largest 2^13 buckets');
  });

  it("a map made inside a library: advice names the library, not a make() the user doesn't own", async () => {
    const got = await analyze([
      fixture('deps/modcache/modcache.heap.txt'),
      '--binary',
      fixture('deps/modcache/cachesrv.gz'),
    ]);
    const at = (line: number) => got.sites.find((s) => s.line === line)!.advice.map((a) => a.message);
    expect(at(81)).toEqual([
      'grew 13 times to 2^13 buckets inside github.com/patrickmn/go-cache: a size hint there (27_000), if the ' +
        'library takes one, would save 2.8 MiB of garbage',
    ]);
    // The program's own map, grown on its own line: make() is the user's.
    expect(got.sites.find((s) => s.function.endsWith('(*Index).Add'))!.advice.map((a) => a.message)).toEqual([
      'grew 13 times to 2^13 buckets: make(map[string]…, 27_000) would save 1.7 MiB of garbage',
    ]);
  });

  it('smallmaps: counts of maps with thousands separators', async () => {
    const { stdout } = await runCli([
      'analyze',
      fixture('go1.23/smallmaps.heap.txt'),
      '--binary',
      binary('go1.23', 'smallmaps'),
    ]);
    expect(stdout).toContain('100,000 maps');
    expect(stdout).toContain('100,000 × 1 bucket');
    expect(stdout).not.toContain('100000');
  });

  it('diff: the snapshots between which a table doubled', async () => {
    const series = [0, 1, 2, 3, 4].map((i) => fixture(`go1.23/leak_${i}.heap.txt`));
    const { stdout } = await runCli(['diff', ...series, '--binary', binary('go1.23', 'leak'), '--json']);
    const remember = (JSON.parse(stdout) as DiffJson).sites.find((s) => s.line === 49)!;
    expect(remember.advice.map((a) => a.message)).toEqual([
      'table doubled between snapshot 1 and 2 (2^13 to 2^14 buckets)',
      'table doubled between snapshot 2 and 3 (2^14 to 2^15 buckets)',
      'table doubled between snapshot 4 and 5 (2^15 to 2^16 buckets)',
    ]);
  });
});
