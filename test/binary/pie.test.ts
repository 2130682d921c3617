import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fileOffset, parseElf } from '../../src/binary/elf.js';
import { readPclntab } from '../../src/binary/pclntab.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { parseHeapText } from '../../src/pprof/text.js';
import type { AnalyzeJson } from '../../src/report/schema.js';
import { FIXTURES, fixture, runCli, runJson, binaryErrorOf } from '../helpers.js';
import { ProfileType } from '../synth.js';
import { seededRandom } from '../random.js';

// fixtures/pie (fixtures/README.md): one program built as an executable and as a PIE, for amd64
// and arm64, each run once. A run's text and stock protobuf with its own binary must give what
// its full-frame protobuf of the same snapshot gives, wherever the PIE was loaded.
const RUNS = ['exe', 'pie', 'arm64-exe', 'arm64-pie'] as const;
type Run = (typeof RUNS)[number];
const file = (run: Run, name: string) => fixture(`pie/out/${run}/${name}`);
const binary = (run: Run) => fixture(`pie/bin/pie-${run}.gz`);
const binaryBytes = (run: Run) => gunzipSync(readFileSync(join(FIXTURES, `pie/bin/pie-${run}.gz`)));
const text = (run: Run) => readFileSync(join(FIXTURES, `pie/out/${run}/pie.heap.txt`), 'utf8');
const shownFrames = (run: Run) => parseHeapText(Buffer.from(text(run))).records.map((r) => r.shown);
const symbolizer = (run: Run) => symbolizerFor(binaryBytes(run), DEFAULT_LIMITS);

type Site = AnalyzeJson['sites'][number];
const where = (s: Site) => `${s.file}:${s.line}`;
/** Overflow buckets depend on each map's random hash seed: these sites differ between runs of one binary. */
const SEED_DEPENDENT = ['mapbloat.test/pie/main.go:91', 'runtime/trace/trace.go:130'];
/**
 * The tracer's map, filled inside runtime code the stock leaves (runtime/trace.Start and its
 * reader goroutine) reach through runtime.StartTrace and runtime.ReadTrace, not by calling a map
 * function: a stock profile cannot tell it from those lines' other allocations.
 */
const TRACER = ['mapbloat.test/pie/main.go:178', 'runtime/trace/trace.go:130'];

const analyze = (argv: string[], files?: Record<string, Uint8Array>) => runJson(['analyze', ...argv], { files });
const full = (run: Run) => analyze([file(run, 'pie.full.pb.gz')]);
const withBinary = (run: Run, name: string) => analyze([file(run, name), '--binary', binary(run)]);

/** What the CLI prints when the binary of `run` does not fit the profile: exit 2, one line. */
const refusal = (run: Run, message: string) => ({
  code: 2,
  stdout: '',
  stderr: `mapbloat: ${binary(run)}: does not match the profile: ${message}\n`,
});

const valuesOnly = ({ function: fn, file, line, via, values }: Site) => ({ function: fn, file, line, via, values });
const whole = (s: Site) => ({ ...valuesOnly(s), phases: s.phases });

describe.each(RUNS)('%s', (run) => {
  it('text + binary equals the full-frame profile in every site, value and phase', async () => {
    const [reference, got] = await Promise.all([full(run), withBinary(run, 'pie.heap.txt')]);
    expect(reference.sites.map(where)).toContain('mapbloat.test/pie/main.go:91');
    expect(Object.keys(reference.sites[0].phases).sort()).toEqual(['assign', 'grow', 'overflow']);
    expect(got.totals).toEqual(reference.totals);
    expect(got.sites.map(whole)).toEqual(reference.sites.map(whole));
    expect(new Set(reference.sites.map((s) => s.evidence))).toEqual(new Set(['frames']));
    expect(new Set(got.sites.map((s) => s.evidence))).toEqual(new Set(['binary']));
  });

  it("stock protobuf + binary: every site and value but the tracer's; phases from the entry point and sizes", async () => {
    const [reference, got] = await Promise.all([full(run), withBinary(run, 'pie.pb.gz')]);
    const expected = reference.sites.filter((s) => !TRACER.includes(where(s)));
    expect(reference.sites.length - expected.length).toBe(2);
    expect(got.sites.map(valuesOnly)).toEqual(expected.map(valuesOnly));
    for (const [i, site] of got.sites.entries()) {
      // create from the entry point (makemap); grow and overflow from the sizes of the objects.
      expect(site.phasesFromSizes).toBe(true);
      expect(site.phases.create ?? null).toEqual(expected[i].phases.create ?? null);
      for (const phase of ['grow', 'overflow'] as const) {
        expect(site.phases[phase]?.alloc_space ?? 0, `${where(site)} ${phase}`).toBe(
          expected[i].phases[phase]?.alloc_space ?? 0,
        );
      }
    }
    const tracer = reference.sites.filter((s) => TRACER.includes(where(s)));
    const tracerValue = (type: string) => tracer.reduce((sum, s) => sum + s.values[type], 0);
    const map = Object.fromEntries(Object.entries(reference.totals.map!).map(([t, v]) => [t, v - tracerValue(t)]));
    expect(got.totals).toEqual({ heap: reference.totals.heap, map });
    expect(got.notes.map((n) => n.code)).toEqual(['call-sites-from-binary']);
  });
});

