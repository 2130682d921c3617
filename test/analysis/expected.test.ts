import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { fixture, profilesWithExpected, readExpected, runCli } from '../helpers.js';

// docs/attribution.md §2-§7 against the corpus' reference attributions: every bundled profile, every value.
const cases = profilesWithExpected();

describe('analyze --json equals the reference attribution', () => {
  it('covers every Go version, full-frame and stock, and the scenarios the issue names', () => {
    const names = cases.map(([p]) => p);
    for (const version of ['go1.19', 'go1.23', 'go1.24', 'go1.24-noswiss']) {
      for (const scenario of ['multi', 'grow', 'smallmaps', 'syncmap', 'bigvalues', 'deleted']) {
        expect(names).toContain(`${version}/${scenario}.pb.gz`);
        expect(names).toContain(`${version}/${scenario}.full.pb.gz`);
        expect(names).toContain(`${version}-fullstack/${scenario}.pb.gz`);
      }
    }
    expect(cases.length).toBe(200);
  });

  // Every owner in the bundled profiles is in package main: both owner rules give the reference.
  it.each(cases.flatMap(([p, e]) => [[p, e, 'app'] as const, [p, e, 'lib'] as const]))(
    '%s --owner %s',
    async (profile, expectedFile, owner) => {
      const expected = readExpected(expectedFile);
      const { code, stdout, stderr } = await runCli(['analyze', fixture(profile), '--json', '--owner', owner]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const got = JSON.parse(stdout) as AnalyzeJson;
      // Stock profiles hide the runtime's frames (docs/attribution.md §9); the others keep them. The
      // reference of a stock profile sums the map frames it shows (none): mapbloat says "unknown".
      const stock = /^go1[.\d]+(-noswiss)?\/[^/]+(?<!\.full)\.pb\.gz$/.test(profile);
      if (stock) expect(Object.values(expected.totals.map)).toEqual([0, 0, 0, 0]);
      expect(got.totals).toEqual(stock ? { heap: expected.totals.heap, map: null } : expected.totals);
      expect(got.profile.mapVisibility).toBe(stock ? 'none' : 'exact');
      expect(
        got.sites.map(({ function: fn, file, line, via, values, phases }) => ({
          function: fn,
          file,
          line,
          via,
          values,
          phases,
        })),
      ).toEqual(expected.sites);
      expect(got.sites.map((s) => s.rank)).toEqual(expected.sites.map((_, i) => i + 1));
      expect(got.sites.every((s) => s.evidence === 'frames')).toBe(true);
      expect(got.profile.sampleTypes.map((t) => t.split('/')[0])).toEqual(expected.sampleTypes);
      expect(got.profile.defaultSampleType).toBe(expected.defaultSampleType);
      expect(got.profile.runtime).toBe(expected.runtime);
      expect(got.sampleIndex).toBe('inuse_space');
      // -trimpath names without @v elements and no binary: nothing tells the main module, so "app"
      // falls back to "lib" (tests/cli/dependencies.test.ts has profiles where it does not).
      expect([got.profile.mainModule, got.profile.ownerRule]).toEqual([null, 'lib']);

      expect(got.profile.runtimeFrames).toBe(stock ? 'hidden' : 'present');
      expect(got.notes.map((n) => n.code)).toEqual(stock ? ['runtime-frames-hidden'] : []);
    },
  );
});
