import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { fixture, FIXTURES, readExpected, runCli, runJson } from '../helpers.js';

const LEAK = fixture('go1.24/leak_4.full.pb.gz');
describe('analyze options', () => {
  it('reads a profile from stdin', async () => {
    const stdin = readFileSync(`${FIXTURES}/go1.24/leak_4.full.pb.gz`);
    const got = JSON.parse((await runCli(['analyze', '-', '--json'], { stdin })).stdout) as AnalyzeJson;
    expect(got.profile.source).toBe('stdin');
    expect(got.totals).toEqual(readExpected('go1.24/leak_4.full.expected.json').totals);
  });

  it('--sample-index ranks by another sample type', async () => {
    const got = await runJson(['analyze', LEAK, '--sample-index', 'alloc_space']);
    const expected = readExpected('go1.24/leak_4.full.expected.json').sites;
    expect(got.sampleIndex).toBe('alloc_space');
    const byAlloc = [...expected].sort(
      (a, b) => b.values.alloc_space - a.values.alloc_space || a.function.localeCompare(b.function),
    );
    expect(got.sites.map((s) => [s.function, s.line, s.values.alloc_space])).toEqual(
      byAlloc.map((s) => [s.function, s.line, s.values.alloc_space]),
    );
  });

  it('--top cuts the JSON list and keeps the ranks; counts say what was cut', async () => {
    const got = await runJson(['analyze', LEAK, '--top', '2']);
    expect(got.sites.map((s) => [s.rank, s.function, s.line])).toEqual([
      [1, 'main.(*Server).remember', 49],
      [2, 'main.(*Server).openSession', 53],
    ]);
    expect(got.siteCounts).toEqual({ total: 7, matched: 7, shown: 2 });
  });

  it('--focus keeps the sites whose owner function or file matches, with their ranks', async () => {
    const got = await runJson(['analyze', LEAK, '--focus', 'warmUp|fullprof\\.go']);
    expect(got.sites.map((s) => [s.rank, s.function, s.file, s.line])).toEqual([
      [3, 'main.warmUpProfiler', 'mapbloat.test/leak/main.go', 116],
      [4, 'main.warmUpProfiler', 'mapbloat.test/leak/main.go', 115],
      [7, 'main.writeHeapProfiles', 'mapbloat.test/leak/fullprof.go', 53],
    ]);
    expect(got.siteCounts).toEqual({ total: 7, matched: 3, shown: 3 });
    expect(got.focus).toBe('warmUp|fullprof\\.go');
    // The totals stay those of the whole profile.
    expect(got.totals).toEqual(readExpected('go1.24/leak_4.full.expected.json').totals);
  });

  it("--granularity function sums an owner's lines", async () => {
    const got = await runJson(['analyze', fixture('go1.24/multi.full.pb.gz'), '--granularity', 'function']);
    const lookup = got.sites.find((s) => s.function === 'main.buildLookup')!;
    const lines = readExpected('go1.24/multi.full.expected.json').sites.filter(
      (s) => s.function === 'main.buildLookup',
    );
    expect(lines.map((s) => s.line)).toEqual([70, 68]);
    const sum = Object.fromEntries(
      Object.keys(lines[0].values).map((t) => [t, lines[0].values[t] + lines[1].values[t]]),
    );
    expect([lookup.file, lookup.line, lookup.values]).toEqual(['mapbloat.test/multi/main.go', null, sum]);
    expect(got.sites).toHaveLength(6);
    expect(got.granularity).toBe('function');
  });

  it('the table footer says what it shows and what it left out', async () => {
    const expected = readExpected('go1.24/leak_4.full.expected.json');
    const share = (100 * expected.sites[0].values.alloc_space) / expected.totals.map.alloc_space;
    const { stdout } = await runCli(['analyze', LEAK, '--top', '1', '--sample-index', 'alloc_space']);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`top 1 of 7 sites, ${share.toFixed(1)}% of map alloc_space`);
    expect(share.toFixed(1)).toBe('90.8');
  });

  it('colours only on a TTY, and never with NO_COLOR or JSON', async () => {
    const ansi = /\u001b\[/;
    expect((await runCli(['analyze', LEAK], { isTTY: true })).stdout).toMatch(ansi);
    expect((await runCli(['analyze', LEAK])).stdout).not.toMatch(ansi);
    expect((await runCli(['analyze', LEAK], { isTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ansi);
    expect((await runCli(['analyze', LEAK, '--no-color'], { isTTY: true })).stdout).not.toMatch(ansi);
    expect((await runCli(['analyze', LEAK, '--json'], { isTTY: true })).stdout).not.toMatch(ansi);
  });

  it('a stock profile: the table says map memory is not visible, the note goes to stderr', async () => {
    const { code, stdout, stderr } = await runCli(['analyze', fixture('go1.23/leak_4.pb.gz')]);
    expect(code).toBe(0);
    expect(stdout).toContain('maps      not visible: the runtime frames are hidden in this profile (see the note)');
    expect(stdout).not.toMatch(/\b0 B\b/);
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stderr).toMatch(/^note: Runtime frames hidden: Go's heap profile writer/);
    expect(stderr).toContain("text profile (/debug/pprof/heap?debug=1) together with the program's binary");
  });

  it('a stock profile in JSON: an unknown map total is null, with the runtime-frames-hidden note', async () => {
    const got = await runJson(['analyze', fixture('go1.23/leak_4.pb.gz')]);
    expect(got.profile.runtimeFrames).toBe('hidden');
    expect(got.profile.mapVisibility).toBe('none');
    expect(got.totals.map).toBeNull();
    expect(got.notes).toHaveLength(1);
    expect(got.notes[0].code).toBe('runtime-frames-hidden');
    expect(got.notes[0].message).toContain('that does not mean the maps hold none');
  });
});
