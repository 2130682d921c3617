import { describe, expect, it } from 'vitest';
import type { DiffJson } from '../../src/report/schema.js';
import { fixture, readExpected, runCli } from '../helpers.js';
import { synthProfile } from '../synth.js';

// Every evidence path works in diff as in analyze: stock protobufs with the program's binary
// (exact) and with its source tree (inferred), totals and the CI gate included.
const VERSIONS = ['go1.19', 'go1.23', 'go1.24', 'go1.24-noswiss'];
const pair = (v: string) => [fixture(`${v}/leak_0.pb.gz`), fixture(`${v}/leak_4.pb.gz`)];
const reference = (v: string, n: number) => readExpected(`${v}/leak_${n}.full.expected.json`).totals.map;

describe.each(VERSIONS)('%s stock leak_0 → leak_4', (v) => {
  it('--binary: the map totals are the full-frame reference, and the gate trips at 1MiB', async () => {
    const { code, stdout, stderr } = await runCli([
      'diff',
      ...pair(v),
      '--binary',
      fixture(`${v}/bin/leak.gz`),
      '--max-growth',
      '1MiB',
      '--json',
    ]);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.totals.map).toEqual([reference(v, 0), reference(v, 4)]);
    expect(got.snapshots.map((s) => s.mapVisibility)).toEqual(['exact', 'exact']);
    const growth = reference(v, 4).inuse_space - reference(v, 0).inuse_space;
    expect(got.gate.inferred).toBe(false);
    expect(got.gate.breaches.map((b) => [b.scope, b.delta])).toEqual([['map', growth]]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^mapbloat: threshold exceeded: map inuse_space grew \+\d+\.\d MiB \(\+\d+\.\d%\), more than --max-growth 1MiB\n$/,
    );
  });

  it('--binary within a limit exits 0', async () => {
    const growth = reference(v, 4).inuse_space - reference(v, 0).inuse_space;
    const { code, stderr } = await runCli([
      'diff',
      ...pair(v),
      '--binary',
      fixture(`${v}/bin/leak.gz`),
      '--max-growth',
      String(growth),
      '--json',
    ]);
    expect([code, stderr]).toEqual([0, '']);
  });

  it('--source-path: inferred totals gate too, and say so', async () => {
    const argv = ['diff', ...pair(v), '--source-path', fixture('src')];
    const { code, stdout, stderr } = await runCli([...argv, '--max-growth', '1MiB', '--json']);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.snapshots.map((s) => s.mapVisibility)).toEqual(['inferred', 'inferred']);
    // What source finds lies within the map total: the two user lines at least (their mixed line
    // split by size), the runtime/pprof and standard-library lines only with $GOROOT/src.
    got.totals.map.forEach((m, i) => {
      const lines = readExpected(`${v}/leak_${4 * i}.full.expected.json`).sites.filter(
        (s) => s.line === 49 || s.line === 53,
      );
      expect(m!.inuse_space).toBeGreaterThanOrEqual(lines.reduce((sum, s) => sum + s.values.inuse_space, 0));
      expect(m!.inuse_space).toBeLessThanOrEqual(reference(v, 4 * i).inuse_space);
    });
    expect(got.gate.inferred).toBe(true);
    expect(code).toBe(1);
    expect(stderr).toMatch(/more than --max-growth 1MiB \(inferred from the source: see the note\)\n$/);
    const within = await runCli([...argv, '--max-growth', '1GiB']);
    expect(within.code).toBe(0);
    expect(within.stdout).toContain('within --max-growth 1GiB');
  });
});

describe('diff without evidence', () => {
  it('a stock pair alone: map totals null, the delta null, the table says not visible', async () => {
    const got = JSON.parse((await runCli(['diff', ...pair('go1.24'), '--json'])).stdout) as DiffJson;
    expect(got.totals.map).toEqual([null, null]);
    expect(got.totalsDelta.map).toBeNull();
    const { stdout } = await runCli(['diff', ...pair('go1.24')]);
    expect(stdout).toContain('map inuse_space not visible: runtime frames hidden in every snapshot (see the note)');
    expect(stdout).not.toMatch(/maps 0 B/);
  });
});