describe('the builds agree', () => {
  it('exe, pie, arm64-exe, arm64-pie, text + binary: every site but the hash-seed dependent ones', async () => {
    const reports = await Promise.all(RUNS.map((run) => withBinary(run, 'pie.heap.txt')));
    const seeded = (s: Site) => SEED_DEPENDENT.includes(where(s));
    const stable = reports.map((r) => r.sites.filter((s) => !seeded(s)).map(whole));
    expect(stable[0].length).toBe(7);
    for (const sites of stable.slice(1)) expect(sites).toEqual(stable[0]);
    for (const r of reports) expect(r.sites.filter(seeded).map(where).sort()).toEqual(SEED_DEPENDENT);
  });
});

describe('the load bias', () => {
  /** What the stock protobuf of the same process gives: its main mapping's start less the binary's address there. */
  const mappingBias = (run: Run) => {
    const main = decodeProfile(readFileSync(join(FIXTURES, `pie/out/${run}/pie.pb.gz`))).mappings[0];
    return main.start - symbolizer(run).linkAddress(main.start, main)!;
  };

  it.each(RUNS)("%s: the text's # lines give the bias the stock profile's main mapping gives", (run) => {
    expect(symbolizer(run).textLoadBias(shownFrames(run))).toBe(mappingBias(run));
  });

  it('amd64 PIE: 0x55c509d63000, where ASLR put it less the link address 0x400000', () => {
    expect(symbolizer('pie').textLoadBias(shownFrames('pie'))).toBe(0x55c509d63000);
    expect(mappingBias('pie')).toBe(0x55c509d63000);
  });

  it('arm64 PIE: 0x2ac20000, where qemu put it less the link address 0x10000', () => {
    expect(symbolizer('arm64-pie').textLoadBias(shownFrames('arm64-pie'))).toBe(0x2ac20000);
  });

  it('a PIE that ran at its link address: 0', () => {
    const atLink = shownFrames('pie').map((stack) => stack.map((f) => ({ ...f, pc: f.pc - 0x55c509d63000 })));
    expect(symbolizer('pie').textLoadBias(atLink)).toBe(0);
  });

  it('an executable (ET_EXEC) runs where it was linked: 0, whatever the text says', () => {
    expect(symbolizer('exe').textLoadBias(shownFrames('pie'))).toBe(0);
  });

  it('an empty profile: nothing to go by, 0', () => {
    expect(symbolizer('pie').textLoadBias([])).toBe(0);
  });
});

