import { mapShareOfHeapInuse, type AnalyzeResult, type RankedSite } from '../analysis/analyze.js';
import type { Attribution, MapVisibility } from '../analysis/attribute.js';
import type { MapShape } from '../analysis/attribution/shapes.js';
import { adviceFor } from './advice.js';
import { PHASE_DISPLAY_ORDER } from '../go/phase.js';
import type { ValueType } from '../pprof/profile.js';
import { findsNoMapLine, type SourceStats } from '../source/index.js';
import type { SourcePlace } from '../source/resolve.js';
import { LAST_RESORT, type FitSpec } from './fit.js';
import {
  printable,
  displayFunction,
  shortFile,
  shortFunction,
  tinyFile,
  formatBytes,
  formatCount,
  formatPercentRounded,
  formatShare,
  formatTime,
  formatValue,
  siteLocation,
} from './format.js';
import type { AnalyzeModel } from './model.js';
import { formatDelta, plural, sitesShown } from './phrases.js';
import type { NoteJson } from './schema.js';

/** What the table and markdown renderers show, formatted; they differ only in layout. */
export interface AnalyzeView {
  readonly source: string;
  readonly time: string;
  readonly runtime: string;
  readonly runtimeFrames: string;
  readonly sampleType: string;
  /** "heap", or "allocated" when the sample type counts allocations since the program started. */
  readonly heapLabel: string;
  readonly heap: string;
  /** "25.4 MiB (46.1% of heap) in 7 sites", or why it is unknown. */
  readonly maps: string;
  /** One sentence for a PR comment: how much of the heap the maps hold. */
  readonly headline: string;
  /** A text profile's runtime.MemStats summary, or null. */
  readonly memStats: string | null;
  /** Who owns a map, and what told the program's own code apart; null when nothing did. */
  readonly owner: string | null;
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  /** Whether any row has a via; the column is left out otherwise. */
  readonly showVia: boolean;
  /** Whether any site rests on other evidence than the profile's frames. */
  readonly showEvidence: boolean;
  /** Whether any site has a shape; the column is left out otherwise. */
  readonly showShape: boolean;
  /** Whether a site's share of the map total means anything: not in a delta profile (net changes). */
  readonly shares: boolean;
  /** Advice for the sites shown, in rank order, listed under the table. */
  readonly advice: ReadonlyArray<{ readonly rank: string; readonly where: string; readonly message: string }>;
  /** How the profile's files were found in the source tree, or null. */
  readonly sources: string | null;
  readonly footer: string;
  readonly notes: readonly NoteJson[];
}

export interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  /** How a terminal table may drop or shorten it when it does not fit. */
  readonly fit?: FitSpec;
  /** A title for a narrow column ("inuse" for "inuse_space"). */
  readonly shortTitle?: string;
}

/** The columns a narrow terminal gives up first, and the names it may shorten. */
export const FIT = {
  name: { shrink: { min: 28, floor: 24 } },
  location: { shrink: { min: 26, floor: 16 } },
  extraValue: { drop: 1 },
  share: { drop: 2 },
  shape: { drop: 3, whole: true, shrink: { min: 22, floor: 0 } },
  via: { drop: 4, shrink: { min: 18, floor: 12 } },
  evidence: { drop: 4 },
  // Three phases fit in 36 ("create 2% · grow 88% · overflow 10%"); a longer cell shows its largest.
  phases: { drop: LAST_RESORT, whole: true, shrink: { min: 36, floor: 0 } },
} as const satisfies Record<string, FitSpec>;

/** A name or place in full, and shorter forms a narrow terminal may show instead. */
export interface Shortened {
  readonly full: string;
  readonly short: string;
}

