import { mapShareOfHeapInuse, type AnalyzeResult } from '../analysis/analyze.js';
import type { Attribution, Values } from '../analysis/attribute.js';
import type { MapShape } from '../analysis/attribution/shapes.js';
import { adviceFor, diffAdviceFor } from './advice.js';
import { gateInferred } from '../analysis/gate.js';
import type { Snapshot } from '../analysis/snapshot.js';
import { PHASE_DISPLAY_ORDER } from '../go/phase.js';
import type { ValueType } from '../pprof/profile.js';
import type { SourceStats } from '../source/index.js';
import type { AnalyzeModel, DiffModel } from './model.js';
import type {
  AnalyzeJson,
  DiffJson,
  DiffSiteJson,
  MemStatsJson,
  ProfileJson,
  ShapeJson,
  SiteJson,
  SiteKeyJson,
  SourceJson,
  ValuesJson,
} from './schema.js';

/** The documented JSON of analyze (schema.ts, mapbloat/analyze@1): raw numbers, no formatting. */
function analyzeJson({ result, notes }: AnalyzeModel): AnalyzeJson {
  const { profile, attribution } = result;
  const types = profile.sampleTypes;
  return {
    schema: 'mapbloat/analyze@1',
    profile: profileJson(result),
    sampleIndex: types[result.sampleIndex].type,
    granularity: attribution.granularity,
    focus: result.focus,
    totals: {
      heap: valuesJson(types, attribution.totals.heap, attribution.exactTotals?.heap),
      map: mapValuesJson(types, attribution),
    },
    sites: result.sites.map((site): SiteJson => ({
      ...siteKeyJson(site),
      values: valuesJson(types, site.values, site.exact?.values),
      mixed: site.mixed,
      phases: Object.fromEntries(
        PHASE_DISPLAY_ORDER.flatMap((phase) => {
          const values = site.phases[phase];
          return values === undefined ? [] : [[phase, valuesJson(types, values, site.exact?.phases[phase])]];
        }),
      ),
      phasesFromSizes: site.phasesFromSizes,
      shape: site.shape === null ? null : shapeJson(site.shape),
      advice: adviceFor(site),
    })),
    siteCounts: { total: result.siteCount, matched: result.matchedCount, shown: result.sites.length },
    notes: [...notes],
    memstats: memStatsJson(result),
    source: result.sourceStats === null ? null : sourceJson(result.sourceStats),
  };
}

/** The documented JSON of diff (schema.ts, mapbloat/diff@1). */
export function diffJson({ diff, gate, notes, breaches }: DiffModel): DiffJson {
  const types = diff.snapshots[0].profile.sampleTypes;
  const n = diff.snapshots.length;
  const exactTotals = diff.snapshots.map((s) => s.attribution.exactTotals);
  // Totals past 2^53 in some snapshot: every snapshot's in BigInt, so the delta is exact too.
  const exactRows = (which: 'heap' | 'map', rows: readonly Values[]) =>
    exactTotals.every((e) => e === null)
      ? null
      : rows.map((v, s) => exactTotals[s]?.[which] ?? v.map((x) => BigInt(x)));
  const delta = (which: 'heap' | 'map', rows: readonly Values[]) => {
    const exact = exactRows(which, rows);
    return valuesJson(
      types,
      rows[n - 1].map((v, t) => v - rows[0][t]),
      exact?.[n - 1].map((v, t) => v - exact[0][t]),
    );
  };
  const mapTotals = diff.snapshots.map((s) => mapValuesJson(types, s.attribution));
  return {
    schema: 'mapbloat/diff@1',
    snapshots: diff.snapshots.map(profileJson),
    orderedBy: diff.orderedBy,
    sampleIndex: types[diff.sampleIndex].type,
    granularity: diff.granularity,
    focus: diff.focus,
    totals: { heap: diff.totals.heap.map((v, s) => valuesJson(types, v, exactTotals[s]?.heap)), map: mapTotals },
    totalsDelta: {
      heap: delta('heap', diff.totals.heap),
      map: mapTotals[0] === null || mapTotals[n - 1] === null ? null : delta('map', diff.totals.map),
    },
    sites: diff.sites.map((site): DiffSiteJson => ({
      ...siteKeyJson(site),
      // null where a snapshot's maps are not visible: unknown, never a false zero.
      series: site.series.map((v, s) => (v === null ? null : valuesJson(types, v, site.exact?.series[s] ?? undefined))),
      delta: site.delta === null ? null : valuesJson(types, site.delta, site.exact?.delta ?? undefined),
      deltaPercent: deltaPercent(types, site.series[0], site.delta),
      status: site.status,
      ...(site.trend === null ? {} : { trend: site.trend }),
      mixed: site.mixed,
      advice: diffAdviceFor(site),
    })),
    siteCounts: { total: diff.siteCount, matched: diff.matched.length, shown: diff.sites.length },
    gate: {
      maxGrowth: gate.maxGrowth?.text ?? null,
      maxSiteGrowth: gate.maxSiteGrowth?.text ?? null,
      inferred: gateInferred(diff),
      breaches: gate.breaches.map((b, i) => ({
        option: b.option,
        scope: b.scope,
        function: b.site?.function ?? null,
        file: b.site?.file ?? null,
        line: b.site?.line ?? null,
        limit: b.threshold.text,
        first: b.first,
        delta: b.delta,
        message: breaches[i],
      })),
    },
    notes: [...notes],
  };
}

