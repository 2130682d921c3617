import { isStdFunction, packagePath, printName } from '../go/names.js';

/** Number formatting shared by the table and markdown renderers. JSON keeps exact integers. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

export function formatBytes(n: number): string {
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < 1024) return `${sign}${v} B`;
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${sign}${v.toFixed(1)} ${BYTE_UNITS[u]}`;
}

/**
 * A count with thousands separators; "≈" from 2^53, where a double's digits are not the count's
 * (JSON has them exactly).
 */
export function formatCount(n: number): string {
  return `${Math.abs(n) >= 2 ** 53 ? '≈' : ''}${n.toLocaleString('en-US')}`;
}

/** A value of a sample type with this unit: bytes human-readable, anything else as a count. */
export function formatValue(n: number, unit: string): string {
  return unit === 'bytes' ? formatBytes(n) : formatCount(n);
}

/** part of whole as "46.1%"; "-" when the whole is zero. */
export function formatShare(part: number, whole: number): string {
  if (whole === 0) return '-';
  return `${((100 * part) / whole).toFixed(1)}%`;
}

/** A whole percentage for phase splits: "71%", "<1%" for a small non-zero part. */
export function formatPercentRounded(part: number, whole: number): string {
  const p = (100 * part) / whole;
  if (p > 0 && p < 0.5) return '<1%';
  if (p < 100 && p > 99.5) return '>99%';
  return `${Math.round(p)}%`;
}

/** Profile time as "2026-11-22 06:43:12 UTC". */
export function formatTime(timeNanos: number): string {
  const date = new Date(timeNanos / 1e6);
  // A time outside what a Date holds (a corrupt MemStats LastGC) is as unknown as none.
  if (!(timeNanos > 0) || Number.isNaN(date.getTime())) return 'unknown';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A site's file and line ("main.go:45"), or its file alone with --granularity function. */
export function siteLocation(site: { readonly file: string; readonly line: number | null }): string {
  return site.line === null ? site.file : `${site.file}:${site.line}`;
}

/** A function name for display: generic shape arguments shortened, as Go prints them. */
export function displayFunction(name: string): string {
  return printable(printName(name));
}

/**
 * A string from a profile made safe to print: control characters (an escape sequence that would
 * drive the terminal, a newline that would break a table row) shown as \xNN. Real Go names and
 * paths have none; a crafted profile may.
 */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * A profile's file name as a reader wants it in a narrow table: module-relative. Under a module
 * cache (…/pkg/mod/github.com/x/y@v1.2.3/z.go) from the module path on; a standard-library file
 * under $GOROOT/src from the package on; an absolute path whose directories end in the
 * function's package path (…/work/app/pkg/store/shard.go for app/pkg/store) from that path on.
 */
export function shortFile(file: string, fn: string): string {
  return printable(moduleRelative(file, fn));
}

function moduleRelative(file: string, fn: string): string {
  if (!file.startsWith('/')) return file;
  const mod = file.lastIndexOf('/pkg/mod/');
  if (mod >= 0) return file.slice(mod + '/pkg/mod/'.length);
  const src = file.lastIndexOf('/src/');
  if (src >= 0 && isStdFunction(fn)) return file.slice(src + '/src/'.length);
  const dirs = file.split('/').slice(1, -1);
  const pkg = packagePath(fn).split('/');
  let n = 0;
  while (n < dirs.length && n < pkg.length && dirs[dirs.length - 1 - n] === pkg[pkg.length - 1 - n]) n++;
  return n === 0 ? file : [...dirs.slice(dirs.length - n), file.slice(file.lastIndexOf('/') + 1)].join('/');
}

/** A function name without its package path's leading elements: "go-cache.(*cache).Set". */
export function shortFunction(fn: string): string {
  const name = printName(fn);
  const pkg = packagePath(name);
  const slash = pkg.lastIndexOf('/');
  return printable(slash < 0 ? name : name.slice(slash + 1));
}

/** The last directory and the file: "syncmap/main.go". */
export function tinyFile(file: string): string {
  return printable(file.split('/').slice(-2).join('/'));
}
