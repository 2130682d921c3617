import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { FIXTURES, fixture, runCli } from '../helpers.js';
import { ProfileType } from '../synth.js';

// A stock profile rewritten the way other writers leave it: without names (unsymbolized), or
// without addresses (continuous profilers' exports).
type Message = { location: Array<{ address: number; line: unknown[] }>; function: unknown[] };
function rewrite(file: string, edit: (m: Message) => void): Uint8Array {
  const message = ProfileType.toObject(ProfileType.decode(gunzipSync(readFileSync(join(FIXTURES, file)))), {
    longs: Number,
  }) as Message;
  edit(message);
  return ProfileType.encode(ProfileType.fromObject(message)).finish();
}
const stripNames = (m: Message) => {
  for (const l of m.location) l.line = [];
  m.function = [];
};
const stripAddresses = (m: Message) => {
  for (const l of m.location) l.address = 0;
};

async function analyze(argv: string[], files: Record<string, Uint8Array>) {
  return runCli(['analyze', ...argv], { files });
}

describe('an unsymbolized profile', () => {
  const files = { '/mem/bare.pb': rewrite('go1.24/multi.pb.gz', stripNames) };

  it('says it has no function names, not that runtime frames are hidden; maps not visible', async () => {
    const { code, stdout, stderr } = await analyze(['/mem/bare.pb'], files);
    expect(code).toBe(0);
    expect(stdout).toContain('runtime frames unknown: the profile has no function names (unsymbolized)');
    expect(stdout).toContain('  maps      not visible: the profile has no function names (see the note)');
    expect(stderr).toMatch(
      /^note: No function names in this profile: its stacks are bare addresses .* mapbloat needs symbols: give the program's binary \(--binary\)/,
    );
    expect(stderr).not.toContain('Runtime frames hidden');
    const json = JSON.parse((await analyze(['/mem/bare.pb', '--json'], files)).stdout) as AnalyzeJson;
    expect([json.profile.runtimeFrames, json.profile.mapVisibility, json.totals.map]).toEqual([
      'unsymbolized',
      'none',
      null,
    ]);
  });

  it('with --binary is symbolized from the binary: the same report as the symbolized profile', async () => {
    const binary = ['--binary', fixture('go1.24/bin/multi.gz'), '--json'];
    const bare = JSON.parse((await analyze(['/mem/bare.pb', ...binary], files)).stdout) as AnalyzeJson;
    const named = JSON.parse((await analyze([fixture('go1.24/multi.pb.gz'), ...binary], files)).stdout) as AnalyzeJson;
    expect(bare.sites.length).toBeGreaterThan(3);
    expect(bare.sites.map(({ function: f, line, values }) => [f, line, values])).toEqual(
      named.sites.map(({ function: f, line, values }) => [f, line, values]),
    );
    expect(bare.totals).toEqual(named.totals);
  });
});

describe('a profile without addresses', () => {
  it('refuses --binary with one line naming the profile', async () => {
    const files = { '/mem/names-only.pb': rewrite('go1.24/multi.pb.gz', stripAddresses) };
    expect(await analyze(['/mem/names-only.pb', '--binary', fixture('go1.24/bin/multi.gz')], files)).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "mapbloat: /mem/names-only.pb: has no addresses (a continuous profiler's export keeps only names), " +
        'and --binary recovers frames from addresses: give the source tree (--source-path) instead\n',
    });
  });
});