describe('a binary that did not write the profile: exit 2 with one line', () => {
  /** The PIE text with its first `from` reading `to`, on stdin. */
  const edited = (from: string, to: string) => {
    expect(text('pie')).toContain(from);
    return { stdin: Buffer.from(text('pie').replace(from, to)) };
  };
  const fromStdin = ['analyze', '-', '--binary', binary('pie')];

  it.each([
    [
      'the PIE text, the executable',
      file('pie', 'pie.heap.txt'),
      'exe',
      'address 0x55c50a17086e is outside its code (0x401000–0x4bf75f)',
    ],
    [
      'the executable text, the PIE',
      file('exe', 'pie.heap.txt'),
      'pie',
      'its # lines give two load biases, -0x260 (main.buildGrown+0xb3 at 0x4be313)' +
        ' and -0x140 (runtime.main+0x211 at 0x437571)',
    ],
    [
      'the arm64 PIE text, the amd64 PIE',
      file('arm64-pie', 'pie.heap.txt'),
      'pie',
      'its # lines give two load biases, 0x2a828db0 (main.buildGrown+0xaf at 0x2ace731f)' +
        ' and 0x2a828e80 (main.main+0x19f at 0x2ace835f)',
    ],
    [
      'the PIE protobuf, the executable',
      file('pie', 'pie.pb.gz'),
      'exe',
      'at 0x55c50a20f989 the profile has runtime/pprof.writeHeapInternal line 565,' +
        ' the binary runtime/pprof.writeHeapInternal line 587',
    ],
    [
      'the executable protobuf, the PIE',
      file('exe', 'pie.pb.gz'),
      'pie',
      'at 0x4ac729 the profile has runtime/pprof.writeHeapInternal line 565,' +
        ' the binary runtime/pprof.printStackRecord line 517',
    ],
  ] as const)('%s', async (_, profile, run, message) => {
    expect(await runCli(['analyze', profile, '--binary', binary(run)])).toEqual(refusal(run, message));
  });

  it("a # line whose function's offset disagrees: two load biases", async () => {
    const stdin = edited('0x55c50a221573\tmain.buildGrown+0xb3\t', '0x55c50a221573\tmain.buildGrown+0xb4\t');
    expect(await runCli(fromStdin, stdin)).toEqual(
      refusal(
        'pie',
        'its # lines give two load biases, 0x55c509d62fff (main.buildGrown+0xb4 at 0x55c50a221573)' +
          ' and 0x55c509d63000 (main.main+0x156 at 0x55c50a222496)',
      ),
    );
  });

  it("an inlined frame's offset that disagrees (the bias comes from the others)", async () => {
    const stdin = edited('0x55c50a22189a\tstrconv.Itoa+0x5a\t', '0x55c50a22189a\tstrconv.Itoa+0x5b\t');
    expect(await runCli(fromStdin, stdin)).toEqual(
      refusal('pie', 'strconv.Itoa+0x5b at 0x55c50a22189a is 0x5a bytes into its function in the binary'),
    );
  });

  it('a bias that is not a whole number of pages', async () => {
    // Every offset one byte short, as if the program had been loaded one byte higher.
    const shorter = (_: string, off: string) => `+0x${(parseInt(off, 16) - 1).toString(16)}\t`;
    const stdin = Buffer.from(text('pie').replace(/\+0x([0-9a-f]+)\t/g, shorter));
    expect(await runCli(fromStdin, { stdin })).toEqual(
      refusal(
        'pie',
        'its # lines give load bias 0x55c509d63001 (main.buildGrown+0xb2 at 0x55c50a221573),' +
          ' not a whole number of pages',
      ),
    );
  });
});

// The stock protobuf rewritten the way other writers leave it.
type Message = {
  mapping: Array<{ memory_limit: number; file_offset: number }>;
  location: Array<{ mapping_id: number; line: unknown[] }>;
  function: unknown[];
};
function rewrite(run: Run, edit: (m: Message) => void): Uint8Array {
  const bytes = gunzipSync(readFileSync(join(FIXTURES, `pie/out/${run}/pie.pb.gz`)));
  const message = ProfileType.toObject(ProfileType.decode(bytes), { longs: Number }) as Message;
  edit(message);
  return ProfileType.encode(ProfileType.fromObject(message)).finish();
}

