import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson, DiffJson } from '../../src/report/schema.js';
import { FIXTURES, fixture, readExpected, runCli, runJson, siteFacts } from '../helpers.js';

// Issue 4: the legacy text profile plus the program's binary recovers the frames a stock writer
// hides, exactly: X.heap.txt + bin/<scenario> must reproduce X.full.expected.json, written from a
// full-frame profile of the very same snapshot.
const VERSIONS = ['go1.19', 'go1.23', 'go1.24', 'go1.24-noswiss'];
const SNAPSHOTS = ['multi', 'grow', 'smallmaps', 'bigvalues', 'leak_0', 'leak_1', 'leak_2', 'leak_3', 'leak_4'];
const CASES = VERSIONS.flatMap((v) => SNAPSHOTS.map((s) => [v, s] as const));
const binary = (version: string, snapshot: string) => fixture(`${version}/bin/${snapshot.replace(/_\d$/, '')}.gz`);

describe.each(CASES)('%s %s', (version, snapshot) => {
  it('text + binary equals the full-frame reference exactly', async () => {
    const expected = readExpected(`${version}/${snapshot}.full.expected.json`);
    const got = await runJson([
      'analyze',
      fixture(`${version}/${snapshot}.heap.txt`),
      '--binary',
      binary(version, snapshot),
    ]);
    expect(got.totals).toEqual(expected.totals);
    expect(got.sites.map(siteFacts)).toEqual(expected.sites);
    expect(new Set(got.sites.map((s) => s.evidence))).toEqual(new Set(['binary']));
    expect(got.profile.runtime).toBe(expected.runtime);
    expect(got.profile.runtimeFrames).toBe('present');
    expect(got.notes).toEqual([]);
  });

  it('text alone: the heap totals of the protobuf, the frames hidden, the MemStats block', async () => {
    const text = readFileSync(`${FIXTURES}/${version}/${snapshot}.heap.txt`, 'utf8');
    const memstat = (name: string) => Number(new RegExp(`^# ${name} = (\\d+)$`, 'm').exec(text)![1]);
    const got = await runJson(['analyze', fixture(`${version}/${snapshot}.heap.txt`)]);
    expect(got.totals.heap).toEqual(readExpected(`${version}/${snapshot}.expected.json`).totals.heap);
    expect(got.profile.runtimeFrames).toBe('hidden');
    expect(got.notes.map((n) => n.code)).toEqual(['runtime-frames-hidden']);
    expect(got.memstats).toEqual({
      HeapAlloc: memstat('HeapAlloc'),
      HeapInuse: memstat('HeapInuse'),
      HeapIdle: memstat('HeapIdle'),
      HeapReleased: memstat('HeapReleased'),
      Sys: memstat('Sys'),
      NumGC: memstat('NumGC'),
      NextGC: memstat('NextGC'),
      mapShareOfHeapInuse: null,
    });
    expect(got.profile.timeNanos).toBe(memstat('LastGC'));
  });

  it('stock protobuf + binary: exact sites and map totals, phases from the entry point and object sizes', async () => {
    const expected = readExpected(`${version}/${snapshot}.full.expected.json`);
    const got = await runJson([
      'analyze',
      fixture(`${version}/${snapshot}.pb.gz`),
      '--binary',
      binary(version, snapshot),
    ]);
    expect(got.totals).toEqual(expected.totals);
    expect(
      got.sites.map(({ function: fn, file, line, via, values }) => ({ function: fn, file, line, via, values })),
    ).toEqual(
      expected.sites.map(({ function: fn, file, line, via, values }) => ({ function: fn, file, line, via, values })),
    );
    for (const [i, site] of got.sites.entries()) {
      expect(site.evidence).toBe('binary');
      expect(site.phasesFromSizes).toBe(true);
      // create is the entry point's (makemap); growth and overflow buckets are allocated inside
      // mapassign and told apart by their sizes, up to what the runtime allocates in passing
      // under a map call (GC work, a few hundred bytes). runtime/pprof's writer keeps maps of
      // several types under one line, which sizes cannot tell apart.
      const ref = expected.sites[i];
      expect(site.phases.create ?? null).toEqual(ref.phases.create ?? null);
      if (ref.function === 'main.writeHeapProfiles') continue;
      for (const phase of new Set([...Object.keys(site.phases), ...Object.keys(ref.phases)]) as Set<
        keyof typeof site.phases
      >) {
        const [got, want] = [site.phases[phase]?.alloc_space ?? 0, ref.phases[phase]?.alloc_space ?? 0];
        expect(Math.abs(got - want), `${ref.function}:${ref.line} ${phase}`).toBeLessThanOrEqual(
          Math.max(1024, want / 1000),
        );
      }
    }
    expect(got.profile.runtimeFrames).toBe('hidden');
    expect(got.notes.map((n) => n.code)).toEqual(['call-sites-from-binary']);
  });
});

