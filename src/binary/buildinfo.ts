import { fileOffset, loadedRegion, sectionRegion, type ElfFile } from './elf.js';
import { corrupt, Region } from './region.js';

/**
 * What `go version -m` shows: the toolchain and module versions the go command writes into every
 * binary it builds, read like debug/buildinfo.Read and parsed like runtime/debug.ParseBuildInfo.
 */
export interface BuildInfo {
  /** The toolchain's runtime.Version(): "go1.19.8". */
  readonly goVersion: string;
  /** The main package's import path (the `path` line); null without one. */
  readonly path: string | null;
  /** The main module (the `mod` line); null in a GOPATH build. */
  readonly mainModule: GoModule | null;
  /** The modules that provide packages to the build (`dep` lines), each with its `=>` replacement. */
  readonly deps: readonly GoModule[];
  /** `build` lines: -compiler, -ldflags, CGO_ENABLED, GOARCH, vcs.revision, … */
  readonly settings: Readonly<Record<string, string>>;
}

export interface GoModule {
  readonly path: string;
  /** A semantic version, "(devel)" for the main module and directory replacements. */
  readonly version: string;
  readonly replace?: { readonly path: string; readonly version: string };
}

/** debug/buildinfo's buildInfoMagic, the start of a 32-byte header. */
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
/** debug/buildinfo looks for the magic in the first 64 KiB of the data. */
const SEARCH_SIZE = 64 * 1024;
/** Since Go 1.18 the header's flags byte has bit 2 set and the two strings follow it inline. */
const FLAG_INLINE_STRINGS = 2;
const FLAG_BIG_ENDIAN = 1;

/** The build info of a Go binary; null when it has none (Go before 1.13, or not built by the go command). */
export function readBuildInfo(elf: ElfFile): BuildInfo | null {
  const blob = findBlob(elf);
  if (blob === null) return null;
  const { version, modinfo } = blobStrings(elf, blob);
  if (version.length === 0) throw corrupt('the build info gives no Go version');
  return parseModinfo(Buffer.from(version).toString('utf8'), unframe(modinfo));
}

/**
 * The header and what follows it, at a 16-byte boundary in the .go.buildinfo section or, without
 * section headers, in the first writable and not executable segment, which the linker starts
 * with that section (debug/buildinfo's elfExe.DataStart).
 */
function findBlob(elf: ElfFile): Region | null {
  const section = elf.sections.find((s) => s.name === '.go.buildinfo');
  const data = section === undefined ? dataSegment(elf) : sectionRegion(elf, section);
  if (data === null) return null;
  for (let o = 0; o + HEADER_SIZE <= Math.min(data.length, SEARCH_SIZE); o += 16) {
    if (MAGIC.every((b, i) => data.bytes[o + i] === b)) return data.sub(o, data.length - o, 'the build info');
  }
  return null;
}

const PF_X = 1;
const PF_W = 2;

/** The first PT_LOAD segment that is writable and not executable. */
function dataSegment(elf: ElfFile): Region | null {
  const seg = elf.segments.find((s) => (s.flags & (PF_X | PF_W)) === PF_W);
  return seg === undefined ? null : elf.file.sub(seg.offset, seg.filesz, 'the data segment');
}

/** runtime.buildVersion and runtime.modinfo: inline since Go 1.18, through pointers before. */
function blobStrings(elf: ElfFile, blob: Region): { version: Uint8Array; modinfo: Uint8Array } {
  const [ptrSize, flags] = [blob.u8(14, 'the build info header'), blob.u8(15, 'the build info header')];
  if (flags & FLAG_INLINE_STRINGS) {
    let p = HEADER_SIZE;
    const next = (what: string) => {
      const { value: n, end } = blob.uvarint(p, what);
      p = end + n;
      return blob.sub(end, n, what).bytes;
    };
    return { version: next('the Go version'), modinfo: next('the module information') };
  }
  if (ptrSize !== 8 || flags & FLAG_BIG_ENDIAN) {
    throw corrupt(`the build info gives ${ptrSize}-byte ${flags & FLAG_BIG_ENDIAN ? 'big' : 'little'}-endian pointers`);
  }
  return {
    version: goString(elf, blob.u64(16, 'the build info header'), 'the Go version'),
    modinfo: goString(elf, blob.u64(24, 'the build info header'), 'the module information'),
  };
}

/** The bytes of the Go string header (pointer, length) at addr. */
function goString(elf: ElfFile, addr: number, what: string): Uint8Array {
  const header = loadedRegion(elf, addr, 16, what);
  if (header === null) throw corrupt(`${what} in the build info lies outside the file`);
  const [data, length] = [header.pointer(0, what), header.u64(8, what)];
  const at = fileOffset(elf, data, length);
  if (at === null) throw corrupt(`${what} in the build info lies outside the file`);
  return elf.file.sub(at, length, what).bytes;
}

/**
 * cmd/go wraps the module information in two 16-byte sentinels (modload.infoStart, infoEnd)
 * that debug/buildinfo strips, and reads as empty without them.
 */
