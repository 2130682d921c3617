import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers.js';
import { synthProfile } from '../synth.js';
import { html, reportData } from './html-helpers.js';

// A delta profile's totals are net changes of either sign: no share of them means anything, so
// the table says "—" where a share would be, and the maps line says "net change" as the heap's does.
const TYPES = [
  ['inuse_objects', 'count'],
  ['inuse_space', 'bytes'],
] as const;
const profile = synthProfile(TYPES, [
  {
    stack: [
      ['runtime.mallocgc', 1],
      ['runtime.makemap', 2],
      ['main.a', 10],
    ],
    values: [1, 100],
  },
  {
    stack: [
      ['runtime.mallocgc', 1],
      ['runtime.makemap', 2],
      ['main.b', 11],
    ],
    values: [-1, -50],
  },
]);

describe('a delta profile', () => {
  it('net changes, no shares', async () => {
    const { code, stdout } = await runCli(['analyze', '/mem/delta.pb'], {
      files: { '/mem/delta.pb': profile },
      env: { NO_COLOR: '1', COLUMNS: '100' },
    });
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.filter((l) => /^ {2}(heap|maps) /.test(l))).toEqual([
      '  heap      +50 B net change (a delta profile: see the note)',
      '  maps      +50 B net change in 2 sites',
    ]);
    expect(lines.filter((l) => /^ {2}[12] /.test(l)).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['1', 'main.a', 'main/x.go:10', '100 B', '—', 'create 100%'],
      ['2', 'main.b', 'main/x.go:11', '-50 B', '—', 'create 100%'],
    ]);
    expect(lines.at(-2)).toBe('all 2 sites');
  });
});

describe('a delta profile in HTML', () => {
  it('no shares in the table either, and none to sort by', async () => {
    const page = await html(['analyze', '/mem/delta.pb'], { files: { '/mem/delta.pb': profile } });
    const table = reportData(page).table as { rows: Array<{ c: unknown[]; k: unknown[] }> };
    expect(table.rows.map((r) => [r.c[4], r.k[4]])).toEqual([
      ['—', null],
      ['—', null],
    ]);
  });
});
