import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnalyzeJson, DiffJson } from '../../src/report/schema.js';
import { FakeClock, FakeInterrupt, fixture, runCli, runCliWriting } from '../helpers.js';
import { FAILED, LEAK, startProfileServer, type ProfileServer, type Reply } from '../profile-server.js';

// watch in-process: a local server serves go1.24's leak_0..4 in turn, the clock is fake (no test
// sleeps), Ctrl-C is pressed by the test, and --out writes to memory.
const BINARY = fixture('go1.24/bin/leak.gz');
const TEXT = (i: number) => fixture(`go1.24/leak_${i}.heap.txt`);
let server: ProfileServer;
let serving = false;
afterEach(async () => {
  if (serving) await server.close();
  serving = false;
});

/** A fresh server for the test; watch() starts one with the default replies unless a test did. */
async function serve(script: Reply[] = [], onRequest?: (n: number) => void): Promise<ProfileServer> {
  if (serving) await server.close();
  server = await startProfileServer(script, onRequest);
  serving = true;
  return server;
}

/** watch, in-process, against the test's server: what it printed, and the files it wrote. */
async function watch(argv: string[], script: Reply[] = [], options: Parameters<typeof runCli>[1] = {}) {
  if (!serving) await serve(script);
  return runCliWriting(['watch', server.hostPort, ...argv], options);
}

/** Map and heap inuse_space of leak_0..4, as the progress lines print them. */
const TOTALS = [
  ['4.1 MiB', '7.6 MiB'],
  ['7.2 MiB', '13.0 MiB'],
  ['14.1 MiB', '22.1 MiB'],
  ['14.3 MiB', '24.6 MiB'],
  ['26.2 MiB', '38.8 MiB'],
];
/** The progress line of tick n of `of`, `every` seconds apart from 06:30:00, which got leak_{profile}. */
function progress(n: number, of: number, { profile = n - 1, every = 10 } = {}): string {
  const time = new Date(Date.UTC(2026, 10, 22, 6, 30, (n - 1) * every)).toISOString().slice(11, 19);
  const [maps, heap] = TOTALS[profile];
  return `snapshot ${n}/${of} at ${time} UTC: maps ${maps}, heap ${heap} inuse_space`;
}
const withoutSources = (report: DiffJson) => ({
  ...report,
  snapshots: report.snapshots.map((s) => ({ ...s, source: '' })),
});