describe('mappings', () => {
  it.each(RUNS)("%s: the main mapping is the binary's first PT_LOAD, wherever the loader put it", (run) => {
    const main = decodeProfile(readFileSync(join(FIXTURES, `pie/out/${run}/pie.pb.gz`))).mappings[0];
    const [code] = parseElf(binaryBytes(run), DEFAULT_LIMITS).segments;
    expect([main.offset, code.offset]).toEqual([0, 0]);
    const s = symbolizer(run);
    const last = main.start + code.filesz - 1;
    expect([main.start, last].map((a) => s.linkAddress(a, main))).toEqual([code.vaddr, code.vaddr + code.filesz - 1]);
    // Outside the mapping, and in its page-rounded tail that the file has no bytes for.
    expect([main.start - 1, main.limit, last + 1].map((a) => s.linkAddress(a, main))).toEqual([null, null, null]);
  });

  it('a main mapping of limit 0: the addresses are taken as they are', async () => {
    const files = { '/mem/limit0.pb': rewrite('exe', (m) => void (m.mapping[0].memory_limit = 0)) };
    const got = await analyze(['/mem/limit0.pb', '--binary', binary('exe')], files);
    expect(got.sites.map(whole)).toEqual((await withBinary('exe', 'pie.pb.gz')).sites.map(whole));
  });

  it('a PIE profile without mappings: its addresses are not the binary’s, and are checked', async () => {
    const unmapped = (m: Message) => {
      m.mapping = [];
      for (const l of m.location) l.mapping_id = 0;
    };
    const files = { '/mem/unmapped.pb': rewrite('pie', unmapped) };
    expect(await runCli(['analyze', '/mem/unmapped.pb', '--binary', binary('pie')], { files })).toEqual(
      refusal('pie', 'address 0x55c50a20f98a is outside its code (0x401000–0x4bf9bf)'),
    );
  });

  it('a main mapping of file bytes the binary does not have', async () => {
    const files = { '/mem/offset.pb': rewrite('pie', (m) => void (m.mapping[0].file_offset = 0x1000000)) };
    expect(await runCli(['analyze', '/mem/offset.pb', '--binary', binary('pie')], { files })).toEqual(
      refusal('pie', 'the profile has code at 0x55c50a20f989 (file offset 0x10ac989), the binary has none there'),
    );
  });

  it('an unsymbolized PIE profile: every location named through its mapping', async () => {
    const unnamed = (m: Message) => {
      for (const l of m.location) l.line = [];
      m.function = [];
    };
    const files = { '/mem/bare.pb': rewrite('pie', unnamed) };
    const bare = await analyze(['/mem/bare.pb', '--binary', binary('pie')], files);
    const named = await withBinary('pie', 'pie.pb.gz');
    expect(bare.sites.length).toBe(7);
    expect(bare.sites.map(valuesOnly)).toEqual(named.sites.map(valuesOnly));
    expect(bare.totals).toEqual(named.totals);
  });
});

const RELA_SIZE = 24;
/** The PIE with zeros in every word the loader relocates, as lld leaves them (without --apply-dynamic-relocs). */
function zeroed(run: Run): Buffer {
  const bytes = binaryBytes(run);
  const elf = parseElf(bytes, DEFAULT_LIMITS);
  for (const addr of elf.relocated.keys()) bytes.fill(0, fileOffset(elf, addr, 8)!, fileOffset(elf, addr, 8)! + 8);
  return bytes;
}

describe('relocations', () => {
  const PIES = ['pie', 'arm64-pie'] as const;

  it.each(PIES)('%s: every entry of .rela is relative, and the file holds its addend too', (run) => {
    const bytes = binaryBytes(run);
    const elf = parseElf(bytes, DEFAULT_LIMITS);
    expect(elf.pie).toBe(true);
    expect(elf.relocated.size).toBe(elf.sections.find((s) => s.name === '.rela')!.size / RELA_SIZE);
    const fileWord = (addr: number) => Number(bytes.readBigUInt64LE(fileOffset(elf, addr, 8)!));
    expect([...elf.relocated].filter(([addr, value]) => fileWord(addr) !== value)).toEqual([]);
  });

  it.each(['exe', 'arm64-exe'] as const)('%s: no relocations, not a PIE', (run) => {
    const elf = parseElf(binaryBytes(run), DEFAULT_LIMITS);
    expect([elf.pie, elf.relocated.size]).toEqual([false, 0]);
  });

  it.each(PIES)('%s: moduledata and the type descriptors found through the relocations alone', (run) => {
    const elf = parseElf(zeroed(run), DEFAULT_LIMITS);
    const original = readPclntab(parseElf(binaryBytes(run), DEFAULT_LIMITS)).moduleTypes;
    expect(original).not.toBe(null);
    expect(readPclntab(elf).moduleTypes).toEqual(original);
    expect(readPclntab({ ...elf, relocated: new Map() }).moduleTypes).toBe(null);
    const mapTypes = (bytes: Uint8Array) => symbolizerFor(bytes, DEFAULT_LIMITS).mapTypes();
    expect(mapTypes(zeroed(run))).toEqual(mapTypes(binaryBytes(run)));
  });

  it.each(PIES)('%s with zeros where the loader writes: the same reports', async (run) => {
    const files = { '/mem/zeroed': zeroed(run) };
    for (const name of ['pie.heap.txt', 'pie.pb.gz']) {
      expect(await analyze([file(run, name), '--binary', '/mem/zeroed'], files)).toEqual(await withBinary(run, name));
    }
  });
});

