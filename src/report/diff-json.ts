import type { DiffResult } from '../analysis/diff.js';
import { diffView, type GateOutcome } from './diff-view.js';
import { profileJson, siteKeyJson, valuesJson } from './json.js';
import type { DiffJson, DiffSiteJson } from './schema.js';

/** A diff and the CI gate's outcome: what every diff renderer shows. */
export type DiffRenderInput = { readonly diff: DiffResult; readonly gate: GateOutcome };

export function diffJson({ diff, gate }: DiffRenderInput): DiffJson {
  const types = diff.snapshots[0].profile.sampleTypes;
  const n = diff.snapshots.length;
  const view = diffView(diff, gate);
  const delta = (series: readonly (readonly number[])[]) => valuesJson(types, series[n - 1].map((v, t) => v - series[0][t]));
  return {
    schema: 'mapbloat/diff@1',
    snapshots: diff.snapshots.map((s) => profileJson(s, s.source)),
    orderedBy: diff.orderedBy,
    sampleIndex: types[diff.sampleIndex].type,
    granularity: diff.granularity,
    focus: diff.focus,
    totals: { heap: diff.totals.heap.map((v) => valuesJson(types, v)), map: diff.totals.map.map((v) => valuesJson(types, v)) },
    totalsDelta: { heap: delta(diff.totals.heap), map: delta(diff.totals.map) },
    sites: diff.sites.map((site): DiffSiteJson => ({
      ...siteKeyJson(site),
      series: site.series.map((v) => valuesJson(types, v)),
      delta: valuesJson(types, site.delta),
      deltaPercent: Object.fromEntries(
        types.map((t, i) => [t.type, site.series[0][i] === 0 ? null : (100 * site.delta[i]) / site.series[0][i]]),
      ),
      status: site.status,
      ...(site.trend === null ? {} : { trend: site.trend }),
      mixed: site.mixed,
    })),
    siteCounts: { total: diff.siteCount, matched: diff.matched.length, shown: diff.sites.length },
    gate: {
      maxGrowth: gate.maxGrowth?.text ?? null,
      maxSiteGrowth: gate.maxSiteGrowth?.text ?? null,
      breaches: gate.breaches.map((b, i) => ({
        option: b.option,
        scope: b.scope,
        function: b.site?.function ?? null,
        file: b.site?.file ?? null,
        line: b.site?.line ?? null,
        limit: b.threshold.text,
        first: b.first,
        delta: b.delta,
        message: view.breaches[i],
      })),
    },
    notes: [...view.notes],
  };
}

export function renderDiffJson(input: DiffRenderInput): string {
  return `${JSON.stringify(diffJson(input), null, 2)}\n`;
}
