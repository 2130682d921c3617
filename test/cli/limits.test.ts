import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { fixture, runCli } from '../helpers.js';

// Each bound on what input may cost, as a user meets it: one line naming the option that raises
// it, exit 2, nothing on stdout; the source limits skip and say so instead (README "Limits").
const PROFILE = fixture('go1.24/leak_4.pb.gz');
const GZIPPED = readFileSync(PROFILE);
const RAW = gunzipSync(GZIPPED);

async function refused(argv: string[], stdin?: Uint8Array | AsyncIterable<Uint8Array>): Promise<string> {
  const { code, stdout, stderr } = await runCli(argv, stdin === undefined ? {} : { stdin });
  expect([code, stdout]).toEqual([2, '']);
  expect(stderr.split('\n')).toHaveLength(2);
  return stderr;
}

describe('--max-profile-size', () => {
  it('a file larger than the limit is refused before it is read', async () => {
    expect(GZIPPED.length).toBe(11630);
    expect(await refused(['analyze', PROFILE, '--max-profile-size', '10KiB'])).toBe(
      `mapbloat: ${PROFILE}: the profile is 11.4 KiB, past 10.0 KiB (--max-profile-size): raise the limit if ` +
        `it is real\n`,
    );
  });

  it('a gzipped file within it that inflates past it is stopped at the limit', async () => {
    expect(RAW.length).toBe(24411);
    expect(await refused(['analyze', PROFILE, '--max-profile-size', '20KiB'])).toBe(
      `mapbloat: ${PROFILE}: the profile inflates past 20.0 KiB (--max-profile-size): raise the limit if it ` +
        `is real, not a gzip bomb\n`,
    );
    expect((await runCli(['analyze', PROFILE, '--max-profile-size', '24411'])).code).toBe(0);
  });

  it('stdin is read up to the limit, no further', async () => {
    expect(await refused(['analyze', '-', '--max-profile-size', '20KiB'], RAW)).toBe(
      'mapbloat: stdin: the profile is larger than 20.0 KiB (--max-profile-size): raise the limit if it is real\n',
    );
  });

  it('an endless stdin of what could start a text profile ends at the limit', async () => {
    let read = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode('heap profile: 1: 8 [1: 8] @ heap/1\n');
      for (;;) {
        read += 65536;
        yield new Uint8Array(65536).fill(0x0a);
      }
    }
    expect(await refused(['analyze', '-', '--max-profile-size', '1MiB'], endless())).toBe(
      'mapbloat: stdin: the profile is larger than 1.0 MiB (--max-profile-size): raise the limit if it is real\n',
    );
    expect(read).toBe(16 * 65536);
  });

  it('a size that is not one is a usage error', async () => {
    expect(await refused(['analyze', PROFILE, '--max-profile-size', '0'])).toBe(
      "mapbloat: option '--max-profile-size <size>' argument '0' is invalid. Expected a size: a number of " +
        'bytes with an optional unit ' +
        '(B, KB, KiB, MB, MiB, GB, GiB). (see mapbloat --help)\n',
    );
  });
});

describe('streams that are no profile are refused from their first bytes', () => {
  it('an endless stdin of zeros', async () => {
    let chunks = 0;
    async function* zeros(): AsyncIterable<Uint8Array> {
      for (;;) {
        chunks++;
        yield new Uint8Array(65536);
      }
    }
    expect(await refused(['analyze', '-'], zeros())).toBe(
      'mapbloat: stdin: not a pprof profile: the protobuf data is truncated or corrupt (field number 0 at byte 0)\n',
    );
    expect(chunks).toBe(1);
  });

  it('/dev/zero as the profile and as the binary (a device: read as a stream)', async () => {
    expect(await refused(['analyze', '/dev/zero'])).toBe(
      'mapbloat: /dev/zero: not a pprof profile: the protobuf data is truncated or corrupt (field number 0 ' +
        'at byte 0)\n',
    );
    expect(await refused(['analyze', PROFILE, '--binary', '/dev/zero'])).toBe(
      'mapbloat: /dev/zero: is not an ELF executable (mapbloat reads Linux Go binaries)\n',
    );
  });

  it('a stdin that fails while it is read', async () => {
    async function* failing(): AsyncIterable<Uint8Array> {
      yield GZIPPED.subarray(0, 100);
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    expect(await refused(['analyze', '-'], failing())).toBe('mapbloat: stdin: cannot read it (EIO: i/o error, read)\n');
  });
});

describe('--max-stack-depth and --max-binary-size', () => {
  it('a deeper stack than the limit', async () => {
    expect(await refused(['analyze', PROFILE, '--max-stack-depth', '3'])).toBe(
      `mapbloat: ${PROFILE}: sample 1 has a stack of more than 3 frames (--max-stack-depth): Go records at ` +
        `most 1024; raise the limit if the profile is right\n`,
    );
    expect(await refused(['analyze', PROFILE, '--max-stack-depth', '0'])).toBe(
      "mapbloat: option '--max-stack-depth <n>' argument '0' is invalid. Expected a whole number ≥ 1. (see " +
        'mapbloat --help)\n',
    );
  });

  it('a binary larger than the limit, gzipped or not', async () => {
    const BINARY = fixture('go1.24/bin/leak.gz');
    expect(await refused(['analyze', PROFILE, '--binary', BINARY, '--max-binary-size', '2MiB'])).toBe(
      `mapbloat: ${BINARY}: the binary inflates past 2.0 MiB (--max-binary-size): raise the limit if it is ` +
        `real, not a gzip bomb\n`,
    );
    expect(await refused(['diff', PROFILE, PROFILE, '--binary', BINARY, '--max-binary-size', '100KiB'])).toBe(
      `mapbloat: ${BINARY}: the binary is 1.7 MiB, past 100.0 KiB (--max-binary-size): raise the limit if it is real\n`,
    );
  });
});

describe('source limits skip and say so; the report goes on', () => {
  const TEXT = ['analyze', PROFILE, '--source-path', fixture('src/leak')];

  it('--max-source-file-size: larger files are skipped and counted', async () => {
    const { code, stdout } = await runCli([...TEXT, '--max-source-file-size', '1KiB', '--json']);
    expect(code).toBe(0);
    const { source } = JSON.parse(stdout) as AnalyzeJson;
    expect(source?.skipped).toEqual({
      tooLarge: 2,
      unreadable: 0,
      walkStopped: false,
      fileLimit: 1024,
      walkLimit: 200000,
    });
    expect((await runCli([...TEXT, '--max-source-file-size', '1KiB'], { env: { NO_COLOR: '1' } })).stdout).toMatch(
      /\n {2}sources {3}.*; 2 files over --max-source-file-size \(1\.0 KiB\) skipped\n/,
    );
  });

  it('--max-source-files: the listing stops there', async () => {
    const { code, stdout } = await runCli([
      'analyze',
      PROFILE,
      '--source-path',
      fixture('src'),
      '--max-source-files',
      '2',
      '--json',
    ]);
    expect(code).toBe(0);
    const { source } = JSON.parse(stdout) as AnalyzeJson;
    expect([source?.skipped.walkStopped, source?.skipped.walkLimit]).toEqual([true, 2]);
  });
});