describe('a corrupt PIE', () => {
  const DT_RELASZ = 8;
  const DT_RELAENT = 9;
  const records = parseHeapText(Buffer.from(text('pie'))).records;
  /** Reads bytes and symbolizes the PIE text: null, or the BinaryError's message. */
  function outcome(bytes: Uint8Array): string | null {
    return binaryErrorOf(() => {
      const s = symbolizerFor(bytes, DEFAULT_LIMITS);
      const bias = s.textLoadBias(records.map((r) => r.shown));
      for (const r of records) s.stackFrames(r.pcs.map((pc) => pc - bias));
      s.mapTypes();
    });
  }
  /** The file offset of the value of the dynamic section's entry `tag`. */
  const dynamicValue = (bytes: Buffer, tag: number) => {
    const dynamic = parseElf(bytes, DEFAULT_LIMITS).sections.find((s) => s.name === '.dynamic')!;
    for (let o = dynamic.offset; ; o += 16) if (Number(bytes.readBigUInt64LE(o)) === tag) return o + 8;
  };

  it('relocations of another size', () => {
    const bytes = binaryBytes('pie');
    bytes.writeBigUInt64LE(16n, dynamicValue(bytes, DT_RELAENT));
    expect(outcome(bytes)).toBe('is truncated or corrupt: the dynamic section gives 16-byte relocations, not 24');
  });

  it('a relocation table larger than the file', () => {
    const bytes = binaryBytes('pie');
    bytes.writeBigUInt64LE(1n << 40n, dynamicValue(bytes, DT_RELASZ));
    expect(outcome(bytes)).toBe('is truncated or corrupt: the relocations lie outside the file');
  });

  it('mutated relocations of moduledata, in a PIE with zeros there: symbolize, or throw a BinaryError', () => {
    const original = zeroed('pie');
    const elf = parseElf(original, DEFAULT_LIMITS);
    const section = (name: string) => elf.sections.find((x) => x.name === name)!;
    const [rela, dynamic] = [section('.rela'), section('.dynamic')];
    const pclntab = section('.data.rel.ro.gopclntab').addr;
    const moduledata = [...elf.relocated].find(([, value]) => value === pclntab)![0];
    // The dynamic section, and the .rela entries of moduledata's words (text, types, gofunc, …).
    const entries: Array<[number, number]> = [[dynamic.offset, dynamic.size]];
    for (let o = rela.offset; o < rela.offset + rela.size; o += RELA_SIZE) {
      const target = Number(original.readBigUInt64LE(o));
      if (target >= moduledata && target < moduledata + 400) entries.push([o, RELA_SIZE]);
    }
    expect(entries.length).toBeGreaterThan(20);
    const rnd = seededRandom(20261124);
    const messages = new Map<string | null, number>();
    for (let k = 0; k < 80; k++) {
      const [start, size] = entries[rnd(entries.length)];
      const at = start + rnd(size - 7);
      const bytes = Buffer.from(original);
      const op = rnd(3);
      if (op === 0) bytes[at] ^= 1 << rnd(8);
      else bytes.fill(op === 1 ? 0xff : 0, at, at + 8);
      const result = outcome(bytes);
      messages.set(result, (messages.get(result) ?? 0) + 1);
    }
    expect(messages.get(null)).toBeGreaterThan(0);
    expect(messages.size).toBeGreaterThan(3);
  });
});
