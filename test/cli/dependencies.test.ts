import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson, DiffJson } from '../../src/report/schema.js';
import { FIXTURES, fixture, runCli, runJson } from '../helpers.js';
import { ProfileType } from '../synth.js';

// Maps inside dependencies (fixtures/deps: two go-cache caches, a golang-lru cache, a plain map
// and a map in an own package, built three ways). Each cache is its own site at the program's
// line that uses it, with the library function as via; --owner lib gives the library's sites.
interface Reference {
  totals: AnalyzeJson['totals'];
  sites: Array<{ function: string; file: string; line: number; via: string | null; values: Record<string, number> }>;
}
function reference(variant: string, rule: 'app' | 'lib'): Reference {
  const r = JSON.parse(
    readFileSync(join(FIXTURES, `deps/${variant}/${variant}.expected.${rule}.json`), 'utf8'),
  ) as Reference;
  return {
    totals: r.totals,
    sites: r.sites.map(({ function: fn, file: f, line, via, values }) => ({
      function: fn,
      file: f,
      line,
      via,
      values,
    })),
  };
}
const file = (variant: string, name: string) => fixture(`deps/${variant}/${name}`);

const json = <T = AnalyzeJson>(argv: string[], env: Record<string, string> = {}, files?: Record<string, Uint8Array>) =>
  runJson<T>(argv, { env, files });
const sites = (got: AnalyzeJson) =>
  got.sites.map(({ function: fn, file: f, line, via, values }) => ({ function: fn, file: f, line, via, values }));

const GO_CACHE_SET = 'github.com/patrickmn/go-cache.(*cache).Set';

describe.each(['modcache', 'vendor-trimpath', 'gopath'])('deps/%s', (variant) => {
  const app = reference(variant, 'app');
  const binary = ['--binary', file(variant, 'cachesrv.gz')];

  it.each([
    ['full-frame + binary', () => [file(variant, `${variant}.full.pb.gz`), ...binary]],
    ['text + binary', () => [file(variant, `${variant}.heap.txt`), ...binary]],
    ['stock + binary', () => [file(variant, `${variant}.pb.gz`), ...binary]],
  ])('%s: each cache is its own site at the program line that uses it, exactly', async (_, argv) => {
    const got = await json(['analyze', ...argv()]);
    expect(sites(got)).toEqual(app.sites);
    expect(got.totals).toEqual(app.totals);
    expect(got.profile.mainModule).toEqual({ path: 'example.com/cachesrv', source: 'build-info' });
    expect(got.profile.ownerRule).toBe('app');
  });

  it('the two go-cache sites add up to the one library site of --owner lib', async () => {
    const lib = reference(variant, 'lib');
    const got = await json(['analyze', file(variant, `${variant}.full.pb.gz`), ...binary, '--owner', 'lib']);
    expect(sites(got)).toEqual(lib.sites);
    expect(got.profile.ownerRule).toBe('lib');
    const split = app.sites.filter((s) => s.via === GO_CACHE_SET);
    expect(split.map((s) => s.line)).toEqual([81, 84]);
    const whole = lib.sites.find((s) => s.function === GO_CACHE_SET)!;
    for (const t of Object.keys(whole.values)) expect(split[0].values[t] + split[1].values[t]).toBe(whole.values[t]);
  });

  it('diff follows the owner rule', async () => {
    const full = file(variant, `${variant}.full.pb.gz`);
    const { stdout } = await runCli(['diff', full, full, ...binary, '--json']);
    const got = JSON.parse(stdout) as DiffJson;
    expect(got.sites.filter((s) => s.via === GO_CACHE_SET).map((s) => [s.function, s.line])).toEqual([
      ['main.(*server).load', 81],
      ['main.(*server).load', 84],
    ]);
  });
});