function unframe(modinfo: Uint8Array): string {
  const framed = modinfo.length >= 33 && modinfo[modinfo.length - 17] === 0x0a;
  return framed ? Buffer.from(modinfo.subarray(16, modinfo.length - 16)).toString('utf8') : '';
}

type Module = { path: string; version: string; replace?: { path: string; version: string } };

/** runtime/debug.ParseBuildInfo: tab-separated lines; unknown and blank ones are skipped. */
function parseModinfo(goVersion: string, text: string): BuildInfo {
  let path: string | null = null;
  let mainModule: Module | null = null;
  const deps: Module[] = [];
  const settings: Array<[string, string]> = [];
  let last: Module | null = null; // the module a `=>` line replaces: the one on the line before
  const lines = text.split('\n').slice(0, -1); // only lines that end in a newline count
  for (const [i, line] of lines.entries()) {
    const fail = (reason: string) => corrupt(`build info line ${i + 1}: ${reason}`);
    const [word, rest] = splitOnce(line, '\t');
    if (rest === null) continue;
    if (word === 'path') {
      path = rest;
    } else if (word === 'mod') {
      last = mainModule = moduleLine(rest, fail);
    } else if (word === 'dep') {
      deps.push((last = moduleLine(rest, fail)));
    } else if (word === '=>') {
      const replace = moduleLine(rest, fail, ' for replacement');
      if (last === null) throw fail('replacement with no module on previous line');
      last.replace = replace;
      last = null;
    } else if (word === 'build') {
      settings.push(buildSetting(rest, fail));
    }
  }
  return { goVersion, path, mainModule, deps, settings: Object.fromEntries(settings) };
}

function splitOnce(s: string, sep: string): [string, string | null] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, null] : [s.slice(0, at), s.slice(at + sep.length)];
}

/** path, version and an optional checksum, which mapbloat has no use for. */
function moduleLine(rest: string, fail: (reason: string) => Error, kind = ''): Module {
  const columns = rest.split('\t');
  if (columns.length !== 2 && columns.length !== 3) throw fail(`expected 2 or 3 columns${kind}; got ${columns.length}`);
  return { path: columns[0], version: columns[1] };
}

/** `key=value`, either side a Go string literal when it holds a space, tab, quote or newline (and the key an '='). */
function buildSetting(kv: string, fail: (reason: string) => Error): [string, string] {
  if (kv.length === 0) throw fail("build line missing '='");
  let key: string;
  let raw: string;
  if (kv[0] === '=') throw fail('build line with missing key');
  if (kv[0] === '"' || kv[0] === '`') {
    const quoted = goStringPrefix(kv);
    if (quoted === null) throw fail('invalid quoted key in build line');
    if (kv.length === quoted.length) throw fail("build line missing '=' after quoted key");
    const after = kv[quoted.length];
    if (after !== '=') throw fail(`unexpected character after quoted key: ${JSON.stringify(after)}`);
    [key, raw] = [quoted.value, kv.slice(quoted.length + 1)];
  } else {
    const [k, v] = splitOnce(kv, '=');
    if (v === null) throw fail("build line missing '=' after key");
    if (/[= \t\r\n"`]/.test(k)) throw fail('unquoted key must be quoted');
    [key, raw] = [k, v];
  }
  if (raw[0] !== '"' && raw[0] !== '`') {
    if (/[ \t\r\n"`]/.test(raw)) throw fail('unquoted value must be quoted');
    return [key, raw];
  }
  const quoted = goStringPrefix(raw);
  if (quoted === null || quoted.length !== raw.length) throw fail('invalid quoted value in build line');
  return [key, quoted.value];
}

const ESCAPE = /\\(?:([abfnrtv\\"])|x([0-9a-fA-F]{2})|([0-7]{3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/y;
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34 };

/**
 * strconv.QuotedPrefix and Unquote: the Go string literal s starts with, decoded, and its length
 * in s; null when s starts with none. \x and octal escapes are bytes, so the value is built as UTF-8.
 */
function goStringPrefix(s: string): { value: string; length: number } | null {
  if (s[0] === '`') {
    const end = s.indexOf('`', 1);
    return end < 0 ? null : { value: s.slice(1, end).replaceAll('\r', ''), length: end + 1 };
  }
  const bytes: number[] = [];
  for (let i = 1; i < s.length;) {
    if (s[i] === '"') return { value: Buffer.from(bytes).toString('utf8'), length: i + 1 };
    if (s[i] === '\n') return null;
    if (s[i] !== '\\') {
      const char = String.fromCodePoint(s.codePointAt(i)!);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
      continue;
    }
    ESCAPE.lastIndex = i;
    const m = ESCAPE.exec(s);
    if (m === null) return null;
    const [, simple, hex, octal, unicode4, unicode8] = m;
    const unicode = unicode4 ?? unicode8;
    if (simple !== undefined) {
      bytes.push(SIMPLE_ESCAPES[simple]);
    } else if (unicode !== undefined) {
      const code = parseInt(unicode, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) return null;
      bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'));
    } else {
      const byte = hex === undefined ? parseInt(octal, 8) : parseInt(hex, 16);
      if (byte > 255) return null;
      bytes.push(byte);
    }
    i += m[0].length;
  }
  return null;
}