describe('text profiles', () => {
  it.each(['go1.19', 'go1.24'])(
    '%s grow_sampled: records scaled like runtime/pprof (MemProfileRate 512 KiB)',
    async (version) => {
      const got = await runJson(['analyze', fixture(`${version}/grow_sampled.heap.txt`)]);
      expect(got.totals.heap).toEqual(readExpected(`${version}/grow_sampled.expected.json`).totals.heap);
    },
  );

  it('records in any order and frames without names', async () => {
    const text = readFileSync(`${FIXTURES}/go1.24/leak_4.heap.txt`, 'utf8');
    const [head, ...rest] = text.split('\n');
    const memStatsAt = rest.findIndex((l) => l.startsWith('# runtime.MemStats'));
    const blocks = rest
      .slice(0, memStatsAt)
      .join('\n')
      .split(/\n(?=\d+: \d+ \[)/);
    // Reversed records; every third '#' line loses its name, as the writer prints PCs it cannot name.
    let n = 0;
    const shuffled = blocks
      .reverse()
      .map((b) => b.replace(/^#\t(0x[0-9a-f]+)\t.*$/gm, (line, pc: string) => (++n % 3 === 0 ? `#\t${pc}` : line)))
      .join('\n');
    const stdin = Buffer.from([head, shuffled, ...rest.slice(memStatsAt)].join('\n'));
    expect(n).toBeGreaterThan(100);
    const alone = JSON.parse((await runCli(['analyze', '-', '--json'], { stdin })).stdout) as AnalyzeJson;
    expect(alone.totals.heap).toEqual(readExpected('go1.24/leak_4.expected.json').totals.heap);
    const withBinary = await runCli(['analyze', '-', '--binary', binary('go1.24', 'leak'), '--json'], { stdin });
    expect([withBinary.code, withBinary.stderr]).toEqual([0, '']);
    const expected = readExpected('go1.24/leak_4.full.expected.json');
    const got = JSON.parse(withBinary.stdout) as AnalyzeJson;
    expect(got.totals).toEqual(expected.totals);
    expect(got.sites.map(siteFacts)).toEqual(expected.sites);
  });

  it('diff takes text profiles and --binary, ordered by their last GC', async () => {
    const names = [4, 0, 2].map((i) => fixture(`go1.23/leak_${i}.heap.txt`));
    const got = await runJson<DiffJson>(['diff', ...names, '--binary', binary('go1.23', 'leak')]);
    expect(got.orderedBy).toBe('time');
    expect(got.snapshots.map((s) => s.source)).toEqual([0, 2, 4].map((i) => fixture(`go1.23/leak_${i}.heap.txt`)));
    const remember = got.sites.find((s) => s.function === 'main.(*Server).remember')!;
    const values = (i: number) =>
      readExpected(`go1.23/leak_${i}.full.expected.json`).sites.find((s) => s.function === 'main.(*Server).remember')!
        .values;
    expect([remember.trend, remember.evidence]).toEqual(['rising', 'binary']);
    expect(remember.series).toEqual([values(0), values(2), values(4)]);
  });

  it("the table shows the MemStats summary with the maps' share of HeapInuse", async () => {
    const { stdout } = await runCli([
      'analyze',
      fixture('go1.19/leak_4.heap.txt'),
      '--binary',
      binary('go1.19', 'leak'),
    ]);
    const expected = readExpected('go1.19/leak_4.full.expected.json');
    const text = readFileSync(`${FIXTURES}/go1.19/leak_4.heap.txt`, 'utf8');
    const heapInuse = Number(/^# HeapInuse = (\d+)$/m.exec(text)![1]);
    const share = ((100 * expected.totals.map.inuse_space) / heapInuse).toFixed(1);
    expect(stdout).toMatch(
      new RegExp(`\\n  memstats  HeapAlloc [\\d.]+ MiB · HeapInuse [\\d.]+ MiB \\(maps ${share}%\\) · HeapIdle `),
    );
    expect(stdout).toContain(' · NumGC 16 · NextGC off\n');
  });

  it('a header whose totals disagree with the records: the records count, and a note says so', async () => {
    const text = readFileSync(`${FIXTURES}/go1.19/leak_4.heap.txt`, 'utf8').replace(
      'heap profile: 554365: 38493872 [810809: 79137960] @ heap/2',
      'heap profile: 1: 2 [3: 4] @ heap/2',
    );
    const argv = ['analyze', '/mem/edited.heap.txt', '--binary', binary('go1.19', 'leak'), '--json'];
    const { code, stdout, stderr } = await runCli(argv, {
      files: { '/mem/edited.heap.txt': new TextEncoder().encode(text) },
    });
    expect([code, stderr]).toEqual([0, '']);
    const got = JSON.parse(stdout) as AnalyzeJson;
    expect(got.totals).toEqual(readExpected('go1.19/leak_4.full.expected.json').totals);
    expect(got.notes.map((n) => n.code)).toEqual(['header-disagrees']);
  });
});

describe('a binary that does not fit, or a bad text profile: exit 2 with one line', () => {
  const TEXT = fixture('go1.24/leak_4.heap.txt');
  it.each([
    [
      'another program of the same toolchain',
      ['analyze', TEXT, '--binary', fixture('go1.24/bin/multi.gz')],
      `mapbloat: ${fixture('go1.24/bin/multi.gz')}: does not match the profile: address 0x4d6ce5 is outside its code (0x401000–0x4d6a81)`,
    ],
    [
      'another program whose code covers the addresses',
      ['analyze', fixture('go1.24/grow.heap.txt'), '--binary', fixture('go1.24/bin/leak.gz')],
      `mapbloat: ${fixture('go1.24/bin/leak.gz')}: does not match the profile: at 0x4c18db the profile shows runtime/pprof.(*pcDeck).tryAdd runtime/pprof/proto.go:573, the binary runtime/pprof.printStackRecord runtime/pprof/pprof.go:558`,
    ],
    [
      'a stock protobuf with another build ID',
      ['analyze', fixture('go1.24/leak_4.pb.gz'), '--binary', fixture('go1.24/bin/grow.gz')],
      `mapbloat: ${fixture('go1.24/bin/grow.gz')}: does not match the profile: its build ID is 23480aecb061752b2e6b904547bcf1414587712c, the profile's is 5780865c04dfc0984fb0a81a9703a0dce3f64872`,
    ],
    [
      'a file that is not ELF',
      ['analyze', TEXT, '--binary', 'package.json'],
      'mapbloat: package.json: is not an ELF executable (mapbloat reads Linux Go binaries)',
    ],
    ['a missing binary', ['analyze', TEXT, '--binary', 'fixtures/nope'], 'mapbloat: fixtures/nope: no such file'],
    [
      'a directory as the binary',
      ['analyze', TEXT, '--binary', 'fixtures'],
      "mapbloat: fixtures: is a directory, not the program's executable (--binary)",
    ],
    ['stdin as the binary', ['analyze', TEXT, '--binary', '-'], 'mapbloat: --binary takes a file, not stdin'],
  ])('%s', async (_, argv, message) => {
    expect(await runCli(argv)).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
  });

  it('a truncated text profile', async () => {
    const text = readFileSync(`${FIXTURES}/go1.24/leak_4.heap.txt`);
    const cut = text.subarray(0, text.indexOf('\n', 20_000) + 1);
    const inMidLine = text.subarray(0, 20_000);
    expect(await runCli(['analyze', '-'], { stdin: inMidLine })).toEqual({
      code: 2,
      stdout: '',
      stderr: `mapbloat: stdin: truncated text heap profile: it ends in the middle of line ${inMidLine.toString().split('\n').length}\n`,
    });
    const { code, stderr } = await runCli(['analyze', '-'], { stdin: cut });
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^mapbloat: stdin: truncated text heap profile: its records add up to \d+: \d+ \[\d+: \d+\] but its header says 551252: 40718536 \[805418: 80408440\]\n$/,
    );
  });

  it('a text profile of another kind', async () => {
    const stdin = Buffer.from('goroutine profile: total 4\n1 @ 0x43d0ce 0x40b9e4\n');
    expect(await runCli(['analyze', '-'], { stdin })).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'mapbloat: stdin: a text goroutine profile, not a heap profile: take one from /debug/pprof/heap?debug=1\n',
    });
  });
});
