import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBinary } from '../../src/cli/input.js';
import { nodeFileSystem, nodeIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { decodeProtobuf } from '../../src/pprof/decode.js';
import { encodeProfile } from '../../src/pprof/encode.js';
import type { Func, Location, Profile } from '../../src/pprof/profile.js';
import type { DirEntry, FileStat, FileSystem } from '../../src/source/fs.js';
import { mapLines } from '../../src/source/map-lines.js';
import { candidatePaths, modulePath } from '../../src/source/resolve.js';
import { SourceTree } from '../../src/source/tree.js';
import { fixture, runCli, runCliWriting } from '../helpers.js';
import { profileWith } from '../synth.js';

// Minimal reproducers of what the property-based suite (test/fuzz/*.fuzz.test.ts) found, and of
// the hardening classes of issue #10 that had no test of their own: each asserts what a user sees.

/** A heap profile with one map sample per site (a map frame, then the site), built without an O(n²) string table. */
function mapSites(
  sites: ReadonlyArray<{ fn: string; values: readonly number[]; exact?: ReadonlyMap<number, bigint> }>,
  header: Partial<Profile> = {},
): Uint8Array {
  const fn = (name: string): Func => ({ name, systemName: name, filename: 'app/main.go', startLine: 0 });
  const locations: Location[] = [
    { address: 0, mapping: null, lines: [{ function: fn('runtime.mapassign_faststr'), line: 1 }] },
  ];
  const exact = new Map<number, bigint>();
  const values: number[] = [];
  sites.forEach((s, i) => {
    locations.push({ address: 0, mapping: null, lines: [{ function: fn(s.fn), line: 10 }] });
    for (const [k, v] of s.exact ?? []) exact.set(4 * i + k, v);
    values.push(...s.values);
  });
  const samples = {
    count: sites.length,
    stackStart: Uint32Array.from({ length: sites.length + 1 }, (_, i) => 2 * i),
    stackLocations: Uint32Array.from({ length: 2 * sites.length }, (_, k) => (k % 2 === 0 ? 0 : 1 + (k - 1) / 2)),
    values: Float64Array.from(values),
    exact: exact.size === 0 ? null : exact,
  };
  return encodeProfile(profileWith(samples, locations, header));
}

describe('silent corruption: what --output-profile writes', () => {
  it('keeps sample values past 2^53 exact (they were written rounded)', async () => {
    const big = 2n ** 53n + 1n;
    const bytes = mapSites([
      {
        fn: 'main.put',
        values: [1, Number(big), 1, Number(big)],
        exact: new Map([
          [1, big],
          [3, big],
        ]),
      },
    ]);
    const { code, written } = await runCliWriting(
      ['analyze', '/mem/big.pb', '--output-profile', '/mem/maps.pb.gz', '--json'],
      { files: { '/mem/big.pb': bytes } },
    );
    expect(code).toBe(0);
    const back = await runCli(['analyze', '/mem/maps.pb.gz', '--json'], {
      files: { '/mem/maps.pb.gz': written['/mem/maps.pb.gz'] },
    });
    expect(back.stdout).toContain('"inuse_space": 9007199254740993');
  });

  it('writes 2^63 − 1, which reads back as the number 2^63, as 2^63 − 1, not as −2^63', () => {
    const bytes = mapSites([{ fn: 'main.put', values: [1, 2, 1, 2] }], { period: 2 ** 63, timeNanos: 2 ** 63 });
    const profile = decodeProtobuf(bytes);
    expect([profile.period, profile.timeNanos]).toEqual([2 ** 63, 2 ** 63]);
    const again = decodeProtobuf(encodeProfile(profile));
    expect([again.period, again.timeNanos]).toEqual([2 ** 63, 2 ** 63]);
  });

  it('writes a mapping limit of 2^64 − 1, which reads back as the number 2^64, as 2^64 − 1, not as 0', () => {
    const mapping = { start: 0x400000, limit: 2 ** 64, offset: 0, filename: '/app', buildId: '' };
    const bytes = mapSites([{ fn: 'main.put', values: [1, 2, 1, 2] }]);
    const profile = decodeProtobuf(bytes);
    const withMapping = {
      ...profile,
      locations: profile.locations.map((l) => ({ ...l, mapping })),
      mappings: [mapping],
    };
    expect(decodeProtobuf(encodeProfile(withMapping)).mappings[0].limit).toBe(2 ** 64);
  });
});

describe("silent corruption: a text profile's exact counts", () => {
  it('a record of 2^53 + 1 objects in 0 bytes counts none, as Go scales it (the exact side table kept 2^53 + 1)', async () => {
    const text = 'heap profile: 9007199254740993: 0 [0: 0] @ heap/2\n9007199254740993: 0 [0: 0] @ 0x1\n';
    const { code, stdout } = await runCli(['analyze', '-', '--json'], { stdin: Buffer.from(text) });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).totals.heap).toEqual({
      alloc_objects: 0,
      alloc_space: 0,
      inuse_objects: 0,
      inuse_space: 0,
    });
  });
});