describe('watch', () => {
  it('--count 5 --every 10s --binary: five text profiles 10 s apart, and the report diff gives for them', async () => {
    await serve();
    const clock = new FakeClock();
    const got = await watch(['--count', '5', '--every', '10s', '--binary', BINARY, '--json'], [], { clock });
    expect(got.code).toBe(0);
    expect(got.stderr).toBe([1, 2, 3, 4, 5].map((n) => `${progress(n, 5)}\n`).join(''));
    expect(clock.sleeps).toEqual([10_000, 10_000, 10_000, 10_000]);
    expect(server.requests).toEqual(Array(5).fill('/debug/pprof/heap?debug=1'));
    const report = JSON.parse(got.stdout) as DiffJson;
    expect(report.snapshots.map((s) => s.source)).toEqual([1, 2, 3, 4, 5].map((n) => `${server.url}?debug=1 #${n}`));
    const files = await runCli(['diff', ...[0, 1, 2, 3, 4].map(TEXT), '--binary', BINARY, '--json']);
    expect(withoutSources(report)).toEqual(withoutSources(JSON.parse(files.stdout) as DiffJson));
    expect(report.sites[0]).toMatchObject({ function: 'main.(*Server).remember', trend: 'rising' });
  });

  it('--out saves each snapshot as fetched, named by time; `diff DIR/*` later prints the same report', async () => {
    const got = await watch(['--count', '5', '--every', '1m', '--binary', BINARY, '--out', 'snaps/']);
    const names = [0, 1, 2, 3, 4].map((i) => `snaps/heap-20261122T06${30 + i}00.000Z.txt`);
    expect(Object.keys(got.written)).toEqual(names.map((n) => join(process.cwd(), n)));
    names.forEach((name, i) =>
      expect(Buffer.from(got.written[join(process.cwd(), name)]).equals(readFileSync(LEAK(i, true)))).toBe(true),
    );
    expect(got.stderr.split('\n')[0]).toBe(
      `snapshot 1/5 at 06:30:00 UTC: maps 4.1 MiB, heap 7.6 MiB inuse_space, saved as ${names[0]}`,
    );
    const later = await runCli(['diff', ...names, '--binary', BINARY], { files: got.written });
    expect([got.code, got.stdout]).toEqual([0, later.stdout]);
    expect(got.stdout.split('\n').slice(0, 2)).toEqual([
      'mapbloat diff: 5 snapshots, by profile time',
      `   1  2026-11-22 06:19:31 UTC  ${names[0]}  maps 4.1 MiB  heap 7.6 MiB`,
    ]);
  });

  it('without --binary: the gzipped protobuf, saved as .pb.gz', async () => {
    const got = await watch(['--count', '2', '--out', 'snaps', '--json']);
    expect(got.code).toBe(0);
    expect(server.requests).toEqual(['/debug/pprof/heap', '/debug/pprof/heap']);
    expect(Object.keys(got.written)).toEqual(
      [0, 30].map((s) => join(process.cwd(), `snaps/heap-20261122T0630${String(s).padStart(2, '0')}.000Z.pb.gz`)),
    );
    expect(Buffer.from(Object.values(got.written)[1]).equals(readFileSync(LEAK(1)))).toBe(true);
  });

  it('a failed tick is reported, retried at the next, and named in the report', async () => {
    const got = await watch(
      ['--count', '5', '--every', '10s', '--binary', BINARY, '--json', '--timeout', '1s'],
      ['profile', 'fail', 'profile', 'hang'],
    );
    const url = `${server.url}?debug=1`;
    const TIMED_OUT = 'no complete response within 1s (--timeout)';
    expect(got.code).toBe(0);
    expect(got.stderr).toBe(
      [
        progress(1, 5),
        `mapbloat: snapshot 2/5 failed: ${url}: ${FAILED}; retrying at the next tick`,
        progress(3, 5, { profile: 1 }),
        `mapbloat: snapshot 4/5 failed: ${url}: ${TIMED_OUT}; retrying at the next tick`,
        progress(5, 5, { profile: 2 }),
        '',
      ].join('\n'),
    );
    const report = JSON.parse(got.stdout) as DiffJson;
    expect(report.snapshots.map((s) => s.source)).toEqual([1, 3, 5].map((n) => `${url} #${n}`));
    expect(report.notes).toEqual([
      {
        code: 'failed-fetches',
        message: `2 of 5 fetches failed; the series leaves them out: #2 (${FAILED}), #4 (${TIMED_OUT}).`,
      },
    ]);
  });

  it('the first fetch must succeed: a wrong address fails at once, exit 2', async () => {
    const got = await watch(['--count', '10'], ['notfound']);
    expect(got).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `mapbloat: ${server.url}: HTTP 404 Not Found: 404 page not found ` +
        '(is net/http/pprof imported, and served at this address?)\n',
      written: {},
    });
    expect(server.requests).toHaveLength(1);
  });
});

