import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHeapText } from '../../src/pprof/text.js';
import { FIXTURES } from '../helpers.js';
import { failure } from './craft.js';

const text = (...lines: string[]): Uint8Array => Buffer.from(`${lines.join('\n')}\n`);
const decodeError = (message: string): [string, string] => ['DecodeError', message];

// A debug=1 profile as Go writes it: records, each closed by a blank line, then MemStats.
const HEADER = 'heap profile: 1: 64 [3: 192] @ heap/2';
const RECORD = [
  '1: 64 [3: 192] @ 0x4baf38 0x4612a1',
  '#\t0x4baf37\tmain.Index[...]+0x37\t\tmapbloat.test/multi/main.go:45',
  '',
];
const MEMSTATS = [
  '',
  '# runtime.MemStats',
  '# Alloc = 64',
  '# LastGC = 1795328372774005742',
  '# PauseNs = [1 2 3]',
  '# DebugGC = false',
];

describe('parseHeapText', () => {
  it('reads a record, its frames (tab-aligned or nameless) and MemStats', () => {
    const profile = parseHeapText(text(HEADER, RECORD[0], RECORD[1], '#\t0x4612a0', '', ...MEMSTATS));
    expect(profile).toEqual({
      rate: 1,
      header: [1, 64, 3, 192],
      headerAgrees: true,
      records: [
        {
          values: [3, 192, 1, 64],
          pcs: [0x4baf38, 0x4612a1],
          shown: [
            { pc: 0x4baf37, function: 'main.Index[...]', offset: 0x37, file: 'mapbloat.test/multi/main.go', line: 45 },
            { pc: 0x4612a0, function: '', offset: null, file: '', line: 0 },
          ],
        },
      ],
      exact: null,
      // LastGC 1795328372774005742 is past 2^53: its nearest double in memStats, every digit beside.
      memStats: { Alloc: 64, LastGC: 1795328372774005760 },
      lastGcExact: 1795328372774005742n,
    });
  });

  it('reads every bundled text fixture with its header agreeing', () => {
    const profile = parseHeapText(readFileSync(`${FIXTURES}/go1.24/leak_4.heap.txt`));
    expect([profile.records.length, profile.headerAgrees, profile.header]).toEqual([
      394,
      true,
      [551252, 40718536, 805418, 80408440],
    ]);
  });
});

describe('header totals that disagree with complete records', () => {
  it('are read, and said, in the old form without frames or MemStats', () => {
    const profile = parseHeapText(
      text('heap profile: 2: 128 [900: 99999] @ heap/2', '1: 64 [3: 192] @ 0x1 0x2', '1: 64 [3: 192] @'),
    );
    expect([profile.headerAgrees, profile.records.length, profile.records[1].pcs]).toEqual([false, 2, []]);
  });

  it('are read, and said, in a debug=1 profile that ends with its MemStats', () => {
    const profile = parseHeapText(text('heap profile: 1: 64 [4: 256] @ heap/2', ...RECORD, ...MEMSTATS));
    expect([profile.headerAgrees, profile.records.length, profile.memStats?.Alloc]).toEqual([false, 1, 64]);
  });
});

describe('a profile cut short is an error', () => {
  it('in the middle of a line', () => {
    const cut = Buffer.from(text(HEADER, ...RECORD, ...MEMSTATS)).subarray(0, 50);
    expect(failure(() => parseHeapText(cut))).toEqual(
      decodeError('truncated text heap profile: it ends in the middle of line 2'),
    );
  });

  it('between records of a debug=1 profile, which Go always ends with MemStats', () => {
    const cut = text('heap profile: 2: 128 [6: 384] @ heap/2', ...RECORD);
    expect(failure(() => parseHeapText(cut))).toEqual(
      decodeError(
        'truncated text heap profile: its records add up to 1: 64 [3: 192] but its header says 2: 128 [6: 384]',
      ),
    );
  });

  it('inside the frames of its last record, even when the counts add up', () => {
    const cut = text(HEADER, RECORD[0], RECORD[1]);
    expect(failure(() => parseHeapText(cut))).toEqual(
      decodeError('truncated text heap profile: the record at line 2 ends without the blank line that closes it'),
    );
  });
});

describe('linear time on any line', () => {
  // Lines that made the old frame pattern backtrack: 4.5 s and 2.6 s for 150 KB each.
  it.each([
    ['pluses and tabs', `#\t0x1\t${'+0x1\t\t'.repeat(25_000)}x`],
    ['name-offset cells', `#\t0x1\t${'a+0x1\t'.repeat(25_000)}x`],
  ])('a 150 KB frame line of %s is refused at once', (_, line) => {
    const start = performance.now();
    const error = failure(() => parseHeapText(text(HEADER, RECORD[0], line)));
    expect(performance.now() - start).toBeLessThan(1000);
    expect(error).toEqual(
      decodeError(
        `corrupt text heap profile: line 3 is neither a record nor a frame: ${JSON.stringify(line.slice(0, 80))}`,
      ),
    );
  });

  it('a record of 60,000 PCs is read', () => {
    const pcs = Array.from({ length: 60_000 }, (_, k) => ` 0x${(k + 1).toString(16)}`).join('');
    const profile = parseHeapText(text('heap profile: 1: 64 [3: 192] @ heap/2', `1: 64 [3: 192] @${pcs}`));
    expect([profile.records[0].pcs.length, profile.records[0].pcs[59_999]]).toEqual([60_000, 60_000]);
  });
});

