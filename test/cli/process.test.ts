import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { FIXTURES, ROOT, readExpected } from '../helpers.js';

// The built bin/mapbloat.js in a real process (npm test builds it first: see "pretest").
function mapbloat(args: string[], input?: Buffer) {
  return spawnSync(process.execPath, [join(ROOT, 'bin/mapbloat.js'), ...args], {
    cwd: ROOT,
    input,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
  });
}

describe('bin/mapbloat.js', () => {
  it('analyzes a fixture from stdin into JSON', () => {
    const result = mapbloat(['analyze', '-', '--json'], readFileSync(join(FIXTURES, 'go1.19/grow.full.pb.gz')));
    expect([result.status, result.stderr]).toEqual([0, '']);
    const got = JSON.parse(result.stdout) as AnalyzeJson;
    const expected = readExpected('go1.19/grow.full.expected.json');
    expect(got.totals).toEqual(expected.totals);
    expect(got.sites.map((s) => [s.function, s.line, s.values])).toEqual(
      expected.sites.map((s) => [s.function, s.line, s.values]),
    );
  });

  it('prints the table without colours to a pipe, and exits 2 with one line on bad input', () => {
    const ok = mapbloat(['analyze', 'fixtures/go1.19/grow.full.pb.gz']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^mapbloat analyze fixtures\/go1\.19\/grow\.full\.pb\.gz\n/);
    expect(ok.stdout).not.toContain('\u001b[');
    const bad = mapbloat(['analyze', 'fixtures/no-such.pb.gz']);
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([2, '', 'mapbloat: fixtures/no-such.pb.gz: no such file\n']);
  });

  it('a directory redirected to stdin is named, not read as an empty input', () => {
    const fd = openSync(FIXTURES, 'r');
    try {
      const result = spawnSync(process.execPath, [join(ROOT, 'bin/mapbloat.js'), 'analyze', '-'], {
        cwd: ROOT,
        stdio: [fd, 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      expect([result.status, result.stdout, result.stderr]).toEqual([
        2,
        '',
        'mapbloat: stdin: is a directory, not a file\n',
      ]);
    } finally {
      closeSync(fd);
    }
  });
});
