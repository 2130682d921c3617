import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { ROOT, fixture, runCli, runCliWriting, runJson } from '../helpers.js';
import { ProfileType } from '../synth.js';

// test/export/ holds mapbloat's export of two bundled inputs, and what go tool pprof's own parser
// made of them (-raw, -top), written once by test/export/make.sh with Go. These tests need no Go.
const EXPORT = join(ROOT, 'test/export');
const cases = [
  ['go1.24-leak_4.heap.txt.binary', [fixture('go1.24/leak_4.heap.txt'), '--binary', fixture('go1.24/bin/leak.gz')]],
  ['go1.24-leak_4.stock.source-path', [fixture('go1.24/leak_4.pb.gz'), '--source-path', fixture('src')]],
] as const;

const analyze = (argv: readonly string[]) => runJson(['analyze', ...argv]);
const siteFacts = (json: AnalyzeJson) => json.sites.map((s) => [s.function, s.file, s.line, s.values, s.phases]);

/** The samples of `go tool pprof -raw`: four values and the location ids, leaf first. */
function pprofRawSamples(text: string): number[][] {
  const section = text.slice(text.indexOf('Samples:'), text.indexOf('Locations'));
  return [...section.matchAll(/^\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+): /gm)].map((m) => m.slice(1, 5).map(Number));
}

describe.each(cases)('--output-profile: %s', (name, argv) => {
  const committed = readFileSync(join(EXPORT, `${name}.maps.pb.gz`));

  it('writes the committed file: the same protobuf bytes, gzipped', async () => {
    const { code, stderr, written } = await runCliWriting([
      'analyze',
      ...argv,
      '--json',
      '--output-profile',
      'maps.pb.gz',
    ]);
    expect(code).toBe(0);
    expect(Object.keys(written)).toEqual([join(process.cwd(), 'maps.pb.gz')]);
    const bytes = Object.values(written)[0];
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    // Compared inflated: the encoding is deterministic, deflate's output is zlib's business.
    expect(Buffer.from(gunzipSync(bytes)).equals(gunzipSync(committed))).toBe(true);
    expect(stderr).toMatch(/^mapbloat: wrote maps\.pb\.gz: \d+ map samples\n/);
  });

  it('reads back to the same sites and values', async () => {
    const original = await analyze(argv);
    const exported = await analyze([join(EXPORT, `${name}.maps.pb.gz`)]);
    expect(siteFacts(exported)).toEqual(siteFacts(original));
    expect(exported.totals.map).toEqual(original.totals.map);
    // Only map samples: the heap of the export is the map memory.
    expect(exported.totals.heap).toEqual(original.totals.map);
    expect(exported.profile.runtimeFrames).toBe('present');
  });

  it('is parsed by go tool pprof to the same samples (its -raw output, as committed)', async () => {
    const raw = readFileSync(join(EXPORT, `${name}.pprof-raw.txt`), 'utf8');
    const samples = pprofRawSamples(raw);
    const message = ProfileType.toObject(ProfileType.decode(gunzipSync(committed)), { longs: Number }) as {
      sample: Array<{ value: number[] }>;
    };
    expect(samples).toEqual(message.sample.map((s) => s.value));
    const total = samples.reduce((sum, v) => sum.map((x, t) => x + v[t]), [0, 0, 0, 0]);
    const { totals } = await analyze(argv);
    expect(total).toEqual(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'].map((t) => totals.map![t]));
    expect(raw).toContain('evidence:[');
    expect(raw).toContain('phase:[');
  });
});

describe('--output-profile', () => {
  it('labels every sample with its phase and evidence; source lines get an inferred operation as leaf', () => {
    const bytes = gunzipSync(readFileSync(join(EXPORT, 'go1.24-leak_4.stock.source-path.maps.pb.gz')));
    const message = ProfileType.toObject(ProfileType.decode(bytes), { longs: Number }) as {
      sample: Array<{ location_id: number[]; label: Array<{ key: number; str: number }> }>;
      location: Array<{ id: number; line: Array<{ function_id: number }> }>;
      function: Array<{ id: number; name: number }>;
      string_table: string[];
    };
    const s = message.string_table;
    const leafName = (sample: (typeof message.sample)[0]) => {
      const loc = message.location.find((l) => l.id === sample.location_id[0])!;
      return s[message.function.find((f) => f.id === loc.line[0].function_id)!.name];
    };
    const seen = new Set(
      message.sample.map((x) => `${leafName(x)} ${x.label.map((l) => `${s[l.key]}=${s[l.str]}`).join(' ')}`),
    );
    expect([...seen].sort()).toEqual([
      'runtime.makemap (inferred from source) phase=create evidence=source',
      'runtime.mapassign (inferred from source) phase=assign evidence=source',
      'runtime.mapassign (inferred from source) phase=assign evidence=source mixed=true',
    ]);
  });

  it('refuses stdout: it has the report', async () => {
    expect(await runCli(['analyze', fixture('go1.24/multi.full.pb.gz'), '--output-profile', '-'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mapbloat: --output-profile takes a file name: stdout has the report\n',
    });
  });

  it('a file it cannot write is exit 2 with one line, and no report (the real process and disk)', () => {
    const args = ['analyze', fixture('go1.24/multi.full.pb.gz'), '--output-profile', '/nonexistent-dir/maps.pb.gz'];
    const { status, stdout, stderr } = spawnSync(process.execPath, [join(ROOT, 'bin/mapbloat.js'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect([status, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(
      /^mapbloat: \/nonexistent-dir\/maps\.pb\.gz: cannot write it \(ENOENT: no such file or directory, open '\/nonexistent-dir\/\.maps\.pb\.gz\.[0-9a-f]{12}\.tmp'\)\n$/,
    );
  });
});