describe('values', () => {
  it.each([
    [
      'a count of 20 digits',
      '1: 64 [3: 19200000000000000000] @ 0x1',
      'corrupt text heap profile: line 2 is neither a record nor a frame: "1: 64 [3: 19200000000000000000] @ 0x1"',
    ],
    [
      'a count past 2^63',
      '1: 64 [3: 9223372036854775808] @ 0x1',
      'corrupt text heap profile: line 2 has a count past 2^63: 9223372036854775808',
    ],
    [
      'a negative count',
      '-1: 64 [3: 192] @ 0x1',
      'corrupt text heap profile: line 2 is neither a record nor a frame: "-1: 64 [3: 192] @ 0x1"',
    ],
    [
      'a PC of 17 hex digits',
      '1: 64 [3: 192] @ 0x10000000000000000',
      'corrupt text heap profile: line 2 is neither a record nor a frame: "1: 64 [3: 192] @ 0x10000000000000000"',
    ],
    [
      'two spaces between PCs',
      '1: 64 [3: 192] @ 0x1  0x2',
      'corrupt text heap profile: line 2 is neither a record nor a frame: "1: 64 [3: 192] @ 0x1  0x2"',
    ],
  ])('refuses %s', (_, line, message) => {
    expect(failure(() => parseHeapText(text(HEADER, line)))).toEqual(decodeError(message));
  });

  it('refuses a frame line without a line number, or with one of 11 digits', () => {
    for (const file of ['main.go', 'main.go:12345678901']) {
      const line = `#\t0x1\tmain.f+0x1\t${file}`;
      expect(failure(() => parseHeapText(text(HEADER, RECORD[0], line)))).toEqual(
        decodeError(`corrupt text heap profile: line 3 is neither a record nor a frame: ${JSON.stringify(line)}`),
      );
    }
  });

  it('keeps counts past 2^53 exactly when unscaled (heap/2: rate 1)', () => {
    const big = 2n ** 60n + 1n;
    const profile = parseHeapText(text(`heap profile: 1: ${big} [1: ${big}] @ heap/2`, `1: ${big} [1: ${big}] @ 0x1`));
    expect([profile.records[0].values, profile.exact, profile.headerAgrees]).toEqual([
      [1, 2 ** 60, 1, 2 ** 60],
      new Map([
        [1, big],
        [3, big],
      ]),
      true,
    ]);
  });

  it('scales sampled counts like runtime/pprof, in float64, with nothing kept beside them', () => {
    const profile = parseHeapText(
      text('heap profile: 1: 1048576 [1: 1048576] @ heap/1048576', '1: 1048576 [1: 1048576] @ 0x1'),
    );
    // avg size 1 MiB at rate 512 KiB: scale 1 / (1 - e^-2).
    expect([profile.rate, profile.records[0].values, profile.exact]).toEqual([524288, [1, 1212696, 1, 1212696], null]);
  });
});

describe('MemStats LastGC, the profile time', () => {
  it.each([
    ['negative', '-5'],
    ['past the year 2262', '99999999999999999999'],
    ['not a whole number', '1.5'],
  ])('is dropped when %s', (_, value) => {
    const profile = parseHeapText(text(HEADER, ...RECORD, '# runtime.MemStats', `# LastGC = ${value}`, '# NumGC = 3'));
    expect(profile.memStats).toEqual({ NumGC: 3 });
  });

  it('is kept at 0: no GC yet', () => {
    expect(parseHeapText(text(HEADER, ...RECORD, '# runtime.MemStats', '# LastGC = 0')).memStats).toEqual({
      LastGC: 0,
    });
  });
});

describe('--max-stack-depth', () => {
  it('refuses a record with more PCs than the limit before reading them', () => {
    expect(failure(() => parseHeapText(text(HEADER, '1: 64 [3: 192] @ 0x1 0x2 0x3'), { stackDepth: 2 }))).toEqual([
      'InputError',
      'the record at line 2 has a stack of more than 2 frames (--max-stack-depth): Go records at most 1024; ' +
        'raise the limit if the profile is right',
    ]);
  });

  it('refuses a record with more frame lines than the limit', () => {
    const frames = ['#\t0x1', '#\t0x2', '#\t0x3'];
    expect(failure(() => parseHeapText(text(HEADER, '1: 64 [3: 192] @ 0x1', ...frames), { stackDepth: 2 }))).toEqual([
      'InputError',
      'the record at line 2 has a stack of more than 2 frames (--max-stack-depth): Go records at most 1024; ' +
        'raise the limit if the profile is right',
    ]);
  });
});