export interface Row {
  readonly rank: string;
  readonly function: string;
  readonly shortFunction: string;
  /** The full file:line (markdown, HTML). */
  readonly location: string;
  /** What a terminal shows: module-relative, and the last directory and file only. */
  readonly tableLocation: Shortened;
  /** The phase split, and without its parts below 1%. */
  readonly phasesShort: string;
  /** The library function the owner went through, short enough to read ("go-cache.(*cache).Set"), and in full. */
  readonly via: string;
  readonly fullVia: string;
  /** The selected value first, its share of the map total, then inuse/alloc space when not selected. */
  readonly values: readonly string[];
  readonly phases: string;
  /** "frames", "binary", "source", "source, mixed". */
  readonly evidence: string;
  /** "2^18 buckets · 852k–1.7M entries", "100,000 × 1 bucket": the site's maps by their sizes. */
  readonly shape: string;
  /** Its entries alone ("229k–458k entries"), for a narrow terminal. */
  readonly shapeShort: string;
}

const RUNTIME_FRAMES = {
  present: 'present',
  hidden: 'hidden by the profile writer',
  unsymbolized: 'unknown: the profile has no function names (unsymbolized)',
} as const;

const RUNTIME_NAMES = {
  swiss: 'swiss (Swiss tables, internal/runtime/maps)',
  hmap: 'hmap (runtime hash maps)',
  unknown: 'unknown (no map runtime frames)',
} as const;

/** The analysis formatted for people: what the table, markdown and HTML renderers lay out. */
export function analyzeView({ result, notes }: AnalyzeModel): AnalyzeView {
  const { profile, attribution, sampleIndex, source } = result;
  const types = profile.sampleTypes;
  const selected = types[sampleIndex];
  const heap = attribution.totals.heap[sampleIndex];
  const map = attribution.totals.map[sampleIndex];
  const hidden = attribution.runtimeFrames === 'hidden';
  const { visibility } = attribution;
  // A lower bound says so: "≥ 1.2 MiB (≥ 3.1% of heap)".
  const atLeast = isLowerBound(visibility) ? '≥ ' : '';
  const heapWord = heapName(selected);
  const extra = ['inuse_space', 'alloc_space']
    .map((name) => types.findIndex((t) => t.type === name))
    .filter((i) => i >= 0 && i !== sampleIndex);

  const unsymbolized = attribution.runtimeFrames === 'unsymbolized';
  // A delta profile's totals are net changes, of either sign: a share of one is no share of anything.
  const delta = attribution.negativeSamples[sampleIndex] > 0;
  const share = (part: number, whole: number) => (delta ? '—' : formatShare(part, whole));
  const mapValue = delta
    ? `${atLeast}${formatDelta(map, selected)} net change`
    : `${atLeast}${formatValue(map, selected.unit)}`;
  const mapShare = `${atLeast}${share(map, heap)}`;
  const sites = plural(result.siteCount, 'site');
  const why = unsymbolized ? 'the profile has no function names' : 'the runtime frames are hidden in this profile';
  const evidence = hidden ? `, ${hiddenSource(result)} (see the note)` : '';
  const mapsLine =
    visibility === 'none'
      ? `not visible: ${why} (see the note)`
      : delta
        ? `${mapValue} in ${sites}${evidence}`
        : `${mapValue} (${mapShare} of ${heapWord}) in ${sites}${evidence}`;

  const heapValue = delta ? `${formatDelta(heap, selected)} net change` : formatValue(heap, selected.unit);
  const whyNot = unsymbolized ? 'it has no function names' : 'its runtime frames are hidden';
  const headline =
    visibility === 'none'
      ? `Map memory is not visible in this profile: ${whyNot} (${heapWord} ${selected.type} ${heapValue})`
      : delta
        ? `Maps: ${mapValue} of ${selected.type} in ${sites} (a delta profile)`
        : `Maps hold ${mapValue} of ${heapValue} ${heapWord} ${selected.type} (${mapShare}) in ${sites}`;

  const showVia = result.sites.some((site) => site.via !== null);
  const showEvidence = result.sites.some((site) => site.evidence !== 'frames');
  const showShape = result.sites.some((site) => site.shape !== null);
  return {
    source: printable(source),
    headline,
    memStats: memStatsLine(result),
    owner: result.siteCount === 0 ? null : ownerLine(attribution),
    time: formatTime(profile.timeNanos),
    runtime: RUNTIME_NAMES[attribution.runtime],
    runtimeFrames: RUNTIME_FRAMES[attribution.runtimeFrames],
    sampleType: selected.type,
    heapLabel: heapWord,
    heap:
      attribution.negativeSamples[sampleIndex] > 0
        ? `${formatDelta(heap, selected)} net change (a delta profile: see the note)`
        : formatValue(heap, selected.unit),
    maps: mapsLine,
    columns: [
      { title: '#', align: 'right' },
      { title: 'owner', align: 'left', fit: FIT.name },
      { title: 'location', align: 'left', fit: FIT.location },
      { title: selected.type, align: 'right', shortTitle: selected.type.replace(/_space$/, '') },
      { title: '% maps', align: 'right', fit: FIT.share },
      ...extra.map((i) => ({ title: types[i].type, align: 'right' as const, fit: FIT.extraValue })),
      { title: 'phases', align: 'left', fit: FIT.phases },
      ...(showShape ? [{ title: 'shape', align: 'left' as const, fit: FIT.shape }] : []),
      ...(showVia ? [{ title: 'via', align: 'left' as const, fit: FIT.via }] : []),
      ...(showEvidence ? [{ title: 'evidence', align: 'left' as const, fit: FIT.evidence }] : []),
    ],
    showVia,
    showEvidence,
    showShape,
    shares: !delta,
    advice: result.sites.flatMap((site) =>
      adviceFor(site).map((a) => ({
        rank: String(site.rank),
        where: `${displayFunction(site.function)} ${printable(siteLocation(site))}`,
        message: printable(a.message),
      })),
    ),
    sources: result.sourceStats === null ? null : printable(sourcesLine(result.sourceStats)),
    rows: result.sites.map((site) => ({
      rank: String(site.rank),
      function: displayFunction(site.function),
      shortFunction: shortFunction(site.function),
      location: printable(siteLocation(site)),
      tableLocation: tableLocation(site),
      values: [
        formatValue(site.values[sampleIndex], selected.unit),
        share(site.values[sampleIndex], map),
        ...extra.map((i) => formatValue(site.values[i], types[i].unit)),
      ],
      phases: phaseSplit(site, types, sampleIndex),
      phasesShort: phaseSplit(site, types, sampleIndex, true),
      via: site.via === null ? '' : shortFunction(site.via),
      fullVia: site.via === null ? '' : displayFunction(site.via),
      evidence: evidenceCell(site),
      shape: site.shape === null ? '' : shapeCell(site.shape),
      shapeShort: site.shape === null ? '' : shapeCell(site.shape, true),
    })),
    footer: footer(result),
    notes: notes.map((n) => ({ ...n, message: printable(n.message) })),
  };
}