describe('stack traces instead of a message', () => {
  it(
    'a text profile whose sampling rate dwarfs a record: its scale is +Inf, refused (a RangeError in BigInt ' +
      'before)',
    async () => {
      const text = 'heap profile: 0: 0 [0: 0] @ heap/3\n0: 0 [9223372036854775807: 1] @\n';
      expect(await runCli(['analyze', '-'], { stdin: Buffer.from(text) })).toEqual({
        code: 2,
        stdout: '',
        stderr: 'mapbloat: stdin: corrupt text heap profile: line 2 scales past 2^63 at the sampling rate heap/3\n',
      });
    },
  );

  it('a markdown report of 150,000 sites with --top 0 (a push of one argument per row overflowed the stack)', async () => {
    const bytes = mapSites(Array.from({ length: 150_000 }, (_, i) => ({ fn: `main.f${i}`, values: [1, 8, 1, 8] })));
    const { code, stdout, stderr } = await runCli(['analyze', '/mem/many.pb', '--top', '0', '--format', 'markdown'], {
      files: { '/mem/many.pb': bytes },
    });
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout.split('\n').filter((line) => /^\| [\d,]+ \| `main\.f\d+` \|/.test(line))).toHaveLength(150_000);
  });

  it('a name of 200,000 backtick runs in markdown (Math.max over every run overflowed the stack)', async () => {
    const name = `main.${'a`'.repeat(200_000)}`;
    const { code, stdout } = await runCli(['analyze', '/mem/ticks.pb', '--format', 'markdown'], {
      files: { '/mem/ticks.pb': mapSites([{ fn: name, values: [1, 8, 1, 8] }]) },
    });
    expect(code).toBe(0);
    // Runs of one backtick: a fence of two, padded as the name ends with one.
    expect(stdout.includes(`| \`\` ${name} \`\` |`)).toBe(true);
  });

  it('a read error on stdin', async () => {
    const error = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    expect(await runCli(['analyze', '-'], { stdin: error })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mapbloat: stdin: cannot read it (EIO: i/o error, read)\n',
    });
  });
});