// Issue #9, never a false zero: a snapshot whose maps are not visible (a stock protobuf alone)
// gives every site an unknown value there, not 0 B; neither delta, percentage nor new/gone is
// claimed across it.
describe('diff: a snapshot whose maps are not visible is unknown per site', () => {
  const STOCK0 = fixture('go1.24/leak_0.pb.gz');
  const STOCK2 = fixture('go1.24/leak_2.pb.gz');
  const STOCK4 = fixture('go1.24/leak_4.pb.gz');
  const FULL0 = fixture('go1.24/leak_0.full.pb.gz');
  const FULL4 = fixture('go1.24/leak_4.full.pb.gz');
  // A site's values in go1.24's full leak_n reference, by its line (and file, where two share it).
  const inuse = (n: number, line: number, file = 'main.go') =>
    readExpected(`go1.24/leak_${n}.full.expected.json`).sites.find((s) => s.line === line && s.file.endsWith(file))!
      .values;

  it('stock leak_0 → full leak_4, table: "not visible" first, no delta, status unknown', async () => {
    const { code, stdout } = await runCli(['diff', STOCK0, FULL4], { env: { COLUMNS: '110' } });
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'mapbloat diff: 2 snapshots, by profile time',
        '   1  2026-11-22 06:19:31 UTC  fixtures/go1.24/leak_0.pb.gz  maps not visible  heap 7.6 MiB',
        '   2  2026-11-22 06:19:32 UTC  fixtures/go1.24/leak_4.full.pb.gz  maps 26.2 MiB  heap 38.8 MiB',
        '',
        '  map inuse_space not visible: runtime frames hidden in snapshot 1 (see the note)',
        '  heap inuse_space +31.3 MiB (+413.3%)',
        '',
        '  #   owner                        location                    first       last   delta   %   series   status',
        '─'.repeat(110),
        '  1   main.(*Server).remember      leak/main.go:49       not visible   24.0 MiB       —   —   ·█       unknown',
        '  2   main.(*Server).openSession   leak/main.go:53       not visible    2.3 MiB       —   —   ·█       unknown',
        '  3   main.warmUpProfiler          leak/main.go:116      not visible    1.8 KiB       —   —   ·█       unknown',
        '  4   main.warmUpProfiler          leak/main.go:115      not visible      256 B       —   —   ·█       unknown',
        '  5   main.newServer               leak/main.go:43       not visible       48 B       —   —   ·█       unknown',
        '  6   main.newServer               leak/main.go:44       not visible       48 B       —   —   ·█       unknown',
        '  7   main.writeHeapProfiles       leak/fullprof.go:53   not visible        0 B       —   —   ·▁       unknown',
        '',
        'all 7 sites',
        '',
      ].join('\n'),
    );
    expect(stdout).not.toMatch(/ 0 B .*new|\bnew\b/);
  });

  it('stock leak_0 → full leak_4, --json: series[0] null, delta and deltaPercent null, status unknown', async () => {
    const { code, stdout } = await runCli(['diff', STOCK0, FULL4, '--json']);
    expect(code).toBe(0);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.totals.map[0]).toBeNull();
    expect(got.totalsDelta.map).toBeNull();
    expect(got.sites.map((s) => [s.function, s.line, s.series, s.delta, s.deltaPercent, s.status])).toEqual(
      [
        ['main.(*Server).remember', 49],
        ['main.(*Server).openSession', 53],
        ['main.warmUpProfiler', 116],
        ['main.warmUpProfiler', 115],
        ['main.newServer', 43],
        ['main.newServer', 44],
        ['main.writeHeapProfiles', 53, 'fullprof.go'],
      ].map(([fn, line, file]) => [fn, line, [null, inuse(4, line as number, file as string)], null, null, 'unknown']),
    );
    expect(got.sites[0].series[1]!.inuse_space).toBe(25137984);
    expect(got.sites.every((s) => s.trend === undefined)).toBe(true);
  });

  it('stock leak_0 → full leak_4, --format markdown: "not visible" and "—", never "0 B … new"', async () => {
    const { code, stdout } = await runCli(['diff', STOCK0, FULL4, '--format', 'markdown']);
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((l) => l.startsWith('| 1 |') || l.startsWith('| 7 |'));
    expect(rows).toEqual([
      '| 1 | `fixtures/go1.24/leak_0.pb.gz` | 2026-11-22 06:19:31 UTC | not visible | 7.6 MiB |',
      '| 1 | `main.(*Server).remember` | `mapbloat.test/leak/main.go:49` | not visible | 24.0 MiB | — | — | ·█ | unknown |  |',
      '| 7 | `main.writeHeapProfiles` | `mapbloat.test/leak/fullprof.go:53` | not visible | 0 B | — | — | ·▁ | unknown | ' +
        '`pprof.(*profileBuilder).emitLocation` |',
    ]);
    expect(stdout).not.toMatch(/\| 0 B \|.*\| new \|/);
  });

  it('stock leak_0 → full leak_4, --format html: null in the charts, "not visible" in the table', async () => {
    const { code, stdout } = await runCli(['diff', STOCK0, FULL4, '--format', 'html']);
    expect(code).toBe(0);
    const data = JSON.parse(/<script[^>]*id="mapbloat-data"[^>]*>([^<]*)<\/script>/.exec(stdout)![1]) as {
      sites: Array<{ series: Array<number | null> }>;
      table: { rows: Array<{ c: unknown[]; k: unknown[] }> };
    };
    expect(data.sites[0].series).toEqual([null, 25137984]);
    expect(data.table.rows[0].c.slice(3, 9)).toEqual(['not visible', '24.0 MiB', '—', '—', '·█', 'unknown']);
    expect(data.table.rows[0].k.slice(3, 7)).toEqual([null, 25137984, null, null]);
    expect(stdout).toContain('<td class="right">not visible</td>');
  });

  it('the gates are still refused, exit 2', async () => {
    const { code, stdout, stderr } = await runCli(['diff', STOCK0, FULL4, '--max-site-growth', '1MiB']);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(
      /^mapbloat: --max-site-growth cannot be checked: fixtures\/go1\.24\/leak_0\.pb\.gz is a stock/,
    );
  });

  it('full leak_0 → stock leak_4: the last is unknown, and no site is called gone', async () => {
    const got = JSON.parse((await runCli(['diff', FULL0, STOCK4, '--json'])).stdout) as DiffJson;
    const remember = got.sites.find((s) => s.line === 49)!;
    expect([remember.series, remember.delta, remember.status]).toEqual([[inuse(0, 49), null], null, 'unknown']);
    expect(got.sites.every((s) => s.status === 'unknown' && s.series[1] === null)).toBe(true);
    const { stdout } = await runCli(['diff', FULL0, STOCK4], { env: { COLUMNS: '120' } });
    expect(stdout).toContain(
      '  1   main.(*Server).remember      mapbloat.test/leak/main.go:49    3.0 MiB   not visible       —   —   █·       unknown',
    );
  });

  it('an invisible snapshot between visible ends: null there, delta and status from the ends, trend over the rest', async () => {
    const got = JSON.parse((await runCli(['diff', FULL0, STOCK2, FULL4, '--json'])).stdout) as DiffJson;
    const remember = got.sites[0];
    expect([remember.line, remember.series, remember.status, remember.trend]).toEqual([
      49,
      [inuse(0, 49), null, inuse(4, 49)],
      'grown',
      'rising',
    ]);
    expect(remember.delta!.inuse_space).toBe(inuse(4, 49).inuse_space - inuse(0, 49).inuse_space);
    const { stdout } = await runCli(['diff', FULL0, STOCK2, FULL4], { env: { COLUMNS: '120' } });
    expect(stdout).toContain(
      '  1   main.(*Server).remember      leak/main.go:49       3.0 MiB   24.0 MiB   +21.0 MiB   +698.4%   ▂·█      rising',
    );
    // The map change from the visible ends, as JSON's totalsDelta.map; the snapshot between is named.
    expect(got.totalsDelta.map!.inuse_space).toBe(got.totals.map[2]!.inuse_space - got.totals.map[0]!.inuse_space);
    expect(stdout).toContain(
      '  map inuse_space +22.1 MiB (+534.8%) over 3 snapshots; 2 sites rising; not visible in snapshot 2\n',
    );
    // Two snapshots not visible of three: one point known, no trend to tell.
    const two = JSON.parse((await runCli(['diff', STOCK0, STOCK2, FULL4, '--json'])).stdout) as DiffJson;
    expect(two.sites.map((s) => [s.series.slice(0, 2), s.status, s.trend])).toEqual(
      two.sites.map(() => [[null, null], 'unknown', 'unknown']),
    );
  });
});

