import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../src/binary/elf.js';
import { readPclntab } from '../../src/binary/pclntab.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { decodeProfile } from '../../src/pprof/decode.js';
import { parseHeapText } from '../../src/pprof/text.js';
import { FIXTURES } from '../helpers.js';

const bin = (path: string) => gunzipSync(readFileSync(`${FIXTURES}/${path}`));

describe('ELF and pclntab', () => {
  it('reads the GNU build ID that Go 1.24 also writes into the stock profile', () => {
    const profile = decodeProfile(readFileSync(`${FIXTURES}/go1.24/leak_4.pb.gz`));
    expect(parseElf(bin('go1.24/bin/leak.gz'), DEFAULT_LIMITS).gnuBuildId).toBe(profile.mappings[0].buildId);
    expect(parseElf(bin('go1.19/bin/leak.gz'), DEFAULT_LIMITS).gnuBuildId).toBe('');
  });

  it.each([
    ['go1.19', '1.18'],
    ['go1.24', '1.20'],
  ])('%s: the pclntab layout of Go %s', (version, layout) => {
    expect(readPclntab(parseElf(bin(`${version}/bin/multi.gz`), DEFAULT_LIMITS)).goLayout).toBe(layout);
  });

  it.each(['go1.19', 'go1.24'])('%s: finds pclntab and inline trees without section headers', (version) => {
    const whole = bin(`${version}/bin/multi.gz`);
    const headless = Uint8Array.from(whole);
    headless.fill(0, 0x3c, 0x3e); // e_shnum = 0: no sections at all
    expect(parseElf(headless, DEFAULT_LIMITS).sections).toEqual([]);
    const pcs = parseHeapText(readFileSync(`${FIXTURES}/${version}/multi.heap.txt`)).records.flatMap((r) => r.pcs);
    const frames = (bytes: Uint8Array) => symbolizerFor(bytes, DEFAULT_LIMITS).stackFrames(pcs);
    expect(frames(headless)).toEqual(frames(whole));
  });

  it('names the generic function inlined into main.main by its inline-tree name', () => {
    const text = parseHeapText(readFileSync(`${FIXTURES}/go1.24/multi.heap.txt`));
    const symbolizer = symbolizerFor(bin('go1.24/bin/multi.gz'), DEFAULT_LIMITS);
    const frames = text.records.flatMap((r) => symbolizer.stackFrames(r.pcs).flat());
    expect(frames.map((f) => f.function)).toContain('main.Index[go.shape.int,go.shape.struct { ID int; Name string }]');
  });
});
