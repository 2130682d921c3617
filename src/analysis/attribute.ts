import { PHASES, type Phase } from '../go/phase.js';
import type { ValueType } from '../pprof/profile.js';
import type { LineOp } from '../source/map-lines.js';
import { stackFrameIds } from '../stacks/frame-table.js';
import type { Evidence, RecoveredProfile } from '../stacks/recover.js';
import type { RuntimeFrames } from '../stacks/runtime-frames.js';
import type { MainModule } from '../stacks/main-module.js';
import { classify, HMAP, MAP, SWISS, UNLINKED_MAP } from './attribution/classify.js';
import { Groups, NO_VIA } from './attribution/groups.js';
import { findOwner, type OwnerFound } from './attribution/owner.js';
import { leafLineOps, sourceOwner } from './attribution/source-ops.js';

export type Granularity = 'line' | 'function';
/**
 * Who owns a map (docs/attribution.md §5): "app", the first frame of the program's own code
 * (package main or the main module), the library it went through as `via`; "lib", the first
 * frame outside the standard library.
 */
export type OwnerRule = 'app' | 'lib';

export interface AttributionOptions {
  readonly granularity: Granularity;
  readonly owner: OwnerRule;
}
/** Which map implementation the profile's frames show (docs/attribution.md §7). */
export type MapRuntime = 'swiss' | 'hmap' | 'unknown';

/**
 * How much of the map memory the attribution could see (docs/attribution.md §9): all of it
 * (frames present, or recovered from the binary); inferred from the source tree; only what
 * linknamed frames show (a lower bound); or none of it — then the map total is unknown, not 0.
 */
export type MapVisibility = 'exact' | 'inferred' | 'partial' | 'none';

/** Values indexed like the profile's sample types. */
export type Values = readonly number[];

/** A group of map samples that share an owner (§5). */
export interface MapSite {
  readonly function: string;
  readonly file: string;
  /** null with granularity "function". */
  readonly line: number | null;
  /** The standard-library function the owner reached the map through, e.g. sync.(*Map).Store. */
  readonly via: string | null;
  readonly evidence: Evidence;
  readonly values: Values;
  /** Only the phases with a non-zero value. */
  readonly phases: Readonly<Partial<Record<Phase, Values>>>;
  /** Source evidence only: a line of the site also allocates non-map memory, counted whole. */
  readonly mixed: boolean;
}

export interface Attribution {
  readonly sampleTypes: readonly ValueType[];
  /** Whether sites group by owner line or by owner function. */
  readonly granularity: Granularity;
  /** The owner rule used: "app" only when asked and the main module is known. */
  readonly ownerRule: OwnerRule;
  readonly mainModule: MainModule | null;
  readonly totals: { readonly heap: Values; readonly map: Values };
  /** Every site with a non-zero value, unranked. */
  readonly sites: readonly MapSite[];
  readonly runtime: MapRuntime;
  readonly runtimeFrames: RuntimeFrames;
  readonly visibility: MapVisibility;
  /** Map memory found through linknamed frames (reflect.mapassign, maps.clone, …) alone. */
  readonly linknamedOnly: Values;
  /**
   * Per sample type, the samples with a negative value: a delta profile (the difference of two
   * profiles, as continuous profilers store them), whose values are net changes. Go's writer
   * never writes one.
   */
  readonly negativeSamples: Values;
}

/**
 * §2–§6 over every sample of a recovered profile, in steps over the frame table's numbers:
 * classify frames and locations once; sum the heap and settle each sample by its locations'
 * or-ed flags; walk only map samples, and only to their owner; then the samples the source
 * tree speaks for (only where runtime frames are hidden, so frames always win and no line counts
 * twice); then the groups as sites. The hot path of a big profile: keep it over typed arrays.
 */
export function attributeMaps(recovered: RecoveredProfile, options: AttributionOptions = { granularity: 'line', owner: 'app' }): Attribution {
  const { profile, table, runtimeFrames, mainModule } = recovered;
  const { granularity } = options;
  const ownerRule: OwnerRule = options.owner === 'app' && mainModule !== null ? 'app' : 'lib';
  const nTypes = profile.sampleTypes.length;
  const { frameFlags, locationFlags, locationPhase } = classify(table, ownerRule === 'app' ? mainModule : null);
  const { stackStart, stackLocations, values } = profile.samples;
  const groups = new Groups(table.frames, table.functionOf, granularity, values, nTypes);
  const sourceOp = leafLineOps(recovered, frameFlags);

  const heap = new Float64Array(nTypes);
  const linknamedOnly = new Float64Array(nTypes);
  const negatives = new Float64Array(nTypes);
  const found: OwnerFound = { site: 0, owner: 0, recovered: false };
  let seen = 0;
  for (let i = 0; i < profile.samples.count; i++) {
    const base = i * nTypes;
    for (let t = 0; t < nTypes; t++) {
      const v = values[base + t];
      heap[t] += v;
      if (v < 0) negatives[t]++;
    }
    const from = stackStart[i];
    const to = stackStart[i + 1];
    if (from === to) continue;
    let sampleFlags = 0;
    let phase = 255;
    for (let k = from; k < to; k++) {
      const l = stackLocations[k];
      sampleFlags |= locationFlags[l];
      if (locationPhase[l] < phase) phase = locationPhase[l];
    }
    seen |= sampleFlags;
    if (!(sampleFlags & MAP)) {
      if (sourceOp !== null) addFromSource(sourceOp, i);
      continue;
    }
    if (!(sampleFlags & UNLINKED_MAP)) for (let t = 0; t < nTypes; t++) linknamedOnly[t] += values[base + t];
    findOwner(table, frameFlags, ownerRule === 'app', profile.samples, i, found);
    const group = groups.add(found.owner, found.owner === found.site ? NO_VIA : table.functionOf[found.site], phase, i);
    if (found.recovered) group.recovered = true;
  }

  const sites = groups.sites(profile.sampleTypes, table.functions, recovered.evidence);
  return {
    sampleTypes: profile.sampleTypes,
    granularity,
    ownerRule,
    mainModule,
    totals: { heap: Array.from(heap), map: Array.from(groups.map) },
    sites,
    runtime: seen & SWISS ? 'swiss' : seen & HMAP ? 'hmap' : 'unknown',
    runtimeFrames,
    visibility: visibility(recovered, sites.length > 0),
    linknamedOnly: Array.from(linknamedOnly),
    negativeSamples: Array.from(negatives),
  };

  /** Step 4: a leaf line that is a map operation by its source is the site (§5 from there on). */
  function addFromSource(sourceOp: (leafLocation: number) => LineOp | null, i: number): void {
    const op = sourceOp(stackLocations[stackStart[i]]);
    if (op === null) return;
    const frames = stackFrameIds(table, profile, i);
    const owner = sourceOwner(frames, frameFlags);
    const group = groups.add(frames[owner], owner === 0 ? NO_VIA : table.functionOf[frames[0]], PHASES.indexOf(op.phase), i);
    group.fromSource = true;
    if (op.mixed) group.mixed = true;
  }
}

function visibility({ runtimeFrames, recovery }: RecoveredProfile, anySite: boolean): MapVisibility {
  if (runtimeFrames === 'present' || recovery === 'binary') return 'exact';
  if (recovery === 'source') return 'inferred';
  return anySite ? 'partial' : 'none';
}
