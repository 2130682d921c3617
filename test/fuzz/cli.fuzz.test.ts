import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { encodeProfile } from '../../src/pprof/encode.js';
import type { Func, Location } from '../../src/pprof/profile.js';
import { FIXTURES, fixture, runCli, type FakeIoOptions } from '../helpers.js';
import { profileWith } from '../synth.js';
import { property } from './budget.js';
import { expectCliContract, type RunShape } from './cli-contract.js';
import { inPlaceMutation, mutate, mutateInPlace, mutations, repeated, type Mutation } from './mutate.js';

// The CLI end to end (src/cli/run.ts, in process through runCli): any combination of its options
// with any input, real, damaged or crafted, on a terminal or not, exits 0 with a report, 1 with a
// report and a threshold line (diff), or 2 with one line on stderr; never a stack trace, never a
// control character a terminal acts on, JSON that parses. Names a crafted profile holds change no
// line of a table or a markdown comment.

const PROFILES = [
  'go1.19/multi.pb.gz',
  'go1.19/multi.full.pb.gz',
  'go1.24/leak_4.pb.gz',
  'go1.24/leak_0.full.pb.gz',
  'go1.19/grow.heap.txt',
  'go1.24/multi.heap.txt',
  'go1.19/bigvalues.full.pb.gz',
  'real/dd__fastdelta_heap.before.pprof',
  'real/pprof__profile_testdata_gobench.heap',
  'real/pprof__profile_testdata_cppbench.heap',
  'real/pprof__internal_report_testdata_sample.cpu',
  'real/nodejs-heap.pb.gz',
  'pie/out/pie/pie.pb.gz',
  'pie/out/pie/pie.heap.txt',
];
const BINARIES = ['go1.19/bin/multi.gz', 'go1.24/bin/multi.gz', 'pie/bin/pie-pie.gz', 'go1.19/bin/grow.gz'];
/** One binary kept raw in memory, to damage in place for --binary. */
const RAW_BINARY = gunzipSync(readFileSync(`${FIXTURES}/go1.19/bin/multi.gz`));
const BYTES = new Map(PROFILES.map((p) => [p, readFileSync(`${FIXTURES}/${p}`)]));

const SAMPLE_TYPES = ['inuse_space', 'alloc_space', 'inuse_objects', 'alloc_objects', 'space', 'samples', ''];
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('\u001b[2J', 'a\nb', '|', '`', '<script>', '\r', '\u2028', '--help', '-'),
);

/** An input: a fixture as it is, damaged, on stdin, or a path that is no file. */
type Input =
  | { kind: 'fixture'; index: number }
  | { kind: 'damaged'; index: number; ops: Mutation[]; gzip: boolean; name: string }
  | { kind: 'stdin'; index: number }
  | { kind: 'missing' | 'directory' };

const input: fc.Arbitrary<Input> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('fixture' as const), index: fc.nat(PROFILES.length - 1) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('damaged' as const),
      index: fc.nat(PROFILES.length - 1),
      ops: mutations(4),
      gzip: fc.boolean(),
      // A file name is shown in the report and in errors: it may hold anything a file system allows.
      name: fc.oneof(
        fc.constant('in.pb.gz'),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }).map((s) => s.replace(/[/\0]/g, '_')),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stdin' as const), index: fc.nat(PROFILES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('missing' as const, 'directory' as const) }) },
);

interface Run {
  command: 'analyze' | 'diff';
  inputs: Input[];
  options: string[][];
  binary:
    | { kind: 'none' }
    | { kind: 'fixture'; index: number }
    | { kind: 'damaged'; ops: Mutation[] }
    | { kind: 'stdin' | 'missing' };
  env: { NO_COLOR?: string; COLUMNS?: string };
  isTTY: boolean;
}

const flags = (...options: string[][]) => fc.constantFrom(...options).map((o) => [...o]);