describe('the main module: where it comes from', () => {
  it("the profile's file names (module-cache @v elements), without a binary", async () => {
    for (const variant of ['modcache', 'vendor-trimpath']) {
      const got = await json(['analyze', file(variant, `${variant}.full.pb.gz`)]);
      expect(got.profile.mainModule).toEqual({ path: null, source: 'file-names' });
      expect(sites(got)).toEqual(reference(variant, 'app').sites);
    }
  });

  it('a GOPATH build: the build info has only a path line', async () => {
    const info = readFileSync(join(FIXTURES, 'deps/gopath/buildinfo.txt'), 'utf8');
    expect(info).toMatch(/\tpath\texample\.com\/cachesrv\n/);
    expect(info).not.toMatch(/\tmod\t/);
    const got = await json(['analyze', file('gopath', 'gopath.full.pb.gz'), '--binary', file('gopath', 'cachesrv.gz')]);
    expect(got.profile.mainModule).toEqual({ path: 'example.com/cachesrv', source: 'build-info' });
  });

  it('the go.mod of the source tree', async () => {
    const got = await json(['analyze', file('gopath', 'gopath.full.pb.gz'), '--source-path', fixture('deps/src')]);
    expect(got.profile.mainModule).toEqual({ path: 'example.com/cachesrv', source: 'go.mod' });
    expect(sites(got)).toEqual(reference('gopath', 'app').sites);
  });

  it('nothing tells: the first frame outside the standard library, as --owner lib', async () => {
    // GOPATH file names carry no @v or vendor/ element, and there is neither binary nor go.mod.
    const got = await json(['analyze', file('gopath', 'gopath.full.pb.gz')]);
    expect([got.profile.mainModule, got.profile.ownerRule]).toEqual([null, 'lib']);
    expect(sites(got)).toEqual(reference('gopath', 'lib').sites);
  });

  it('a vendor/ element marks a dependency too', async () => {
    // The modcache profile as a vendoring build without -trimpath names its files.
    const files = {
      '/mem/vendored.pb': renamed('deps/modcache/modcache.full.pb.gz', [
        [/^.*\/gomodcache\/(.*?)@v[^/]+\//, '/build/app/vendor/$1/'],
      ]),
    };
    const got = await json(['analyze', '/mem/vendored.pb'], {}, files);
    expect(got.profile.mainModule).toEqual({ path: null, source: 'file-names' });
    expect(got.sites.filter((s) => s.via === GO_CACHE_SET).map((s) => s.line)).toEqual([81, 84]);
  });

  it('the table says which rule and where the main module came from; via is short there', async () => {
    const { stdout } = await runCli([
      'analyze',
      file('modcache', 'modcache.full.pb.gz'),
      ...['--binary', file('modcache', 'cachesrv.gz')],
    ]);
    expect(stdout).toContain(
      "  owner     the first frame of own code: package main and example.com/cachesrv (from the binary's build info)\n",
    );
    expect(stdout).toMatch(/main\.go:81 .* go-cache\.\(\*cache\)\.Set\n/);
    expect(stdout).not.toContain('github.com/patrickmn/go-cache.(*cache).Set');
  });
});

/** A bundled profile with its file names rewritten, as another build would write them. */
function renamed(path: string, edits: Array<[RegExp, string]>): Uint8Array {
  const message = ProfileType.toObject(ProfileType.decode(gunzipSync(readFileSync(join(FIXTURES, path)))), {
    longs: Number,
  }) as { string_table: string[] };
  message.string_table = message.string_table.map((s) => edits.reduce((t, [re, to]) => t.replace(re, to), s));
  return ProfileType.encode(ProfileType.fromObject(message)).finish();
}

describe('dependency sources for source evidence', () => {
  // The stock profile as built on a CI machine: the program in /home/ci/src/cachesrv, its
  // dependencies in /home/ci/go/pkg/mod. Here: the tree at fixtures/deps/src, the module cache at
  // fixtures/deps/gomodcache ($GOMODCACHE).
  const files = {
    '/mem/stock.pb': renamed('deps/modcache/modcache.pb.gz', [
      [/^\/work\/scratch\/deps\/gomodcache\//, '/home/ci/go/pkg/mod/'],
      [/^\/work\/scratch\/deps\/src\//, '/home/ci/src/cachesrv/'],
    ]),
  };
  const argv = [
    'analyze',
    '/mem/stock.pb',
    '--source-path',
    fixture('deps/src'),
    '--trim-path',
    '/home/ci/src/cachesrv',
  ];

  it("finds the libraries' map lines in the module cache: each cache its own site", async () => {
    const got = await json(argv, { GOMODCACHE: join(FIXTURES, 'deps/gomodcache') }, files);
    const byLine = (line: number) => got.sites.find((s) => s.function === 'main.(*server).load' && s.line === line);
    expect([byLine(81)?.via, byLine(81)?.evidence, byLine(84)?.via]).toEqual([GO_CACHE_SET, 'source', GO_CACHE_SET]);
    // The map part of the reference at least: a line counted whole is never less.
    const app = reference('modcache', 'app');
    expect(byLine(81)!.values.inuse_space).toBe(app.sites.find((s) => s.line === 81)!.values.inuse_space);
    expect(got.source!.resolvedLinesByPlace['module-cache']).toBeGreaterThan(0);
    expect(got.source!.resolvedLinesByPlace.tree).toBeGreaterThan(0);
  });

  it('without the module cache the library lines are not found, and the sites say less', async () => {
    const got = await json(argv, {}, files);
    expect(got.source!.resolvedLinesByPlace['module-cache']).toBe(0);
    expect(got.sites.some((s) => s.via === GO_CACHE_SET)).toBe(false);
    expect(got.source!.unresolvedFiles).toContain(
      '/home/ci/go/pkg/mod/github.com/patrickmn/go-cache@v2.1.0+incompatible/cache.go',
    );
  });

  it('--source-path given twice adds to the list (as pprof does), not the last one winning', async () => {
    const got = await json([...argv, '--source-path', fixture('deps/gomodcache')], {}, files);
    expect(got.source!.roots).toEqual([fixture('deps/src'), fixture('deps/gomodcache')]);
    expect(got.sites.some((s) => s.via === GO_CACHE_SET)).toBe(true);
  });
});