/** "own code: example.com/app (from the binary's build info)". */
function ownerLine({ ownerRule, mainModule }: Pick<Attribution, 'ownerRule' | 'mainModule'>): string | null {
  if (mainModule === null) return null;
  if (ownerRule === 'lib') return 'the first frame outside the standard library (--owner lib)';
  const what =
    mainModule.path === null
      ? 'package main and the files outside the module cache and vendor/'
      : `package main and ${printable(mainModule.path)}`;
  return `the first frame of own code: ${what} (from ${OWNER_SOURCES[mainModule.source]})`;
}

const OWNER_SOURCES = {
  'build-info': "the binary's build info",
  'go.mod': 'go.mod',
  'file-names': "the profile's file names",
} as const;

/** Whether a map total is only what could be seen: more may hide behind the runtime's frames. */
export function isLowerBound(visibility: MapVisibility): boolean {
  return visibility === 'inferred' || visibility === 'partial';
}

/** alloc_* counts every allocation since the program started: not a heap size. */
function heapName(type: ValueType): string {
  return type.type.startsWith('alloc_') ? 'allocated' : 'heap';
}

/** What the map total of a profile with hidden runtime frames rests on. */
function hiddenSource(result: AnalyzeResult): string {
  const { visibility } = result.attribution;
  if (visibility === 'exact') return "from the binary's call sites";
  if (visibility === 'inferred') return 'inferred from the source';
  return 'through linknamed frames only';
}

