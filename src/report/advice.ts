import type { MapSite } from '../analysis/attribute.js';
import type { MapShape } from '../analysis/attribution/shapes.js';
import { packagePath } from '../go/names.js';
import { formatBytes, formatCount } from './format.js';
import type { NoteJson } from './schema.js';

/**
 * Short advice per site, only where its numbers support it (docs/attribution.md §10): what the
 * sizes of the site's objects show a developer could change.
 */
export function adviceFor(site: Pick<MapSite, 'shape' | 'via' | 'line'>): NoteJson[] {
  const shape = site.shape;
  if (shape === null) return [];
  // Several maps (lines or map types) summed: their tables and growths are not one map's.
  const oneMap = shape.lines === 1 && shape.types === 1;
  // A map made and grown inside a library (the site's via): its make() is not the user's to change.
  const library = site.via === null ? null : packagePath(site.via);
  return [
    oneMap ? presize(shape, library) : null,
    oneMap ? neverShrinks(shape, library) : null,
    // A site of --granularity function has no line: its maps were made in the function.
    manyMaps(shape, site.line === null ? 'in this function' : 'on this line'),
    indirect(shape),
  ].filter((a): a is NoteJson => a !== null);
}

const MiB = 1024 ** 2;
/** Growth garbage worth a line of code, and a table worth a second look. */
const GARBAGE_WORTH = MiB;
const BIG_TABLE = 4 * MiB;
const MANY = 1000;

/** "map[string]int", or as much of it as is known. */
function typeText(shape: MapShape): string {
  return shape.type.name ?? `map[${shape.type.key ?? '…'}]${shape.type.elem ?? '…'}`;
}

/** A size hint as a Go literal, two significant digits, rounded the way that keeps the table's size. */
function hint(n: number, up: boolean): string {
  const scale = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  const rounded = (up ? Math.ceil(n / scale) : Math.floor(n / scale)) * scale;
  return String(rounded).replace(/\B(?=(\d{3})+(?!\d))/g, '_');
}

/**
 * Grown in steps that left garbage: presized with make, the map would be allocated once. An hmap
 * hint of the entries it must have held (the lower bound) gives it the same 2^B buckets; a Swiss
 * one of what its tables hold (the upper bound) the same capacity.
 */
function presize(shape: MapShape, library: string | null): NoteJson | null {
  const largest = shape.tables[0];
  if (largest === undefined || shape.entries === null || shape.growths < 3 || shape.garbage < GARBAGE_WORTH)
    return null;
  const hmap = shape.type.impl === 'hmap';
  const tables = shape.tables.reduce((sum, t) => sum + t.count, 0);
  const grew = hmap
    ? `grew ${shape.growths} times to 2^${largest.B} buckets`
    : `grew to ${formatCount(shape.slots)} slots in ${formatCount(tables)} ${tables === 1 ? 'table' : 'tables'}`;
  const n = hmap ? hint(shape.entries.min, true) : hint(shape.entries.max, false);
  const saved = `would save ${formatBytes(shape.garbage)} of garbage`;
  if (library !== null)
    return {
      code: 'presize',
      message: `${grew} inside ${library}: a size hint there (${n}), if the library takes one, ${saved}`,
    };
  return { code: 'presize', message: `${grew}: make(${typeText(shape)}, ${n}) ${saved}` };
}

/** A big table: it stays that big whatever is deleted from it. */
function neverShrinks(shape: MapShape, library: string | null): NoteJson | null {
  // One map's table: the largest, or (Swiss) the full tables a map splits into past 1024 slots.
  const largest = shape.tables[0];
  if (largest === undefined || shape.entries === null) return null;
  const full = shape.type.impl === 'swiss' && largest.slots === 1024;
  const bytes = full ? largest.bytes * largest.count : largest.bytes;
  if (bytes < BIG_TABLE) return null;
  const sized =
    shape.entries.min > 1000
      ? `sized for ≥ ${formatCount(shape.entries.min)} entries`
      : `of ${formatCount(shape.slots)} slots`;
  if (library !== null)
    return {
      code: 'never-shrinks',
      message:
        `table inside ${library} ${sized} (${formatBytes(bytes)}): Go maps never shrink — if entries were ` +
        `deleted, only a new instance of what holds the map gives the memory back`,
    };
  return {
    code: 'never-shrinks',
    message:
      `table ${sized} (${formatBytes(bytes)}): Go maps never shrink — if entries were deleted, copy the ` +
      `survivors into a new map`,
  };
}

/** Many live maps from one line: each costs a header, and its first bucket or group. */
function manyMaps(shape: MapShape, where: string): NoteJson | null {
  const small = shape.tables.find((t) => t.B === 0 && t.slots === 8);
  if (shape.maps >= MANY) {
    return {
      code: 'many-maps',
      message: `${formatCount(shape.maps)} maps made ${where} are alive, each with its own header`,
    };
  }
  if (small !== undefined && small.count >= MANY) {
    const what = shape.type.impl === 'hmap' ? 'first buckets' : 'groups';
    return {
      code: 'many-maps',
      message:
        `${formatCount(small.count)} maps of ≤ 8 entries filled ${where}: ` +
        `${formatBytes(small.bytes * small.count)} of ${what}`,
    };
  }
  return null;
}

/** Elems over 128 bytes: an object of their own per entry. */
function indirect(shape: MapShape): NoteJson | null {
  if (shape.indirect.count < MANY) return null;
  const elem = shape.type.elem === null ? 'the elem type' : shape.type.elem;
  return {
    code: 'indirect-values',
    message:
      `${elem} is over 128 bytes, so every entry holds it in an object of its own ` +
      `(${formatCount(shape.indirect.count)}, ${formatBytes(shape.indirect.bytes)}); a pointer or a smaller ` +
      `elem type avoids them`,
  };
}

/**
 * Across snapshots: where a site's largest table grew, between which two — the moment a leak or a
 * burst made the map double.
 */
export function diffAdviceFor(site: { readonly shapes: ReadonlyArray<MapShape | null> }): NoteJson[] {
  const out: NoteJson[] = [];
  for (let s = 1; s < site.shapes.length; s++) {
    const [before, after] = [site.shapes[s - 1], site.shapes[s]];
    if (before?.tables[0] === undefined || after?.tables[0] === undefined) continue;
    // Several maps summed (by function, or of several types): their largest tables are not one map's.
    if (before.lines > 1 || before.types > 1 || after.lines > 1 || after.types > 1) continue;
    const hmap = after.type.impl === 'hmap';
    const [was, now] = hmap ? [before.tables[0].slots, after.tables[0].slots] : [before.slots, after.slots];
    if (now <= was) continue;
    const message = hmap
      ? after.tables[0].B === before.tables[0].B + 1
        ? `table doubled between snapshot ${s} and ${s + 1} (2^${before.tables[0].B} to 2^${after.tables[0].B} buckets)`
        : `table grew between snapshot ${s} and ${s + 1}, from 2^${before.tables[0].B} to ` +
          `2^${after.tables[0].B} buckets`
      : `tables grew between snapshot ${s} and ${s + 1}, from ${formatCount(was)} to ${formatCount(now)} slots`;
    out.push({ code: 'table-grew', message });
  }
  return out;
}