/** Options both commands take, with values they accept. */
const reportOption: fc.Arbitrary<string[]> = fc.oneof(
  flags(
    ['--json'],
    ['--no-color'],
    ['--granularity', 'function'],
    ['--granularity', 'line'],
    ['--owner', 'lib'],
    ['--owner', 'app'],
  ),
  fc.constantFrom('table', 'json', 'markdown', 'html').map((f) => ['--format', f]),
  fc.constantFrom('0', '1', '3', '20', '999999999999').map((n) => ['--top', n]),
  fc.constantFrom(...SAMPLE_TYPES).map((t) => ['--sample-index', t]),
  fc.constantFrom('main', 'Server', '^main\\.', '.*', 'go$', 'sync').map((r) => ['--focus', r]),
  fc
    .constantFrom(fixture('src/multi'), fixture('pie/src'), '/nonexistent', `${fixture('src/multi')}:/nonexistent`)
    .map((p) => ['--source-path', p]),
  fc.constantFrom('/build/', '/home/u/src', '').map((p) => ['--trim-path', p]),
);
const analyzeOption = fc.constantFrom('/mem/out/maps.pb.gz', 'out.pb.gz').map((p) => ['--output-profile', p]);
const threshold = fc.oneof(
  fc.constantFrom('5MiB', '0', '10%', '0%', '1.5GiB', '1KB', '100', '5 MB'),
  repeated([' ', '1', '.', '%', 'MiB', '0'], 5000),
);
const diffOption = fc.tuple(fc.constantFrom('--max-growth', '--max-site-growth'), threshold).map(([o, t]) => [o, t]);

/** Any option with any value: hostile text, unknown options, the wrong command's options, --help. */
const anyOption: fc.Arbitrary<string[]> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        '--top',
        '--sample-index',
        '--focus',
        '--source-path',
        '--trim-path',
        '--output-profile',
        '--max-growth',
        '--max-site-growth',
        '--format',
        '--granularity',
        '--owner',
        '--binary',
      ),
      hostile,
    )
    .map(([o, v]) => [o, v]),
  fc.constantFrom('(', '[', 'a{2,1}', '\\').map((r) => ['--focus', r]),
  fc.constantFrom('-1', '1e400', 'abc', '-', '').map((t) => ['--max-growth', t]),
  flags(
    ['--output-profile', '-'],
    ['--granularity', 'block'],
    ['--format', 'xml'],
    ['--json', '--format', 'markdown'],
    ['--bogus'],
    ['-x'],
    ['--help'],
    ['--version'],
  ),
);