/** A shape in a few words: the largest table and its entries, or how many small maps; short: the entries alone. */
function shapeCell(shape: MapShape, short = false): string {
  const largest = shape.tables[0];
  if (largest === undefined)
    return shape.maps > 0 ? `${formatCount(shape.maps)} map${shape.maps === 1 ? '' : 's'}` : '';
  if (shape.lines > 1 || shape.types > 1) {
    // Several maps summed: say so, and only the largest table, not one map's entries.
    const of = [
      shape.lines > 1 ? `${shape.lines} lines` : null,
      shape.types > 1 ? `${shape.types} map types` : null,
    ].filter((x) => x !== null);
    const size = shape.type.impl === 'hmap' ? `2^${largest.B} buckets` : `2^${largest.B} groups`;
    return short ? of.join(', ') : `${of.join(', ')}: largest ${size}`;
  }
  const unit = shape.type.impl === 'hmap' ? 'bucket' : 'group';
  const count = shape.tables.reduce((sum, t) => sum + t.count, 0);
  // A lower bound far below the upper one (a Swiss table's: deleted slots count as used) says little.
  const { min, max } = shape.entries ?? { min: 0, max: 0 };
  const bounds =
    shape.entries === null ? null : `${min > 0 && 4 * min >= max ? `${compact(min)}–` : '≤ '}${compact(max)} entries`;
  if (short && bounds !== null) return bounds;
  const entries = bounds === null ? '' : ` · ${bounds}`;
  if (largest.B === 0) return `${formatCount(count)} × 1 ${unit}${count === 1 ? entries : ''}`;
  if (shape.type.impl === 'swiss' && count > 1 && largest.slots === 1024)
    return `${formatCount(count)} tables · ${compact(shape.slots)} slots${entries}`;
  const size = shape.type.impl === 'hmap' ? `2^${largest.B} buckets` : `2^${largest.B} groups`;
  return count === 1 ? `${size}${entries}` : `${formatCount(count)} tables, largest ${size}`;
}

/** 851969 → "852k", 1703936 → "1.7M". */
function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${Math.round(n / 1000)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;
}

function evidenceCell(site: { readonly evidence: string; readonly mixed: boolean }): string {
  return site.mixed ? `${site.evidence}, mixed` : site.evidence;
}

const PLACES: ReadonlyArray<readonly [SourcePlace, string]> = [
  ['tree', 'in the tree'],
  ['vendor', 'in vendor/'],
  ['module-cache', 'in the module cache'],
  ['goroot', 'in $GOROOT/src'],
  ['profile-path', "at the profile's own paths"],
];

/** "12 of 14 lines found in 3 files under ./src (10 in the tree, 2 in the module cache); not found: a.go" */
function sourcesLine(stats: SourceStats): string {
  const lines = stats.resolvedLines + stats.unresolvedLines;
  const places = PLACES.flatMap(([place, name]) =>
    stats.resolvedLinesByPlace[place] > 0 ? [`${stats.resolvedLinesByPlace[place]} ${name}`] : [],
  );
  const where =
    places.length > 1 || (places.length === 1 && stats.resolvedLinesByPlace.tree === 0)
      ? ` (${places.join(', ')})`
      : '';
  const files = plural(stats.resolvedFiles, 'file');
  const roots = stats.roots.join(', ');
  const none = findsNoMapLine(stats) ? ', none of them a map line' : '';
  const found =
    `${stats.resolvedLines} of ${plural(lines, 'profile line')} found in ${files} under ${roots}${where}` + none;
  if (stats.unresolvedFiles.length === 0) return `${found}${skippedText(stats)}`;
  const shown = stats.unresolvedFiles.slice(0, 3).join(', ');
  const more = stats.unresolvedFiles.length > 3 ? ` (+${stats.unresolvedFiles.length - 3} more)` : '';
  const std =
    stats.unresolvedStdLines > 0
      ? `; ${plural(stats.unresolvedStdLines, 'line')} of the standard library need $GOROOT/src on the path`
      : '';
  return `${found}; not found: ${shown}${more}${std}${skippedText(stats)}`;
}

