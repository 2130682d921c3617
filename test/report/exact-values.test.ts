import { describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers.js';
import { synthProfile } from '../synth.js';

// A server allocating 10 GB/s passes 2^53 bytes of alloc_space in ten days: a number rounds
// there, and a report that adds rounded numbers is off in its last digits. JSON keeps every digit.
const HEAP: ReadonlyArray<readonly [string, string]> = [
  ['alloc_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['inuse_objects', 'count'],
  ['inuse_space', 'bytes'],
];
const BIG = 2n ** 53n + 1n; // 9007199254740993: the nearest double is 9007199254740992
const grow = (line: number, alloc: number | bigint, inuse: number) => ({
  stack: [
    ['runtime.mallocgc', 1],
    ['runtime.hashGrow', 2],
    ['runtime.mapassign_faststr', 3],
    ['main.put', line],
  ] as Array<[string, number]>,
  values: [1, alloc, 1, inuse],
});
const files = {
  '/mem/base.pb': synthProfile(HEAP, [grow(10, 1000, 100), grow(20, 3, 7)]),
  '/mem/big.pb': synthProfile(HEAP, [grow(10, BIG, 100), grow(10, BIG, 100), grow(20, 3, 7)]),
};

/** The raw digits jq ≥ 1.7 keeps: JSON.parse would round them. */
const digits = (json: string, path: RegExp): string[] => [...json.matchAll(path)].map((m) => m[1]);
/** Every integer written for alloc_space, in document order (a fraction, as in deltaPercent, is skipped). */
const ALLOC = /"alloc_space": (-?\d+)[,\n]/g;

describe('int64 values past 2^53', () => {
  it('analyze --json writes the exact sums as integer literals', async () => {
    const { code, stdout } = await runCli(['analyze', '/mem/big.pb', '--json'], { files });
    expect(code).toBe(0);
    const twice = (2n * BIG).toString(); // 18014398509481986; doubles would say ...984
    const heapTotal = (2n * BIG + 3n).toString(); // 18014398509481989
    expect(digits(stdout, ALLOC)).toEqual([
      heapTotal, // totals.heap
      heapTotal, // totals.map
      twice, // site main.put:10 values
      twice, // its grow phase
      '3', // site main.put:20 values
      '3', // its grow phase
    ]);
    // The small numbers stay plain numbers.
    expect(JSON.parse(stdout).totals.heap.inuse_space).toBe(207);
  });

  it('diff --json: series and deltas exact, the site absent from none', async () => {
    const { code, stdout } = await runCli(['diff', '/mem/base.pb', '/mem/big.pb', '--json'], { files });
    expect(code).toBe(0);
    const delta = (2n * BIG - 1000n).toString(); // 18014398509480986
    expect(digits(stdout, ALLOC)).toEqual([
      '1003', // totals.heap[0]
      (2n * BIG + 3n).toString(), // totals.heap[1]
      '1003', // totals.map[0]
      (2n * BIG + 3n).toString(), // totals.map[1]
      delta, // totalsDelta.heap
      delta, // totalsDelta.map
      '1000', // site :10 series[0]
      (2n * BIG).toString(), // site :10 series[1]
      delta, // site :10 delta
      '3', // site :20 series[0]
      '3', // series[1]
      '0', // delta
      '0', // deltaPercent
    ]);
  });

  it('the table marks a count past 2^53 as approximate and bytes in EiB at most', async () => {
    const { stdout } = await runCli(['analyze', '/mem/big.pb', '--sample-index', 'alloc_space'], {
      files,
      env: { NO_COLOR: '1' },
    });
    expect(stdout).toContain('  allocated 16.0 PiB\n');
    const huge = synthProfile(HEAP, [grow(10, 2n ** 62n, 1)]);
    const objects = synthProfile(
      [
        ['alloc_objects', 'count'],
        ['alloc_space', 'bytes'],
      ],
      [{ stack: grow(10, 0, 0).stack, values: [BIG, 8] }],
    );
    const more = { '/mem/huge.pb': huge, '/mem/objects.pb': objects };
    expect(
      (
        await runCli(['analyze', '/mem/huge.pb', '--sample-index', 'alloc_space'], {
          files: more,
          env: { NO_COLOR: '1' },
        })
      ).stdout,
    ).toContain('  allocated 4.0 EiB\n');
    expect(
      (
        await runCli(['analyze', '/mem/objects.pb', '--sample-index', 'alloc_objects'], {
          files: more,
          env: { NO_COLOR: '1' },
        })
      ).stdout,
    ).toContain('  allocated ≈9,007,199,254,740,992\n');
  });

  it("a profile's time, protobuf or text: every digit in JSON (the double is 107 ns off)", async () => {
    const time = async (argv: string[]) => digits((await runCli([...argv, '--json'])).stdout, /"timeNanos": (\d+)/g);
    // go tool pprof -raw prints this profile's time as 2026-11-22 06:19:31.594402611 UTC.
    expect(await time(['analyze', fixture('go1.24/leak_0.full.pb.gz')])).toEqual(['1795328371594402611']);
    // The text profile's time is its MemStats LastGC: `# LastGC = 1795328371573620647`.
    expect(
      await time(['analyze', fixture('go1.24/leak_0.heap.txt'), '--binary', fixture('go1.24/bin/leak.gz')]),
    ).toEqual(['1795328371573620647']);
  });
});
