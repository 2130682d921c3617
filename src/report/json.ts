import { mapShareOfHeapInuse, type AnalyzeResult } from '../analysis/analyze.js';
import { PHASE_DISPLAY_ORDER } from '../analysis/phase.js';
import type { Attribution } from '../analysis/attribute.js';
import type { Profile, ValueType } from '../pprof/profile.js';
import { analyzeNotes } from './notes.js';
import type { SourceStats } from '../analysis/source-lines.js';
import type { AnalyzeJson, MemStatsJson, ProfileJson, SiteJson, SiteKeyJson, SourceJson, ValuesJson } from './schema.js';

export function analyzeJson(result: AnalyzeResult, source: string): AnalyzeJson {
  const { profile, attribution } = result;
  const types = profile.sampleTypes;
  return {
    schema: 'mapbloat/analyze@1',
    profile: profileJson(result, source),
    sampleIndex: types[result.sampleIndex].type,
    granularity: result.granularity,
    focus: result.focus,
    totals: { heap: valuesJson(types, attribution.totals.heap), map: valuesJson(types, attribution.totals.map) },
    sites: result.sites.map(
      (site): SiteJson => ({
        ...siteKeyJson(site),
        values: valuesJson(types, site.values),
        mixed: site.mixed,
        phases: Object.fromEntries(
          PHASE_DISPLAY_ORDER.flatMap((phase) => {
            const values = site.phases[phase];
            return values === undefined ? [] : [[phase, valuesJson(types, values)]];
          }),
        ),
      }),
    ),
    siteCounts: { total: result.siteCount, matched: result.matchedCount, shown: result.sites.length },
    notes: analyzeNotes(result),
    memstats: memStatsJson(result),
    source: result.sourceStats === null ? null : sourceJson(result.sourceStats),
  };
}

function sourceJson(stats: SourceStats): SourceJson {
  return { ...stats, roots: [...stats.roots], unresolvedFiles: stats.unresolvedFiles.slice(0, 10) };
}

const MEMSTATS_FIELDS = ['HeapAlloc', 'HeapInuse', 'HeapIdle', 'HeapReleased', 'Sys', 'NumGC', 'NextGC'] as const;

function memStatsJson(result: AnalyzeResult): MemStatsJson | null {
  const m = result.profile.memStats;
  if (m === null) return null;
  const fields = Object.fromEntries(MEMSTATS_FIELDS.map((f) => [f, m[f] ?? 0])) as Omit<MemStatsJson, 'mapShareOfHeapInuse'>;
  return { ...fields, mapShareOfHeapInuse: mapShareOfHeapInuse(result) };
}

export function renderAnalyzeJson({ result, source }: { readonly result: AnalyzeResult; readonly source: string }): string {
  return `${JSON.stringify(analyzeJson(result, source), null, 2)}\n`;
}

export function profileJson(
  result: {
    readonly profile: Pick<Profile, 'timeNanos' | 'durationNanos' | 'sampleTypes' | 'defaultSampleType'>;
    readonly attribution: Pick<Attribution, 'runtime' | 'runtimeFrames'>;
  },
  source: string,
): ProfileJson {
  const { profile, attribution } = result;
  return {
    source,
    timeNanos: profile.timeNanos,
    durationNanos: profile.durationNanos,
    sampleTypes: profile.sampleTypes.map((t) => `${t.type}/${t.unit}`),
    defaultSampleType: profile.defaultSampleType,
    runtime: attribution.runtime,
    runtimeFrames: attribution.runtimeFrames,
  };
}

export function valuesJson(types: readonly ValueType[], values: readonly number[]): ValuesJson {
  return Object.fromEntries(types.map((t, i) => [t.type, values[i]]));
}

export function siteKeyJson(site: Readonly<SiteKeyJson>): SiteKeyJson {
  return { rank: site.rank, function: site.function, file: site.file, line: site.line, via: site.via, evidence: site.evidence };
}