describe('watch as a CI gate', () => {
  it('--max-growth 5MiB: exit 1 when the series grew more, with the breach on stderr', async () => {
    const got = await watch(['--count', '5', '--binary', BINARY, '--max-growth', '5MiB', '--format', 'markdown']);
    expect(got.code).toBe(1);
    expect(got.stderr.split('\n').slice(5)).toEqual([
      'mapbloat: threshold exceeded: map inuse_space grew +22.1 MiB (+534.8%), more than --max-growth 5MiB',
      '',
    ]);
    expect(got.stdout).toContain(
      '❌ **map inuse\\_space +22.1 MiB (+534.8%) over 5 snapshots; 2 sites rising**, exceeds --max-growth 5MiB',
    );
  });

  it('--max-growth 50MiB --max-site-growth 30MiB: within, exit 0', async () => {
    const gate = ['--max-growth', '50MiB', '--max-site-growth', '30MiB'];
    const got = await watch(['--count', '5', '--binary', BINARY, ...gate, '--json']);
    expect(got.code).toBe(0);
    expect((JSON.parse(got.stdout) as DiffJson).gate).toEqual({
      maxGrowth: '50MiB',
      maxSiteGrowth: '30MiB',
      inferred: false,
      breaches: [],
    });
  });

  it('a gate on stock profiles, map memory hidden, is refused at the second snapshot, not after the soak', async () => {
    const got = await watch(['--count', '100', '--max-growth', '5MiB']);
    expect(got.code).toBe(2);
    expect(got.stderr.split('\n').slice(2)).toEqual([
      `mapbloat: --max-growth cannot be checked: ${server.url} #1 is a stock profile ` +
        'whose runtime frames are hidden, ' +
        "so its map memory is not visible; give the program's binary (--binary) or its source tree (--source-path) " +
        `(mapbloat analyze ${server.url} #1 explains)`,
      '',
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('a gate with one snapshot taken cannot pass: exit 2', async () => {
    const got = await watch(['--count', '3', '--binary', BINARY, '--max-growth', '5MiB'], ['profile', 'fail', 'fail']);
    expect([got.code, got.stdout]).toEqual([2, '']);
    expect(got.stderr.split('\n').at(-2)).toBe(
      `mapbloat: ${server.url}?debug=1: ` +
        '--max-growth cannot be checked: only one snapshot was taken, and growth needs two',
    );
  });
});

describe('Ctrl-C', () => {
  it('while waiting: the report on the snapshots so far, exit 0', async () => {
    const interrupt = new FakeInterrupt();
    const clock = new FakeClock((n) => n === 2 && interrupt.fire());
    const got = await watch(['--count', '10', '--binary', BINARY, '--json'], [], { clock, interrupt });
    expect(got.code).toBe(0);
    const every = 30; // the default
    expect(got.stderr).toBe(
      `${progress(1, 10, { every })}\n${progress(2, 10, { every })}\ninterrupted: reporting on 2 snapshots\n`,
    );
    const report = JSON.parse(got.stdout) as DiffJson;
    expect(report.snapshots).toHaveLength(2);
    expect(report.notes).toEqual([
      {
        code: 'interrupted',
        message: 'Interrupted (Ctrl-C) after 2 snapshots of the 10 asked for.',
      },
    ]);
  });

  it('during a fetch: that fetch is dropped; without --count, Ctrl-C is the expected end: no note', async () => {
    const interrupt = new FakeInterrupt();
    await serve(['profile', 'profile', 'profile', 'hang'], (n) => n === 4 && interrupt.fire());
    const got = await watch(['--every', '1s', '--json'], [], { interrupt });
    expect(got.code).toBe(0);
    expect(got.stderr.split('\n').slice(-2)).toEqual(['interrupted: reporting on 3 snapshots', '']);
    expect((JSON.parse(got.stdout) as DiffJson).notes.map((n) => n.code)).toEqual(['runtime-frames-hidden']);
  });

  it('after one snapshot: its analyze report, with a note', async () => {
    const interrupt = new FakeInterrupt();
    const got = await watch(['--binary', BINARY, '--json'], [], {
      interrupt,
      clock: new FakeClock(() => interrupt.fire()),
    });
    expect(got.code).toBe(0);
    expect(got.stderr.split('\n').slice(1)).toEqual([
      'interrupted: reporting on 1 snapshot',
      'note: one snapshot only: nothing to compare it with, so this is its analyze report',
      '',
    ]);
    const report = JSON.parse(got.stdout) as AnalyzeJson;
    expect([report.schema, report.profile.source]).toEqual(['mapbloat/analyze@1', `${server.url}?debug=1 #1`]);
  });

  it('before the first snapshot: nothing to report, exit 2', async () => {
    const interrupt = new FakeInterrupt();
    await serve(['hang'], () => interrupt.fire());
    expect(await watch([], [], { interrupt })).toEqual({
      code: 2,
      stdout: '',
      stderr: `mapbloat: ${server.url}: interrupted before the first snapshot\n`,
      written: {},
    });
  });
});

describe('the live view', () => {
  // To the first column, up over the last view, clear to the end of the screen.
  const ERASE = /\r\u001b\[\d+A\u001b\[J/;
  const env = { NO_COLOR: '1', COLUMNS: '120' };

  it('on a terminal: one view redrawn in place, then the final report where it was', async () => {
    const got = await watch(['--count', '3', '--every', '10s', '--binary', BINARY], ['profile', 'fail', 'profile'], {
      isTTY: true,
      env,
    });
    const frames = got.stdout.split(ERASE);
    const url = `${server.url}?debug=1`;
    expect(frames[0]).toBe(`mapbloat watch ${url}\n\nfetching snapshot 1/3 from ${url} …\n`);
    // Each view ends with its status line; the last frame is the final report.
    expect(frames.slice(0, -1).map((f) => f.split('\n').at(-2))).toEqual([
      `fetching snapshot 1/3 from ${url} …`,
      '1 snapshot · next at 06:30:10 UTC · Ctrl-C stops and reports',
      `fetching snapshot 2/3 from ${url} …`,
      `snapshot 2/3 failed: ${url}: ${FAILED}; retrying at the next tick`,
      `1 snapshot · 1 failed (the last, #2: ${FAILED}) · next at 06:30:20 UTC · Ctrl-C stops and reports`,
      `fetching snapshot 3/3 from ${url} …`,
    ]);
    expect(frames[1]).toMatch(new RegExp(`^mapbloat analyze ${url.replace(/[?.]/g, '\\$&')} #1\n`));
    // The terminal keeps the report a pipe would get; progress was on the view, not stderr.
    const piped = await runCli(['diff', TEXT(0), TEXT(1), '--binary', BINARY], { env });
    expect(frames.at(-1)!.replace(/http:\S+ #\d/g, 'X')).toBe(piped.stdout.replace(/fixtures\/\S+/g, 'X'));
    expect(got.stderr).toBe(`note: 1 of 3 fetches failed; the series leaves them out: #2 (${FAILED}).\n`);
  });

  it('counts the rows of a wrapped line when it moves back up', async () => {
    const got = await watch(['--count', '2', '--every', '10s', '--binary', BINARY], [], {
      isTTY: true,
      env: { NO_COLOR: '1', COLUMNS: '40' },
    });
    const [first, second] = got.stdout.split(ERASE);
    const rows = first
      .split('\n')
      .slice(0, -1)
      .reduce((n, line) => n + Math.max(1, Math.ceil([...line].length / 40)), 0);
    expect(got.stdout).toContain(`${first}\r\u001b[${rows}A\u001b[J${second}`);
    expect(rows).toBeGreaterThan(first.split('\n').length - 1);
  });

  it('colours follow the usual rules: on a terminal without NO_COLOR', async () => {
    const got = await watch(['--count', '2', '--binary', BINARY], [], { isTTY: true, env: { COLUMNS: '120' } });
    const bold = '\u001b[1mmapbloat diff: 2 snapshots, by profile time\u001b[22m';
    expect(got.stdout.split(ERASE).at(-1)).toContain(bold);
  });

  it('--json on a terminal, or any format off one: the final report only', async () => {
    const tty = await watch(['--count', '2', '--binary', BINARY, '--json'], [], { isTTY: true, env });
    expect(tty.stdout).not.toMatch(ERASE);
    expect(JSON.parse(tty.stdout)).toMatchObject({ schema: 'mapbloat/diff@1' });
    await serve();
    const piped = await watch(['--count', '2', '--binary', BINARY], [], { env });
    expect(piped.stdout).not.toContain('\u001b');
    expect(piped.stdout).toMatch(/^mapbloat diff: 2 snapshots, by profile time\n/);
  });
});

describe('watch usage', () => {
  it.each([
    [
      ['watch', 'fixtures/go1.24/leak_0.pb.gz'],
      'mapbloat: watch takes the URL of a running program (http://host:port/debug/pprof/heap, or host:port), ' +
        'not "fixtures/go1.24/leak_0.pb.gz"; mapbloat diff compares saved profiles',
    ],
    [
      ['watch', 'localhost:6060', '--count', '1'],
      "mapbloat: option '--count <n>' argument '1' is invalid. " +
        'Expected a whole number ≥ 2: a diff needs two snapshots (mapbloat analyze takes one). (see mapbloat --help)',
    ],
    [
      ['watch', 'localhost:6060', '--every', '30'],
      "mapbloat: option '--every <duration>' argument '30' is invalid. Expected a duration of at least 1ms: " +
        'a number and a unit, ms, s, m or h (500ms, 10s, 1m, 1h). (see mapbloat --help)',
    ],
    [
      ['watch', 'localhost:6060', '--max-growth', 'lots'],
      'mapbloat: --max-growth "lots": expected a size (e.g. 5MiB, 512KB, 1GB; units B, KB, KiB, MB, MiB, GB, GiB) ' +
        'or a percentage (e.g. 10%)',
    ],
  ])('%j', async (argv, line) => {
    expect(await runCli(argv)).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });
});
