import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { symbolizerFor } from '../../src/binary/symbolize.js';
import { BinaryError, InputError } from '../../src/errors.js';
import { DEFAULT_LIMITS } from '../../src/limits.js';
import { FIXTURES, fixture, runCli } from '../helpers.js';
import { tinyElf } from './tiny-elf.js';

const SUPPORTED = 'mapbloat reads 64-bit little-endian linux/amd64 and linux/arm64 Go binaries';
const NOT_ELF = 'is not an ELF executable (mapbloat reads Linux Go binaries)';
const refusal = (bytes: Uint8Array) => {
  try {
    symbolizerFor(bytes, DEFAULT_LIMITS);
  } catch (err) {
    expect(err).toBeInstanceOf(BinaryError);
    return (err as BinaryError).message;
  }
  throw new Error('accepted');
};

describe('what mapbloat does not read is refused by name', () => {
  it.each([
    ['32-bit ARM', { elfClass: 1, machine: 40 }, `is a 32-bit ARM ELF executable; ${SUPPORTED}`],
    ['386', { elfClass: 1, machine: 3 }, `is a 32-bit x86 ELF executable; ${SUPPORTED}`],
    ['ppc64', { order: 2, machine: 21 }, `is a 64-bit big-endian PowerPC ELF executable; ${SUPPORTED}`],
    ['ppc64le', { machine: 21 }, `is a 64-bit PowerPC ELF executable; ${SUPPORTED}`],
    ['s390x', { order: 2, machine: 22 }, `is a 64-bit big-endian IBM Z ELF executable; ${SUPPORTED}`],
    ['riscv64', { machine: 243 }, `is a 64-bit RISC-V ELF executable; ${SUPPORTED}`],
    ['loong64', { machine: 258 }, `is a 64-bit LoongArch ELF executable; ${SUPPORTED}`],
    ['big-endian arm64', { order: 2, machine: 183 }, `is a 64-bit big-endian ARM64 ELF executable; ${SUPPORTED}`],
    ['an unknown machine', { machine: 0x1234 }, `is a 64-bit ELF executable for machine 4660; ${SUPPORTED}`],
    ['a core dump', { type: 4 }, `is a 64-bit x86-64 ELF core file; ${SUPPORTED}`],
    ['an object file', { type: 1 }, `is a 64-bit x86-64 ELF object file; ${SUPPORTED}`],
  ] as const)('%s', (_, header, message) => {
    expect(refusal(tinyElf(header))).toBe(message);
  });

  it.each([
    ['Mach-O', 'cffaedfe07000001', `is a Mach-O file (macOS); ${SUPPORTED}`],
    ['32-bit Mach-O', 'feedface00000007', `is a Mach-O file (macOS); ${SUPPORTED}`],
    ['a universal Mach-O', 'cafebabe00000002', `is a Mach-O universal file (macOS); ${SUPPORTED}`],
    ['PE', '4d5a900003000000', `is a PE file (Windows); ${SUPPORTED}`],
    ['a Java class file', 'cafebabe00000041', NOT_ELF],
    ['text', Buffer.from('{"name": "x"}').toString('hex'), NOT_ELF],
  ])('%s, by its magic bytes', (_, hex, message) => {
    expect(refusal(Buffer.concat([Buffer.from(hex, 'hex'), Buffer.alloc(64)]))).toBe(message);
  });

  it('an ELF executable that Go did not build', () => {
    expect(refusal(tinyElf({}))).toBe("is not a Go binary: it has no pclntab (Go's function table)");
  });

  it('a binary of Go 1.17 or older', () => {
    const bytes = gunzipSync(readFileSync(`${FIXTURES}/go1.19/bin/multi.gz`));
    bytes.writeUInt32LE(0xfffffffa, 0x105800); // the .gopclntab magic of Go 1.16-1.17
    expect(refusal(bytes)).toBe('was built by Go 1.17 or older; mapbloat reads binaries of Go 1.18 and later');
  });

  it('a binary larger than --max-binary-size', () => {
    const bytes = gunzipSync(readFileSync(`${FIXTURES}/go1.19/bin/multi.gz`));
    expect(() => symbolizerFor(bytes, { binaryBytes: 1_000_000 })).toThrow(
      new InputError('the binary is 1.6 MiB, past 976.6 KiB (--max-binary-size): raise the limit if it is real'),
    );
    expect(() => symbolizerFor(bytes, { binaryBytes: 1_000_000 })).toThrow(InputError);
    expect(symbolizerFor(bytes, { binaryBytes: bytes.length }).buildId).toBe('');
  });

  it('the CLI prints the refusal after the file name, with no stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapbloat-'));
    const path = join(dir, 'server-arm');
    writeFileSync(path, tinyElf({ elfClass: 1, machine: 40 }));
    try {
      expect(await runCli(['analyze', fixture('go1.24/leak_4.heap.txt'), '--binary', path])).toEqual({
        code: 2,
        stdout: '',
        stderr: `mapbloat: ${path}: is a 32-bit ARM ELF executable; ${SUPPORTED}\n`,
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