describe('terminal injection through stderr', () => {
  it('an argument with an escape sequence is shown escaped', async () => {
    expect(await runCli(['analyze', fixture('go1.19/multi.pb.gz'), '--top', '\u001b[2J'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "mapbloat: option '--top <n>' argument '\\x1b[2J' is invalid. Expected a whole number ≥ 0. (see " +
        'mapbloat --help)\n',
    });
  });

  it("--focus with a C1 control character, quoted in the table's last line", async () => {
    const { code, stdout } = await runCli(['analyze', fixture('go1.24/leak_0.full.pb.gz'), '--focus', '\u0085']);
    expect(code).toBe(0);
    expect(stdout.endsWith('0 of 6 sites match --focus "\\x85"\n')).toBe(true);
  });

  it('a file name with a line break stays on one line', async () => {
    expect(await runCli(['analyze', '/mem/a\nb.pb'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mapbloat: /mem/a\\x0ab.pb: no such file\n',
    });
  });
});

describe('hangs on an argument', () => {
  it('--max-growth with 500,000 blanks in it (the pattern tried every split of them)', async () => {
    const { code, stdout, stderr } = await runCli([
      'diff',
      fixture('go1.19/leak_0.full.pb.gz'),
      fixture('go1.19/leak_4.full.pb.gz'),
      '--max-growth',
      `1${' '.repeat(500_000)}x!`,
    ]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr.startsWith('mapbloat: --max-growth "1   ')).toBe(true);
    expect(
      stderr.endsWith(
        ' x!": expected a size (e.g. 5MiB, 512KB, 1GB; units B, KB, KiB, MB, MiB, GB, GiB) or a percentage ' +
          '(e.g. 10%)\n',
      ),
    ).toBe(true);
  });
});

describe('unbounded memory: inputs that do not end', () => {
  it('a device (--binary /dev/zero) is read one byte past the limit, then refused', () => {
    expect(() => nodeFileSystem.readFile('/dev/zero', 1 << 20)).toThrow(
      expect.objectContaining({ code: 'ERR_FS_FILE_TOO_LARGE' }),
    );
  });

  it('endless stdin is read one chunk past the limit, then left', async () => {
    let chunks = 0;
    // Blank lines: nothing in them refuses the stream early, so only the limit ends it.
    const stdin = new Readable({ read: () => void (chunks++, stdin.push(Buffer.alloc(64 * 1024, 0x0a))) });
    let stderr = '';
    const proc = {
      stdout: { on: () => {}, write: () => true, isTTY: false },
      stderr: { write: (t: string) => ((stderr += t), true), isTTY: false },
      stdin,
      env: {},
      cwd: () => '/',
    } as unknown as NodeJS.Process;
    expect(await run(['analyze', '-', '--max-profile-size', '1MiB'], nodeIo(proc))).toBe(2);
    expect(stderr).toBe(
      'mapbloat: stdin: the profile is larger than 1.0 MiB (--max-profile-size): raise the limit if it is real\n',
    );
    expect(stdin.destroyed).toBe(true);
    expect(chunks).toBeLessThan(40);
  });

  it('what the CLI says of a file that grew past its limit between stat and read', async () => {
    const { code, stdout, stderr } = await runCli(['analyze', fixture('go1.19/multi.pb.gz'), '--binary', '/mem/zero'], {
      fileSystem: tooLargeFileSystem('/mem/zero'),
    });
    expect([code, stdout, stderr]).toEqual([
      2,
      '',
      'mapbloat: /mem/zero: the binary is larger than 2.0 GiB (--max-binary-size): raise the limit if it is real\n',
    ]);
  });

  it('a gzipped --binary inflating past the limit is refused (it was inflated without one)', async () => {
    const bomb = gzipSync(new Uint8Array(4 << 20));
    const io = {
      fs: { ...nodeFileSystem, stat: () => ({ kind: 'file', size: bomb.length }) as FileStat, readFile: () => bomb },
      cwd: '/',
    } as unknown as Parameters<typeof readBinary>[1];
    await expect(readBinary('/mem/bomb.gz', io, { ...DEFAULT_LIMITS, binaryBytes: 1 << 20 })).rejects.toThrow(
      'the binary inflates past 1.0 MiB (--max-binary-size): raise the limit if it is real, not a gzip bomb',
    );
  });
});

/** The disk, with one path that is larger than any limit. */
function tooLargeFileSystem(path: string): FileSystem {
  return {
    ...nodeFileSystem,
    // It says it is small: it grows while it is read.
    stat: (p) => (p === path ? { kind: 'file', size: 0 } : nodeFileSystem.stat(p)),
    readFile: (p, max) => {
      if (p === path) throw Object.assign(new Error(`more than ${max} bytes`), { code: 'ERR_FS_FILE_TOO_LARGE' });
      return nodeFileSystem.readFile(p, max);
    },
  };
}

describe('hangs in the report', () => {
  it(
    'a terminal table of 20,000 sites with --top 0 (cli-table3 lays a table out in time quadratic in its rows: ' +
      'minutes)',
    async () => {
      const bytes = mapSites(Array.from({ length: 20_000 }, (_, i) => ({ fn: `main.f${i}`, values: [1, 8, 1, 8] })));
      const { code, stdout, stderr } = await runCli(['analyze', '/mem/many.pb', '--top', '0'], {
        files: { '/mem/many.pb': bytes },
      });
      expect([code, stderr]).toEqual([0, '']);
      const rows = stdout.split('\n').filter((line) => /^\s+\d+\s+main\.f/.test(line));
      expect(rows).toHaveLength(20_000);
      // One layout for all of them: every row as wide as the first.
      expect(new Set(rows.map((row) => row.indexOf('app/main.go'))).size).toBe(1);
    },
  );
});

describe('hangs in the source evidence', () => {
  it('a profile file name of "/vendor/" 200,000 times then a line break (the pattern backtracked quadratically)', () => {
    const layout = { roots: ['/src'], trimPaths: [], modules: [], modCache: '/mod', goRoot: '/goroot' };
    for (const file of [
      `${'/vendor/'.repeat(200_000)}\n`,
      `${'/src/'.repeat(200_000)}\n`,
      `${'a@v1/'.repeat(200_000)}\n`,
    ]) {
      expect(candidatePaths(file, true, layout).length).toBeGreaterThan(0);
    }
  });

  it('a go.mod of a million blank lines (one multi-line pattern over it was quadratic)', () => {
    expect(modulePath('\n'.repeat(1_000_000))).toBeNull();
    expect(modulePath(`${'\n'.repeat(100_000)}module example.com/app\n`)).toBe('example.com/app');
    expect(modulePath('go 1.22\r  module "example.com/app"  \r')).toBe('example.com/app');
  });

  it('30,000 writes to a map whose key is a struct of 30,000 fields (its type was sized at every write)', () => {
    const text = `package main\nvar m map[struct{ ${'f int; '.repeat(30_000)}}]int\nfunc f() {\n${'m[k] = 1\n'.repeat(30_000)}}\n`;
    const ops = mapLines([{ path: 'a.go', text }]).get('a.go')!;
    expect(ops.size).toBe(30_000);
    expect(ops.get(4)).toMatchObject({ phase: 'assign', mixed: false });
    expect(ops.get(30_003)).toEqual(ops.get(4));
  });

  it('120 KB of unclosed brackets, strings and comments', () => {
    for (const text of [
      'm['.repeat(60_000),
      'map['.repeat(30_000),
      '('.repeat(120_000),
      'struct{'.repeat(20_000),
      `"${'\\'.repeat(120_000)}`,
      '*'.repeat(120_000),
      'T['.repeat(60_000),
    ]) {
      expect(mapLines([{ path: 'a.go', text: `package main\nvar m map[int]int\n${text}` }]).get('a.go')).toBeInstanceOf(
        Map,
      );
    }
  });
});

describe('the source tree: what it never reads', () => {
  const fake = (entries: Record<string, FileStat & { readonly children?: readonly DirEntry[] }>) => {
    const read: string[] = [];
    const fs: FileSystem = {
      stat: (p) => entries[p] ?? null,
      readDir: (p) => {
        read.push(`dir ${p}`);
        return entries[p]?.children ?? [];
      },
      readFile: (p) => {
        read.push(`file ${p}`);
        if (entries[p]?.kind !== 'file') throw new Error(`${p} would block or never end`);
        return Buffer.from('package main\nvar m = map[int]int{}\n');
      },
      realPath: (p) => p,
    };
    return { fs, read };
  };

  it('a FIFO named like a Go file, /proc and /sys under --source-path /, a 60 MB .go file', () => {
    const { fs, read } = fake({
      '/': {
        kind: 'directory',
        size: 0,
        children: [
          { name: 'proc', kind: 'directory' },
          { name: 'sys', kind: 'directory' },
          { name: 'src', kind: 'directory' },
        ],
      },
      '/proc': { kind: 'directory', size: 0, children: [{ name: 'self', kind: 'directory' }] },
      '/sys': { kind: 'directory', size: 0, children: [] },
      '/src': {
        kind: 'directory',
        size: 0,
        children: [
          { name: 'fifo.go', kind: 'other' },
          { name: 'big.go', kind: 'file' },
          { name: 'main.go', kind: 'file' },
        ],
      },
      '/src/fifo.go': { kind: 'other', size: 0 },
      '/src/big.go': { kind: 'file', size: 60 * 1024 * 1024 },
      '/src/main.go': { kind: 'file', size: 40 },
    });
    const tree = new SourceTree({ sourcePath: '/' }, fs, '/');
    const wanted = new Map(
      ['fifo.go', 'big.go', 'main.go'].map((f) => [`/build/${f}`, { lines: new Set([2]), std: false }]),
    );
    const { stats, lookup } = tree.index(wanted);
    expect(read.filter((r) => /proc|sys|fifo|big/.test(r))).toEqual([]);
    expect(stats.skipped.tooLarge).toBe(1);
    expect(lookup('/build/main.go', 2)).toMatchObject({ phase: 'create' });
  });

  it('a profile naming /proc/self/status or /proc/self/x.go as its file: never read, without --source-path too', () => {
    const { fs, read } = fake({
      '/proc/self': { kind: 'directory', size: 0, children: [{ name: 'x.go', kind: 'file' }] },
      '/proc/self/status': { kind: 'file', size: 0 },
      '/proc/self/x.go': { kind: 'file', size: 40 },
      '/work': { kind: 'directory', size: 0, children: [] },
    });
    const tree = new SourceTree({}, fs, '/work');
    const wanted = new Map(
      ['/proc/self/status', '/proc/self/x.go'].map((f) => [f, { lines: new Set([2]), std: false }]),
    );
    const { stats } = tree.index(wanted);
    expect([read, stats.resolvedLines, stats.unresolvedLines]).toEqual([[], 0, 2]);
  });
});