const run: fc.Arbitrary<Run> = fc
  .record({
    command: fc.constantFrom('analyze' as const, 'analyze' as const, 'diff' as const),
    inputs: fc.array(input, { minLength: 1, maxLength: 3 }),
    extraInputs: fc.nat({ max: 9 }),
    options: fc.array(
      fc.oneof(
        { weight: 6, arbitrary: reportOption },
        { weight: 2, arbitrary: analyzeOption },
        { weight: 2, arbitrary: diffOption },
        { weight: 1, arbitrary: anyOption },
      ),
      { maxLength: 5 },
    ),
    binary: fc.oneof(
      { weight: 16, arbitrary: fc.constant({ kind: 'none' as const }) },
      {
        weight: 4,
        arbitrary: fc.record({ kind: fc.constant('fixture' as const), index: fc.nat(BINARIES.length - 1) }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('damaged' as const),
          ops: fc.array(inPlaceMutation, { minLength: 1, maxLength: 4 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('stdin' as const, 'missing' as const) }) },
    ),
    env: fc.record(
      { NO_COLOR: fc.constantFrom('1', ''), COLUMNS: fc.constantFrom('40', '80', '200', '0', 'abc', '1', '100000') },
      { requiredKeys: [] },
    ),
    isTTY: fc.boolean(),
  })
  .map(({ extraInputs, ...r }) => ({
    ...r,
    // analyze takes one profile and diff two or more, mostly: the other counts are usage errors.
    inputs:
      extraInputs === 0
        ? r.inputs
        : r.command === 'analyze'
          ? r.inputs.slice(0, 1)
          : r.inputs.length > 1
            ? r.inputs
            : [...r.inputs, ...r.inputs],
    // The other command's options, mostly left out for the same reason.
    options: r.options.filter(
      (o) =>
        extraInputs === 1 || !(r.command === 'analyze' ? /^--max-/ : /^--output-profile$/).test(o[0]) || o.length === 1,
    ),
  }));

/** The argv and the files of a run; a damaged binary is changed in place and put back by `restore`. */
function prepare(r: Run): { argv: string[]; io: FakeIoOptions; restore: () => void; shape: RunShape } {
  const files: Record<string, Uint8Array> = {};
  let stdin: Uint8Array | undefined;
  let restore = () => {};
  const paths = r.inputs.map((inp, k) => {
    switch (inp.kind) {
      case 'fixture':
        return fixture(PROFILES[inp.index]);
      case 'damaged': {
        const bytes = BYTES.get(PROFILES[inp.index])!;
        const plain = bytes[0] === 0x1f ? gunzipSync(bytes) : bytes;
        const damaged = mutate(plain, inp.ops);
        const path = `/mem/in${k}/${inp.name}`;
        files[path] = inp.gzip ? gzipSync(damaged) : damaged;
        return path;
      }
      case 'stdin':
        stdin = BYTES.get(PROFILES[inp.index]);
        return '-';
      case 'missing':
        return '/mem/nothing/here.pb.gz';
      case 'directory':
        return fixture('go1.19');
    }
  });
  const argv = [r.command, ...paths, ...r.options.flat()];
  if (r.binary.kind === 'fixture') argv.push('--binary', fixture(BINARIES[r.binary.index]));
  if (r.binary.kind === 'stdin') argv.push('--binary', '-');
  if (r.binary.kind === 'missing') argv.push('--binary', '/mem/no/binary');
  if (r.binary.kind === 'damaged') {
    restore = mutateInPlace(RAW_BINARY, r.binary.ops, [[0, RAW_BINARY.length]]);
    files['/mem/bin/multi'] = RAW_BINARY;
    argv.push('--binary', '/mem/bin/multi');
  }
  // Writes land in memory (runCli keeps them): a directory for --output-profile to write into.
  files['/mem/out/.keep'] = new Uint8Array();
  const flags = r.options.flat();
  const formatAt = flags.lastIndexOf('--format');
  const format = (
    flags.includes('--json') ? 'json' : formatAt >= 0 ? flags[formatAt + 1] : 'table'
  ) as RunShape['format'];
  const color = r.isTTY && !r.env.NO_COLOR && !flags.includes('--no-color');
  return {
    argv,
    io: { files, stdin, env: r.env, isTTY: r.isTTY },
    restore,
    shape: { format, color, command: r.command },
  };
}

describe('the CLI end to end', () => {
  property(
    'any options, any input: exit 0, 1 or 2 and what each promises',
    { runs: 500, file: import.meta.url },
    run,
    async (r) => {
      const { argv, io, restore, shape } = prepare(r);
      try {
        const result = await runCli(argv, io);
        // --help, --version and usage errors print what commander prints: checked for exit codes only.
        if (argv.some((a) => a === '--help' || a === '--version')) {
          expect([0, 2]).toContain(result.code);
          return;
        }
        expectCliContract(result, shape);
      } finally {
        restore();
      }
    },
  );

  property(
    'names from a crafted profile add no line, no table cell and no markup',
    { runs: 150, file: import.meta.url },
    fc.record({
      sites: fc.array(crafted, { minLength: 1, maxLength: 6 }),
      format: fc.constantFrom('table' as const, 'markdown' as const, 'json' as const),
      isTTY: fc.boolean(),
    }),
    async ({ sites, format, isTTY }) => {
      const benign = sites.map((s, i) => ({
        ...s,
        fn: `main.f${i}`,
        file: `app/f${i}.go`,
        via: s.via === null ? null : `sync.v${i}`,
      }));
      const [got, want] = await Promise.all(
        [sites, benign].map((ss) =>
          runCli(['analyze', '/mem/crafted.pb.gz', '--format', format, '--top', '0'], {
            files: { '/mem/crafted.pb.gz': gzipSync(craftedProfile(ss)) },
            isTTY,
            env: {},
          }),
        ),
      );
      const shape = { format, command: 'analyze', color: isTTY && format !== 'json' } as const;
      expectCliContract(got, shape);
      expectCliContract(want, shape);
      expect(got.code).toBe(want.code);
      if (format === 'json') {
        // JSON keeps every name exactly as the profile has it.
        const names = new Set(sites.flatMap((s) => (s.via === null ? [s.fn] : [s.fn, s.via])));
        for (const site of (JSON.parse(got.stdout) as { sites: Array<{ function: string }> }).sites)
          expect(names).toContain(site.function);
        return;
      }
      const lines = (out: string) => out.split('\n');
      expect(lines(got.stdout).length).toBe(lines(want.stdout).length);
      if (format === 'markdown') {
        // GitHub's table rows: cells split at every "|" not escaped as "\|".
        const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length;
        expect(lines(got.stdout).map(cells)).toEqual(lines(want.stdout).map(cells));
        // No heading, quote, list or HTML comes from a name: line starts are those of the benign report.
        const start = (line: string) => line.slice(0, 2);
        expect(lines(got.stdout).map(start)).toEqual(lines(want.stdout).map(start));
      }
    },
  );
});

// --- crafted profiles: map sites whose names are anything ------------------------------------------

interface CraftedSite {
  fn: string;
  file: string;
  via: string | null;
  line: number;
  value: number;
}

const craftedName = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }).map((s) => `main.${s}`),
  fc.constantFrom(
    'main.a\n### title',
    'main.b\u001b[31m|`x`|',
    'main.<img src=x>',
    'main.c`x|y',
    'main.\\|x',
    'main.[x](y)',
    'main.*x*',
    'main.\u2028x',
    'main.\r',
  ),
  repeated(['`', 'a`', '|', '\\', '\n', '[', ']', '<', '\u001b'], 200_000).map((s) => `main.${s}`),
);

