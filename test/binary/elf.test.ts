import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/binary/elf.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { parseHeapText } from '../../src/pprof/text.js';
import { FIXTURES } from '../helpers.js';

const bin = (path: string) => gunzipSync(readFileSync(`${FIXTURES}/${path}`));

describe('ELF and pclntab', () => {
  it('reads the GNU build ID that Go 1.24 also writes into the stock profile', () => {
    expect(parseElf(bin('go1.24/bin/leak.gz')).gnuBuildId).toBe(decodeProfile(readFileSync(`${FIXTURES}/go1.24/leak_4.pb.gz`)).mappings[0].buildId);
    expect(parseElf(bin('go1.19/bin/leak.gz')).gnuBuildId).toBe('');
  });

  it.each(['go1.19/bin/multi.gz', 'go1.24/bin/multi.gz'])('%s: finds pclntab and inline trees without section headers', (path) => {
    const whole = bin(path);
    const headless = Uint8Array.from(whole);
    headless.fill(0, 0x3c, 0x3e); // e_shnum = 0: no sections at all
    expect(parseElf(headless).sections).toEqual([]);
    const text = parseHeapText(readFileSync(`${FIXTURES}/${path.replace(/bin\/multi\.gz$/, 'multi.heap.txt')}`));
    const pcs = text.records.flatMap((r) => r.pcs);
    expect(symbolizerFor(headless).stackFrames(pcs)).toEqual(symbolizerFor(whole).stackFrames(pcs));
  });

  it('names the generic function inlined into main.main by its inline-tree name', () => {
    const text = parseHeapText(readFileSync(`${FIXTURES}/go1.24/multi.heap.txt`));
    const frames = text.records.flatMap((r) => symbolizerFor(bin('go1.24/bin/multi.gz')).stackFrames(r.pcs).flat());
    expect(frames.map((f) => f.function)).toContain('main.Index[go.shape.int,go.shape.struct { ID int; Name string }]');
  });
});