/** 100 × delta / first per sample type (null where first is 0); null when either is unknown. */
function deltaPercent(
  types: readonly ValueType[],
  first: Values | null,
  delta: Values | null,
): Record<string, number | null> | null {
  if (first === null || delta === null) return null;
  return Object.fromEntries(types.map((t, i) => [t.type, first[i] === 0 ? null : (100 * delta[i]) / first[i]]));
}

export function renderDiffJson(model: DiffModel): string {
  return `${jsonText(diffJson(model))}\n`;
}

function sourceJson(stats: SourceStats): SourceJson {
  return {
    ...stats,
    roots: [...stats.roots],
    resolvedLinesByPlace: { ...stats.resolvedLinesByPlace },
    unresolvedFiles: stats.unresolvedFiles.slice(0, 10),
    skipped: { ...stats.skipped },
  };
}

const MEMSTATS_FIELDS = ['HeapAlloc', 'HeapInuse', 'HeapIdle', 'HeapReleased', 'Sys', 'NumGC', 'NextGC'] as const;

function memStatsJson(result: AnalyzeResult): MemStatsJson | null {
  const m = result.profile.memStats;
  if (m === null) return null;
  const fields = Object.fromEntries(MEMSTATS_FIELDS.map((f) => [f, m[f] ?? 0])) as Omit<
    MemStatsJson,
    'mapShareOfHeapInuse'
  >;
  return { ...fields, mapShareOfHeapInuse: mapShareOfHeapInuse(result) };
}

export function renderAnalyzeJson(model: AnalyzeModel): string {
  return `${jsonText(analyzeJson(model))}\n`;
}

function profileJson({ source, profile, attribution }: Snapshot): ProfileJson {
  return {
    source,
    timeNanos:
      profile.timeNanosExact === undefined ? profile.timeNanos : (exactNumber(profile.timeNanosExact) as number),
    durationNanos: profile.durationNanos,
    sampleTypes: profile.sampleTypes.map((t) => `${t.type}/${t.unit}`),
    defaultSampleType: profile.defaultSampleType,
    runtime: attribution.runtime,
    runtimeFrames: attribution.runtimeFrames,
    mapVisibility: attribution.visibility,
    mainModule: attribution.mainModule === null ? null : { ...attribution.mainModule },
    ownerRule: attribution.ownerRule,
  };
}

function shapeJson(shape: MapShape): ShapeJson {
  const { type, maps, slots, entries, growths, garbage, overflowBuckets, indirect } = shape;
  const per = type.impl === 'hmap' ? 'buckets' : 'groups';
  return {
    impl: type.impl,
    type: {
      name: type.name,
      key: type.key,
      elem: type.elem,
      from: type.from,
      [type.impl === 'hmap' ? 'bucketBytes' : 'groupBytes']: type.slotBytes,
    },
    maps,
    tables: shape.tables.map((t) => ({
      [per]: t.slots / 8,
      log2: t.B,
      slots: t.slots,
      bytes: t.bytes,
      count: t.count,
    })),
    slots,
    entries: entries === null ? null : { ...entries },
    growths,
    garbage,
    overflowBuckets,
    indirect: { ...indirect },
    lines: shape.lines,
    types: shape.types,
  } as ShapeJson;
}

/** The map total, or null when the map memory could not be seen at all: never a false zero. */
function mapValuesJson(types: readonly ValueType[], attribution: Attribution): ValuesJson | null {
  return attribution.visibility === 'none'
    ? null
    : valuesJson(types, attribution.totals.map, attribution.exactTotals?.map);
}

/**
 * Sample type → value. Past 2^53 a number rounds: there the exact BigInt sum is written (as a
 * JSON integer literal of every digit; see jsonText), where the attribution computed one.
 */
function valuesJson(types: readonly ValueType[], values: readonly number[], exact?: readonly bigint[]): ValuesJson {
  if (exact !== undefined)
    return Object.fromEntries(types.map((t, i) => [t.type, exactNumber(exact[i])])) as ValuesJson;
  return Object.fromEntries(types.map((t, i) => [t.type, values[i]]));
}

function siteKeyJson(site: Readonly<SiteKeyJson>): SiteKeyJson {
  return {
    rank: site.rank,
    function: site.function,
    file: site.file,
    line: site.line,
    via: site.via,
    evidence: site.evidence,
  };
}

/** A number when it is one exactly, else the BigInt itself (written in full by jsonText). */
function exactNumber(v: bigint): number | bigint {
  return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
}

/**
 * JSON.stringify with BigInts written as integer literals of every digit. JSON numbers have no
 * size limit; jq ≥ 1.7 and BigInt-aware parsers keep them exact, JavaScript's JSON.parse rounds
 * them like any double.
 */
function jsonText(value: unknown): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v), 2);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