const crafted: fc.Arbitrary<CraftedSite> = fc.record({
  fn: craftedName,
  file: fc.oneof(fc.string({ unit: 'binary', maxLength: 16 }), fc.constant('a\nb.go')),
  via: fc.option(fc.string({ unit: 'binary', maxLength: 8 }).map((s) => `sync.${s}`)),
  line: fc.nat(1000),
  value: fc.integer({ min: 1, max: 1 << 30 }),
});

/** A heap profile with one map sample per site: a map frame, the optional library frame, the site. */
function craftedProfile(sites: readonly CraftedSite[]): Uint8Array {
  const fn = (name: string, filename: string): Func => ({ name, systemName: name, filename, startLine: 0 });
  const loc = (f: Func, line: number): Location => ({ address: 0, mapping: null, lines: [{ function: f, line }] });
  const locations: Location[] = [loc(fn('runtime.mapassign_faststr', 'runtime/map_faststr.go'), 1)];
  const starts = [0];
  const stack: number[] = [];
  const values: number[] = [];
  for (const s of sites) {
    stack.push(0);
    if (s.via !== null) stack.push(locations.push(loc(fn(s.via, 'sync/map.go'), 5)) - 1);
    stack.push(locations.push(loc(fn(s.fn, s.file), s.line)) - 1);
    starts.push(stack.length);
    values.push(1, s.value, 1, s.value);
  }
  const samples = {
    count: sites.length,
    stackStart: Uint32Array.from(starts),
    stackLocations: Uint32Array.from(stack),
    values: Float64Array.from(values),
  };
  return encodeProfile(profileWith(samples, locations));
}
