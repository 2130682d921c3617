import { inferredMapFrame } from '../go/names.js';
import type { SampleLabels } from '../pprof/encode.js';
import type { Location, Profile } from '../pprof/profile.js';
import type { RecoveredProfile } from '../stacks/recover.js';
import type { Attribution } from './attribute.js';
import { forEachMapSample } from './map-samples.js';

/** The map samples as a profile of their own, and each sample's labels. */
export interface MapProfile {
  readonly profile: Profile;
  readonly labels: readonly SampleLabels[];
}

/**
 * What --output-profile writes: a heap profile of only the samples the attribution counts as map
 * memory, so that any pprof viewer (go tool pprof -http, speedscope, Pyroscope, Parca) draws map
 * memory as a flame graph. The stacks are the recovered ones — with the runtime frames the binary
 * brought back — and a sample only the source tree speaks for gets a leaf frame naming the
 * operation its line lowers to ("runtime.mapassign (inferred from source)"). Each sample is
 * labelled with its phase and evidence (and `mixed` for a line that also allocates other memory).
 * mapbloat reads the file back to the same sites and values.
 */
export function mapProfile(
  recovered: RecoveredProfile,
  attribution: Pick<Attribution, 'ownerRule' | 'mainModule' | 'decided'>,
): MapProfile {
  const { profile } = recovered;
  const nTypes = profile.sampleTypes.length;
  const { stackStart, stackLocations, values, exact } = profile.samples;
  const locations: Location[] = [...profile.locations];
  const inferred = new Map<string, number>();
  const starts = [0];
  const stacks: number[] = [];
  const kept: number[] = [];
  const labels: SampleLabels[] = [];
  const evidence = new Set<string>();
  forEachMapSample(recovered, attribution, (sample) => {
    evidence.add(sample.evidence);
    if (sample.inferred !== null) stacks.push(inferredLocation(sample.inferred.phase));
    for (let k = stackStart[sample.index]; k < stackStart[sample.index + 1]; k++) stacks.push(stackLocations[k]);
    starts.push(stacks.length);
    kept.push(sample.index);
    labels.push([
      ['phase', sample.phase],
      ['evidence', sample.evidence],
      ...(sample.inferred?.mixed === true ? [['mixed', 'true'] as const] : []),
    ]);
  });
  const sampleValues = new Float64Array(kept.length * nTypes);
  kept.forEach((i, n) => sampleValues.set(values.subarray(i * nTypes, (i + 1) * nTypes), n * nTypes));
  // Values past 2^53 stay exact: their side table follows the samples kept.
  let keptExact: Map<number, bigint> | null = null;
  if (exact != null && exact.size > 0) {
    kept.forEach((i, n) => {
      for (let t = 0; t < nTypes; t++) {
        const v = exact.get(i * nTypes + t);
        if (v !== undefined) (keptExact ??= new Map()).set(n * nTypes + t, v);
      }
    });
  }
  return {
    profile: {
      ...profile,
      samples: {
        count: kept.length,
        stackStart: Uint32Array.from(starts),
        stackLocations: Uint32Array.from(stacks),
        values: sampleValues,
        exact: keptExact,
      },
      locations,
      comments: [
        ...profile.comments,
        `mapbloat: map samples only, ${stacksComment(evidence)}; labels phase and evidence`,
      ],
      memStats: null,
    },
    labels,
  };

  /** One location per inferred operation, shared by the samples it stands for. */
  function inferredLocation(phase: 'create' | 'assign' | 'clone'): number {
    const name = inferredMapFrame(phase);
    let l = inferred.get(name);
    if (l === undefined) {
      l =
        locations.push({
          address: 0,
          mapping: null,
          lines: [{ function: { name, systemName: name, filename: '', startLine: 0 }, line: 0 }],
        }) - 1;
      inferred.set(name, l);
    }
    return l;
  }
}

/** What the exported stacks are, by the evidence of their samples: said in the profile's comment. */
function stacksComment(evidence: ReadonlySet<string>): string {
  const said = [
    ...(evidence.has('frames') ? ['runtime frames as written'] : []),
    ...(evidence.has('binary') ? ['runtime frames recovered from the binary'] : []),
    ...(evidence.has('source') ? ['a frame naming the map operation inferred from source'] : []),
  ];
  return said.length === 0 ? 'no map samples' : said.join(', ');
}
