import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, FIXTURES, runCli } from '../helpers.js';
import { synthProfile } from '../synth.js';

// Bad input: one line on stderr, nothing on stdout, exit 2, never a stack trace. The files exist
// in memory only, under a directory of their own.
const dir = '/mem/errors';
let seed = 7; // deterministic "random" bytes (a linear congruential generator)
const FILES = {
  [join(dir, 'empty.pb.gz')]: '',
  [join(dir, 'truncated.pb.gz')]: readFileSync(join(FIXTURES, 'go1.24/multi.pb.gz')).subarray(0, 1000),
  [join(dir, 'random.bin')]: Uint8Array.from(
    { length: 4096 },
    () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff,
  ),
  [join(dir, 'message.pb')]: Uint8Array.of(0x08, 0x96, 0x01),
  [join(dir, 'cpu.pb')]: synthProfile(
    [
      ['samples', 'count'],
      ['cpu', 'nanoseconds'],
    ],
    [{ stack: [['main.spin', 3]], values: [1, 10_000_000] }],
  ),
  [join(dir, 'goroutine.pb')]: synthProfile(
    [['goroutine', 'count']],
    [{ stack: [['runtime.gopark', 3]], values: [4] }],
  ),
  [join(dir, 'threadcreate.pb')]: synthProfile(
    [['threadcreate', 'count']],
    [{ stack: [['runtime.newm', 3]], values: [9] }],
  ),
};

const MULTI = fixture('go1.24/multi.pb.gz');

describe('bad input exits 2 with one line', () => {
  it.each([
    [
      'a missing file',
      () => ['analyze', join(dir, 'nope.pb.gz')],
      () => `mapbloat: ${join(dir, 'nope.pb.gz')}: no such file`,
    ],
    ['a directory', () => ['analyze', dir], () => `mapbloat: ${dir}: is a directory, not a profile file`],
    [
      'an empty file',
      () => ['analyze', join(dir, 'empty.pb.gz')],
      () =>
        `mapbloat: ${join(dir, 'empty.pb.gz')}: the input is empty: expected a pprof profile (gzipped or raw protobuf)`,
    ],
    [
      'truncated gzip',
      () => ['analyze', join(dir, 'truncated.pb.gz')],
      () => `mapbloat: ${join(dir, 'truncated.pb.gz')}: gzip data is truncated (unexpected end of file)`,
    ],
    [
      'random bytes',
      () => ['analyze', join(dir, 'random.bin')],
      () =>
        `mapbloat: ${join(dir, 'random.bin')}: not a pprof profile: protobuf field 13 has wire type 4 where a profile has 2`,
    ],
    [
      'a protobuf message that is not a profile',
      () => ['analyze', join(dir, 'message.pb')],
      () =>
        `mapbloat: ${join(dir, 'message.pb')}: a protobuf message that is not a pprof profile (its field 1 is a number where a profile's sample_type is bytes or a message): take one from /debug/pprof/heap or go test -memprofile`,
    ],
    [
      'a CPU profile',
      () => ['analyze', join(dir, 'cpu.pb')],
      () =>
        `mapbloat: ${join(dir, 'cpu.pb')}: a CPU profile (sample types samples/count, cpu/nanoseconds), not a heap profile: take one from /debug/pprof/heap or go test -memprofile`,
    ],
    [
      'a goroutine profile',
      () => ['analyze', join(dir, 'goroutine.pb')],
      () =>
        `mapbloat: ${join(dir, 'goroutine.pb')}: a goroutine profile (sample types goroutine/count), not a heap profile: take one from /debug/pprof/heap or go test -memprofile`,
    ],
    [
      'a threadcreate profile',
      () => ['analyze', join(dir, 'threadcreate.pb')],
      () =>
        `mapbloat: ${join(dir, 'threadcreate.pb')}: a threadcreate profile (sample types threadcreate/count), not a heap profile: take one from /debug/pprof/heap or go test -memprofile`,
    ],
    [
      'an unknown --sample-index',
      () => ['analyze', MULTI, '--sample-index', 'cpu'],
      () =>
        'mapbloat: unknown --sample-index "cpu": this profile has alloc_objects, alloc_space, inuse_objects, ' +
        'inuse_space',
    ],
    [
      'an unknown option',
      () => ['analyze', MULTI, '--frobnicate'],
      () => "mapbloat: unknown option '--frobnicate' (see mapbloat --help)",
    ],
    [
      'a negative --top',
      () => ['analyze', MULTI, '--top', '-1'],
      () => "mapbloat: option '--top <n>' argument '-1' is invalid. Expected a whole number ≥ 0. (see mapbloat --help)",
    ],
    [
      'an unknown --granularity',
      () => ['analyze', MULTI, '--granularity', 'file'],
      () =>
        "mapbloat: option '--granularity <g>' argument 'file' is invalid. Allowed choices are line, " +
        'function. (see mapbloat --help)',
    ],
    [
      'an unknown --format',
      () => ['analyze', MULTI, '--format', 'xml'],
      () =>
        "mapbloat: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, " +
        'markdown, html. (see mapbloat --help)',
    ],
    [
      '--json with --format markdown',
      () => ['analyze', MULTI, '--json', '--format', 'markdown'],
      () => 'mapbloat: --json and --format markdown contradict each other: choose one',
    ],
    [
      'an invalid --focus',
      () => ['analyze', MULTI, '--focus', '('],
      () => 'mapbloat: invalid --focus regular expression "(": Invalid regular expression: /(/: Unterminated group',
    ],
    ['no profile', () => ['analyze'], () => "mapbloat: missing required argument 'profile' (see mapbloat --help)"],
    ['an unknown command', () => ['frob'], () => "mapbloat: unknown command 'frob' (see mapbloat --help)"],
  ])('%s', async (_, argv, message) => {
    const result = await runCli(argv(), { files: FILES });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${message()}\n` });
  });

  it('empty stdin', async () => {
    expect(await runCli(['analyze', '-'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'mapbloat: stdin: the input is empty: expected a pprof profile (gzipped or raw protobuf)\n',
    });
  });

  it('no command prints the usage on stderr', async () => {
    const { code, stdout, stderr } = await runCli([]);
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(/^Usage: mapbloat \[options\] \[command\]\n/);
  });

  it('errors under --json stay off stdout too', async () => {
    expect(await runCli(['analyze', join(dir, 'cpu.pb'), '--json'], { files: FILES })).toMatchObject({
      code: 2,
      stdout: '',
    });
  });
});