/** What the tree walk passed over, with the option that would let it in. */
function skippedText({ skipped }: SourceStats): string {
  return [
    ...(skipped.tooLarge > 0
      ? [
          `; ${plural(skipped.tooLarge, 'file')} over --max-source-file-size (${formatBytes(skipped.fileLimit)})` +
            ' skipped',
        ]
      : []),
    ...(skipped.unreadable > 0 ? [`; ${plural(skipped.unreadable, 'file')} could not be read`] : []),
    ...(skipped.walkStopped
      ? [`; listing stopped at --max-source-files (${skipped.walkLimit.toLocaleString('en-US')} files)`]
      : []),
  ].join('');
}

/** "HeapAlloc 85.0 MiB · HeapInuse 90.7 MiB (maps 63.9%) · … · NumGC 7 · NextGC off" */
function memStatsLine(result: AnalyzeResult): string | null {
  const m = result.profile.memStats;
  if (m === null) return null;
  const share = mapShareOfHeapInuse(result);
  const bytes = (name: string) => `${name} ${formatBytes(m[name] ?? 0)}`;
  // With the GC off (GOGC=off, SetGCPercent(-1)) the runtime leaves NextGC at an absurd value.
  const nextGC = (m.NextGC ?? 0) >= 2 ** 60 ? 'NextGC off' : bytes('NextGC');
  return [
    bytes('HeapAlloc'),
    `${bytes('HeapInuse')}${share === null ? '' : ` (maps ${(100 * share).toFixed(1)}%)`}`,
    bytes('HeapIdle'),
    bytes('HeapReleased'),
    bytes('Sys'),
    `NumGC ${m.NumGC ?? 0}`,
    nextGC,
  ].join(' · ');
}

/** A site's location for a terminal: module-relative, or its last directory and file. */
export function tableLocation(site: {
  readonly file: string;
  readonly function: string;
  readonly line: number | null;
}): Shortened {
  const line = site.line === null ? '' : `:${site.line}`;
  return { full: `${shortFile(site.file, site.function)}${line}`, short: `${tinyFile(site.file)}${line}` };
}

/**
 * "grow 71% · assign 29%" of the selected type (of alloc_space when the site has none of it);
 * for a narrow terminal, the phases of 1% or more, and of more than two the largest alone:
 * "grow 71% · …".
 */
function phaseSplit(site: RankedSite, types: readonly ValueType[], sampleIndex: number, short = false): string {
  let basis = sampleIndex;
  if (site.values[basis] === 0)
    basis = Math.max(
      0,
      types.findIndex((t) => t.type === 'alloc_space'),
    );
  const total = site.values[basis];
  if (total === 0) return '';
  const parts = PHASE_DISPLAY_ORDER.flatMap((phase) => {
    const v = site.phases[phase]?.[basis] ?? 0;
    return v === 0 ? [] : [{ v, text: `${phase} ${formatPercentRounded(v, total)}` }];
  });
  const largest = parts.reduce((a, b) => (b.v > a.v ? b : a));
  const shown = short ? parts.filter((p) => p.v * 100 >= total) : parts;
  const split =
    short && shown.length > 2 ? `${largest.text} · …` : shown.map((p) => p.text).join(' · ') || largest.text;
  if (basis === sampleIndex) return split;
  return short ? `${split} (alloc)` : `${split} (of ${types[basis].type})`;
}

function footer(result: AnalyzeResult): string {
  const { attribution, sampleIndex, profile } = result;
  const type = profile.sampleTypes[sampleIndex].type;
  if (result.siteCount === 0) {
    return attribution.runtimeFrames === 'present'
      ? 'no map sites: nothing in this profile passes through map runtime code'
      : 'no map sites visible in this profile';
  }
  const which = sitesShown(result.sites.length, result.matchedCount, result.siteCount, result.focus);
  if (result.sites.length === 0) return which;
  if (attribution.negativeSamples[sampleIndex] > 0) return which;
  const shown = result.sites.reduce((sum, s) => sum + s.values[sampleIndex], 0);
  return `${which}, ${formatShare(shown, attribution.totals.map[sampleIndex])} of map ${type}`;
}
