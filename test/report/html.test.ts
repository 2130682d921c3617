import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { ROOT, fixture, runCli } from '../helpers.js';
import { HOSTILE, hostileProfile, html, reportData } from './html-helpers.js';

// The data a report's scripts read, as golden files (the page around it embeds uPlot, so it is
// not compared byte for byte). Regenerate after an intended change with: UPDATE_GOLDEN=1 npm test
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const LEAK = [0, 1, 2, 3, 4].map((i) => fixture(`go1.24/leak_${i}.full.pb.gz`));
/** The static table's rows as cell texts. */
function staticRows(html: string): string[][] {
  const body = /<div id="sites">.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1];
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)].map((r) =>
    [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1]),
  );
}

function golden(name: string, value: unknown): void {
  const path = join(ROOT, 'test/golden', name);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (UPDATE) writeFileSync(path, text);
  if (!existsSync(path)) throw new Error(`missing golden file ${name}: run UPDATE_GOLDEN=1 npm test`);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('--format html', () => {
  it('analyze: the data block as golden, the table rows written in the file', async () => {
    const page = await html(['analyze', fixture('go1.24/multi.full.pb.gz')]);
    golden('go1.24-multi.full.html-data.json', reportData(page));
    const rows = staticRows(page);
    expect(rows).toHaveLength(7);
    expect(rows[0]).toEqual([
      '1',
      'main.Index[...]',
      'mapbloat.test/multi/main.go:45',
      '20.0 MiB',
      '78.7%',
      '1,026',
      '20.0 MiB',
      '1,026',
      'create 100%',
    ]);
    expect(rows.map((r) => r[1])).toEqual([
      'main.Index[...]',
      'main.(*Registry).Register',
      'main.countWords.func1',
      'main.buildLookup',
      'main.buildLookup',
      'main.NewRegistry',
      'main.countWords',
    ]);
    expect(page).toContain(
      '<td class="name" title="main.Index[go.shape.int,go.shape.struct { ID int; Name string }]">main.Index[...]</td>',
    );
    expect(page).toContain('<div class="bars" id="top-sites">');
    expect(page).toContain('<div id="flame" class="flame panel">');
  });

  it('diff: breaches first, in red; the data block as golden; rising rows marked', async () => {
    const page = await html(['diff', ...LEAK, '--max-site-growth', '50%']);
    golden('diff.go1.24-leak_0-4.full.html-data.json', reportData(page));
    const breaches = page.indexOf('<div class="breaches" role="alert">');
    expect(breaches).toBeGreaterThan(0);
    expect(breaches).toBeLessThan(page.indexOf('class="headline"'));
    expect(page).toContain(
      '<li>main.(*Server).remember (mapbloat.test/leak/main.go:49) inuse_space grew +21.0 MiB (+698.4%), ' +
        'more than --max-site-growth 50%</li>',
    );
    expect(staticRows(page).map((r) => [r[1], r[8]])).toEqual([
      ['main.(*Server).remember', 'rising'],
      ['main.(*Server).openSession', 'rising'],
      ['main.warmUpProfiler', 'flat'],
      ['main.warmUpProfiler', 'flat'],
      ['main.newServer', 'flat'],
      ['main.newServer', 'flat'],
      ['main.writeHeapProfiles', 'flat (new)'],
    ]);
    expect(page.match(/<tr class="rising">/g)).toHaveLength(2);
    expect(page.match(/<span class="badge">rising<\/span>/g)).toHaveLength(2);
  });

  it.each([
    ['analyze', ['analyze', fixture('go1.24/leak_4.pb.gz'), '--source-path', fixture('src')]],
    ['diff', ['diff', ...LEAK]],
  ])('%s: self-contained, and only its own scripts may run', async (_, argv) => {
    const page = await html(argv);
    // Nothing to fetch: no src or href attribute, no url() but data:.
    expect(page.match(/\s(src|href)=/gi)).toBeNull();
    expect(page.match(/url\((?!data:)/gi)).toBeNull();
    const scripts = [...page.matchAll(/<script>(.*?)<\/script>/gs)].map((m) => m[1]);
    const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`);
    expect(page).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src ${hashes.join(' ')}">`,
    );
    expect(page.length).toBeLessThan(1024 * 1024);
  });

  it('--focus: the flame graph holds only the matching sites’ samples, and says so', async () => {
    const argv = ['analyze', fixture('go1.24/multi.full.pb.gz'), '--focus', 'buildLookup'];
    const page = await html(argv);
    const { stdout } = await runCli([...argv, '--json']);
    const sites = (JSON.parse(stdout) as AnalyzeJson).sites;
    expect(sites.map((s) => s.function)).toEqual(['main.buildLookup', 'main.buildLookup']);
    const types = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'] as const;
    const root = (reportData(page).stacks as { root: [number, number, number[]] }).root;
    expect(root[2]).toEqual(types.map((t) => sites.reduce((sum, s) => sum + s.values[t], 0)));
    expect(page).toContain(' Only the sites matching --focus &quot;buildLookup&quot;.');
  });

  it('escapes a hostile function name in the page and in its data block', async () => {
    const page = await html(['analyze', '-'], { stdin: hostileProfile() });
    // Our scripts only: the data block and the page's script.
    expect(page.match(/<script/gi)).toHaveLength(2);
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('main.&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('main.\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
    const data = reportData(page) as { table: { rows: Array<{ c: unknown[] }> } };
    expect(data.table.rows[0].c[1]).toBe(HOSTILE);
  });

  it('the file is under a megabyte for the 786k-sample profile, its flame graph bounded', async () => {
    const page = await html(['analyze', fixture('go1.24/big.full.pb.gz')]);
    const data = reportData(page) as { stacks: { names: string[] } };
    expect(page.length).toBeLessThan(1024 * 1024);
    expect(data.stacks.names).toContain('other');
  });
});
