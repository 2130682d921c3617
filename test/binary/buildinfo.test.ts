import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readBuildInfo } from '../../src/binary/buildinfo.js';
import { parseElf } from '../../src/binary/elf.js';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { BinaryError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { FIXTURES } from '../helpers.js';
import { PF_R, PF_W, tinyElf } from './tiny-elf.js';

// What Go's debug/buildinfo, the package behind `go version -m`, reads from every bundled binary
// (fixtures/binary/build.sh wrote it; `go version -m` of Go 1.19 and 1.23 prints the same).
const EXPECTED_FILE = new URL('buildinfo.expected.json', import.meta.url);
const EXPECTED = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, unknown>;
const bin = (path: string) => gunzipSync(readFileSync(`${FIXTURES}/${path}`));
const headless = (bytes: Uint8Array) => {
  const copy = Uint8Array.from(bytes);
  copy.fill(0, 0x3c, 0x3e); // e_shnum = 0: found in the data segment, not in .go.buildinfo
  return copy;
};

describe('build info', () => {
  it.each(Object.keys(EXPECTED))('%s: what go version -m shows', (path) => {
    expect(symbolizerFor(bin(path), DEFAULT_LIMITS).buildInfo).toEqual(EXPECTED[path]);
  });

  const samples = ['binary/gopath-hello.gz', 'binary/vendored.gz', 'go1.19/bin/leak.gz'];
  it.each(samples)('%s: the same without section headers', (path) => {
    expect(symbolizerFor(headless(bin(path)), DEFAULT_LIMITS).buildInfo).toEqual(EXPECTED[path]);
  });

  it('a GOPATH build has a path and no main module; a module build its dependencies and replacements', () => {
    const gopath = symbolizerFor(bin('binary/gopath-hello.gz'), DEFAULT_LIMITS).buildInfo!;
    expect([gopath.path, gopath.mainModule, gopath.deps]).toEqual(['example.com/hello', null, []]);
    expect(gopath.settings['-ldflags']).toBe('-s -w');
    expect(symbolizerFor(bin('binary/vendored.gz'), DEFAULT_LIMITS).buildInfo!.deps).toEqual([
      { path: 'example.com/greet', version: 'v1.0.0', replace: { path: './greet', version: '(devel)' } },
      { path: 'github.com/patrickmn/go-cache', version: 'v2.1.0+incompatible' },
    ]);
  });

  it('Go 1.13-1.17: the two strings through pointers to Go string headers', () => {
    const base = 0x500000;
    const data = Buffer.alloc(32 + 32 + 64);
    Buffer.from('\xff Go buildinf:', 'latin1').copy(data);
    data.writeUInt8(8, 14); // pointer size; flags 0: little-endian, pointers
    data.writeBigUInt64LE(BigInt(base + 32), 16);
    data.writeBigUInt64LE(BigInt(base + 48), 24);
    const version = 'go1.17.13';
    const modinfo = framed('path\texample.com/old\nmod\texample.com/old\t(devel)\t\n');
    data.writeBigUInt64LE(BigInt(base + 64), 32);
    data.writeBigUInt64LE(BigInt(version.length), 40);
    data.writeBigUInt64LE(BigInt(base + 64 + version.length), 48);
    data.writeBigUInt64LE(BigInt(modinfo.length), 56);
    const segment = Buffer.concat([data.subarray(0, 64), Buffer.from(version), modinfo]);
    const bytes = tinyElf({ segments: [{ vaddr: base, flags: PF_R | PF_W, data: segment }] });
    expect(readBuildInfo(parseElf(bytes, DEFAULT_LIMITS))).toEqual({
      goVersion: 'go1.17.13',
      path: 'example.com/old',
      mainModule: { path: 'example.com/old', version: '(devel)' },
      deps: [],
      settings: {},
    });
  });

  it('none in an ELF file the go command did not build', () => {
    const bytes = tinyElf({ segments: [{ vaddr: 0x500000, flags: PF_R | PF_W, data: Buffer.alloc(64) }] });
    expect(readBuildInfo(parseElf(bytes, DEFAULT_LIMITS))).toBeNull();
  });

  it('quoted keys and values are Go string literals', () => {
    const lines = ['build\t"a=b"="x y\\t\\u00e9\\101\\x42"', 'build\traw=`say "hi"`', 'build\tempty=', 'unknown\tline'];
    const info = inline(`${lines.join('\n')}\n`);
    expect(info.settings).toEqual({ 'a=b': 'x y\téAB', raw: 'say "hi"', empty: '' });
  });

  it('module information without its sentinels reads as empty', () => {
    const empty = { goVersion: 'go1.23.5', path: null, mainModule: null, deps: [], settings: {} };
    expect(inline('path\tx\n', false)).toEqual(empty);
  });

  it.each([
    ['=>\ta\tv1.0.0\n', 'build info line 1: replacement with no module on previous line'],
    ['dep\tonly-a-path\n', 'build info line 1: expected 2 or 3 columns; got 1'],
    ['path\tp\ndep\ta\tv1\n=>\tb\n', 'build info line 3: expected 2 or 3 columns for replacement; got 1'],
    ['build\tk=a b\n', 'build info line 1: unquoted value must be quoted'],
    ['build\tk"=v\n', 'build info line 1: unquoted key must be quoted'],
    ['build\t"k\\q"=v\n', 'build info line 1: invalid quoted key in build line'],
    ['build\t"k"v\n', 'build info line 1: unexpected character after quoted key: "v"'],
    ['build\tk="v\n', 'build info line 1: invalid quoted value in build line'],
    ['build\tnothing\n', "build info line 1: build line missing '=' after key"],
    ['build\t=v\n', 'build info line 1: build line with missing key'],
  ])('a malformed line: %j', (text, message) => {
    expect(() => inline(text)).toThrow(new BinaryError(`is truncated or corrupt: ${message}`));
  });

  it('strings that run past the end of the section', () => {
    expect(() => inline('path\tx\n', true, 1)).toThrow(
      new BinaryError('is truncated or corrupt: the module information runs past the end of the build info'),
    );
  });
});

/** runtime.modinfo: the text between cmd/go's sentinels (modload.infoStart and infoEnd). */
function framed(text: string): Buffer {
  const start = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
  const end = Buffer.from('f932433186182072008242104116d8f2', 'hex');
  return Buffer.concat([start, Buffer.from(text), end]);
}

/** The build info of a tiny ELF whose .go.buildinfo holds the Go 1.18+ inline strings. */
function inline(text: string, withSentinels = true, cut = 0) {
  const header = Buffer.alloc(32);
  Buffer.from('\xff Go buildinf:', 'latin1').copy(header);
  header.set([8, 2], 14); // pointer size, flags: inline strings
  const version = Buffer.from('go1.23.5');
  const modinfo = withSentinels ? framed(text) : Buffer.from(text);
  const data = Buffer.concat([header, Buffer.from([version.length]), version, uvarint(modinfo.length), modinfo]);
  const section = { name: '.go.buildinfo', addr: 0x500000, data: data.subarray(0, data.length - cut) };
  const elf = tinyElf({ sections: [section] });
  return readBuildInfo(parseElf(elf, DEFAULT_LIMITS))!;
}

function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  for (; n >= 0x80; n >>>= 7) bytes.push((n & 0x7f) | 0x80);
  return Buffer.from([...bytes, n]);
}