describe('a snapshot that sees only linknamed map frames (partial)', () => {
  const TYPES = [
    ['inuse_objects', 'count'],
    ['inuse_space', 'bytes'],
  ] as const;
  // Stock: runtime frames hidden, reflect.mapassign_faststr kept (its linkname is reflect's).
  const stock = synthProfile(TYPES, [
    {
      stack: [
        ['reflect.mapassign_faststr', 1],
        ['main.decode', 10],
      ],
      values: [1, 4096],
    },
    { stack: [['main.handle', 20]], values: [1, 8192] },
  ]);
  // Full frames: every map allocation starts in the allocator.
  const full = synthProfile(TYPES, [
    {
      stack: [
        ['reflect.mapassign_faststr', 1],
        ['main.decode', 10],
      ],
      values: [2, 6144],
    },
    {
      stack: [
        ['runtime.mallocgc', 1],
        ['runtime.mapassign_faststr', 2],
        ['main.handle', 20],
      ],
      values: [1, 8192],
    },
  ]);
  const files = { '/mem/a.pb': stock, '/mem/b.pb': full };

  it('a site it shows has its value; one it does not show is unknown, not new', async () => {
    const { code, stdout } = await runCli(['diff', '/mem/a.pb', '/mem/b.pb', '--json'], { files });
    expect(code).toBe(0);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.snapshots.map((s) => s.mapVisibility)).toEqual(['partial', 'exact']);
    expect(got.sites.map((s) => [s.function, s.series, s.delta, s.status])).toEqual([
      ['main.handle', [null, { inuse_objects: 1, inuse_space: 8192 }], null, 'unknown'],
      [
        'main.decode',
        [
          { inuse_objects: 1, inuse_space: 4096 },
          { inuse_objects: 2, inuse_space: 6144 },
        ],
        { inuse_objects: 1, inuse_space: 2048 },
        'grown',
      ],
    ]);
  });
});

describe('a snapshot inferred from a source tree that did not find every line', () => {
  // Without $GOROOT/src the standard library's lines are not found: warmUpProfiler's maps, filed
  // under runtime/pprof and syscall, are not seen in the stock profile. Absent there is unknown,
  // not 0, and never "new": the full-frame profile of the same moment has them.
  const F = (name: string) => fixture(`go1.24/${name}`);
  const argv = ['diff', F('leak_0.pb.gz'), F('leak_0.full.pb.gz'), '--source-path', fixture('src/leak')];

  it('its absent sites are unknown; the ones it found compare', async () => {
    const { code, stdout } = await runCli([...argv, '--max-site-growth', '100%', '--json']);
    expect(code).toBe(0);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.sites.map((s) => [s.line, s.series[0] === null, s.status])).toEqual([
      [116, true, 'unknown'],
      [115, true, 'unknown'],
      [49, false, 'unchanged'],
      [53, false, 'unchanged'],
      [43, false, 'unchanged'],
      [44, false, 'unchanged'],
    ]);
  });
});
