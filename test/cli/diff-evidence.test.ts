import { describe, expect, it } from 'vitest';
import type { DiffJson } from '../../src/report/schema.js';
import { fixture, readExpected, runCli } from '../helpers.js';

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
