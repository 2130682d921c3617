import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, fixture, runCli } from '../helpers.js';

// Golden files per fixture × flags (pprof's testdata/pprof.heap.flat.inuse_objects.text style).
// Regenerate after an intended change with: UPDATE_GOLDEN=1 npm test
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN = join(ROOT, 'test/golden');

const cases: Array<[golden: string, argv: string[], env?: Record<string, string>]> = [
  ['go1.24-multi.full.table.txt', ['analyze', fixture('go1.24/multi.full.pb.gz')]],
  ['go1.24-multi.full.markdown.md', ['analyze', fixture('go1.24/multi.full.pb.gz'), '--format', 'markdown']],
  ['go1.19-syncmap.full.table.txt', ['analyze', fixture('go1.19/syncmap.full.pb.gz')]],
  ['go1.19-syncmap.full.markdown.md', ['analyze', fixture('go1.19/syncmap.full.pb.gz'), '--format', 'markdown']],
  [
    'go1.23-leak_4.full.sample_index=inuse_objects.top=3.table.txt',
    ['analyze', fixture('go1.23/leak_4.full.pb.gz'), '--sample-index', 'inuse_objects', '--top', '3'],
  ],
  ['go1.23-leak_4.stock.markdown.md', ['analyze', fixture('go1.23/leak_4.pb.gz'), '--format', 'markdown']],
  [
    'go1.19-leak_4.heap.txt.binary.table.txt',
    ['analyze', fixture('go1.19/leak_4.heap.txt'), '--binary', fixture('go1.19/bin/leak.gz')],
  ],
  [
    'go1.24-multi.stock.binary.markdown.md',
    ['analyze', fixture('go1.24/multi.pb.gz'), '--binary', fixture('go1.24/bin/multi.gz'), '--format', 'markdown'],
  ],
  [
    'go1.24-leak_4.stock.source-path.table.txt',
    ['analyze', fixture('go1.24/leak_4.pb.gz'), '--source-path', fixture('src')],
  ],
  [
    'diff.go1.24-leak_0-4.full.table.txt',
    ['diff', ...[0, 1, 2, 3, 4].map((i) => fixture(`go1.24/leak_${i}.full.pb.gz`))],
  ],
  [
    'diff.go1.24-leak_0-4.full.markdown.md',
    ['diff', ...[0, 1, 2, 3, 4].map((i) => fixture(`go1.24/leak_${i}.full.pb.gz`)), '--format', 'markdown'],
  ],
  [
    'diff.go1.19-leak_0,4.full.max-growth=1MiB.max-site-growth=50%.markdown.md',
    [
      'diff',
      fixture('go1.19/leak_0.full.pb.gz'),
      fixture('go1.19/leak_4.full.pb.gz'),
      '--max-growth',
      '1MiB',
      '--max-site-growth',
      '50%',
      '--format',
      'markdown',
    ],
  ],
  ['diff.go1.23-steady_0-2.stock.table.txt', ['diff', ...[0, 1, 2].map((i) => fixture(`go1.23/steady_${i}.pb.gz`))]],
  // Fitted to a terminal: COLUMNS=80 and 120.
  ...[80, 120].flatMap((columns): typeof cases => [
    [
      `go1.19-leak_4.heap.txt.binary.columns=${columns}.table.txt`,
      ['analyze', fixture('go1.19/leak_4.heap.txt'), '--binary', fixture('go1.19/bin/leak.gz')],
      { COLUMNS: `${columns}` },
    ],
    [
      `go1.19-syncmap.full.columns=${columns}.table.txt`,
      ['analyze', fixture('go1.19/syncmap.full.pb.gz')],
      { COLUMNS: `${columns}` },
    ],
    [
      `diff.go1.24-leak_0-4.full.columns=${columns}.table.txt`,
      ['diff', ...[0, 1, 2, 3, 4].map((i) => fixture(`go1.24/leak_${i}.full.pb.gz`))],
      { COLUMNS: `${columns}` },
    ],
  ]),
];

describe('golden output (NO_COLOR)', () => {
  it.each(cases)('%s', async (golden, argv, env = {}) => {
    const { code, stdout } = await runCli(argv, { isTTY: true, env: { NO_COLOR: '1', ...env } });
    if (env.COLUMNS !== undefined)
      for (const line of stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(Number(env.COLUMNS));
    expect(code).toBe(argv.includes('--max-growth') ? 1 : 0);
    const path = join(GOLDEN, golden);
    if (UPDATE || !existsSync(path)) {
      if (!UPDATE) throw new Error(`missing golden file ${golden}: run UPDATE_GOLDEN=1 npm test`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, stdout);
    }
    expect(stdout).toBe(readFileSync(path, 'utf8'));
  });
});
