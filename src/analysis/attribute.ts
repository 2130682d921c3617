import { PHASES, type Phase } from '../go/phase.js';
import type { Profile, ValueType } from '../pprof/profile.js';
import type { LineOp, MapOperands } from '../source/map-lines.js';
import { stackFrameIds } from '../stacks/frame-table.js';
import type { Evidence, RecoveredProfile } from '../stacks/recover.js';
import type { RuntimeFrames } from '../stacks/runtime-frames.js';
import type { MainModule } from '../stacks/main-module.js';
import { classify, HMAP, MAP, RECOVERED, SWISS, UNLINKED_MAP } from './attribution/classify.js';
import { shapeCandidates, type BinaryMapTypes } from './attribution/candidates.js';
import { Groups, NO_VIA, type Group } from './attribution/groups.js';
import {
  chooseCandidate,
  explainedBytes,
  phasesFromSizes,
  sampleKind,
  shapeOf,
  mapsOf,
  readersOf,
  type MapShape,
  type ShapeCandidate,
  type SizedSample,
} from './attribution/shapes.js';
import type { MapRuntime as GoMapRuntime } from '../go/map-runtime.js';
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
  /** What the sizes of its objects say of its maps, when its map type is known (§10). */
  readonly shape: MapShape | null;
  /** Its phases were read from object sizes (stock profile + binary): inferred, not seen in frames. */
  readonly phasesFromSizes: boolean;
  /** Its values and phases exactly, when some are past 2^53 (where numbers round); else null. */
  readonly exact: ExactValues | null;
}

/** Sums past 2^53, exactly: numbers round there. Indexed like the profile's sample types. */
export interface ExactValues {
  readonly values: readonly bigint[];
  readonly phases: Readonly<Partial<Record<Phase, readonly bigint[]>>>;
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
  /** The totals exactly, when a sum or a value is past 2^53; else null (the numbers are exact). */
  readonly exactTotals: { readonly heap: readonly bigint[]; readonly map: readonly bigint[] } | null;
  /**
   * What the sums decided sample by sample beyond the frames: a mixed source line's samples that
   * are not its map's (`excluded`), and the phases read from object sizes (`phases`). A second
   * walk over the map samples (the flame graph, the exported profile) follows them.
   */
  readonly decided: { readonly excluded: ReadonlySet<number>; readonly phases: ReadonlyMap<number, Phase> };
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
export function attributeMaps(
  recovered: RecoveredProfile,
  options: AttributionOptions = { granularity: 'line', owner: 'app' },
): Attribution {
  const { profile, table, runtimeFrames, mainModule } = recovered;
  const { granularity } = options;
  const ownerRule: OwnerRule = options.owner === 'app' && mainModule !== null ? 'app' : 'lib';
  const nTypes = profile.sampleTypes.length;
  const { frameFlags, locationFlags, locationPhase } = classify(table, ownerRule === 'app' ? mainModule : null);
  const { stackStart, stackLocations, values } = profile.samples;
  const groups = new Groups(table.frames, table.functionOf, granularity, values, nTypes);
  const sourceOp = leafLineOps(recovered, frameFlags);
  const sizedForSource = sourceOp === null ? null : sizedSamples(profile.sampleTypes, values);
  // A line's operation → its samples, for the lines whose map objects are told apart by size.
  const toSplit = new Map<LineOp, number[]>();
  const excluded = new Set<number>();
  const rephased = new Map<number, Phase>();

  const heap = new Float64Array(nTypes);
  const linknamedOnly = new Float64Array(nTypes);
  const negatives = new Float64Array(nTypes);
  // Sums of magnitudes: while these stay below 2^53 every partial sum of a total is exact.
  const magnitude = new Float64Array(nTypes);
  const found: OwnerFound = { site: 0, owner: 0, recovered: false };
  let seen = 0;
  for (let i = 0; i < profile.samples.count; i++) {
    const base = i * nTypes;
    for (let t = 0; t < nTypes; t++) {
      const v = values[base + t];
      heap[t] += v;
      magnitude[t] += Math.abs(v);
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
    group.flags |= sampleFlags;
    group.sampleFlags[group.sampleFlags.length - 1] = sampleFlags;
    if (found.recovered) group.recovered = true;
  }
  splitLines();
  const runtime = seen & SWISS ? 'swiss' : seen & HMAP ? 'hmap' : 'unknown';
  const sized = sizedSamples(profile.sampleTypes, values);
  // A sample's call site: its leaf location (a stock profile's, past the hidden runtime frames).
  const pathOf = (i: number) => (stackStart[i] < stackStart[i + 1] ? stackLocations[stackStart[i]] : -1);
  if (sized !== null) shapeGroups(groups, sized, recovered.mapTypes, runtime, rephased, pathOf);

  const exact = profile.samples.exact ?? null;
  const exactTotals =
    exact !== null || magnitude.some((m) => m >= 2 ** 53) ? exactSums(groups, profile.samples, nTypes) : null;
  const sites = groups.sites(profile.sampleTypes, table.functions, recovered.evidence);
  return {
    sampleTypes: profile.sampleTypes,
    granularity,
    ownerRule,
    mainModule,
    totals: { heap: Array.from(heap), map: Array.from(groups.map) },
    sites,
    runtime,
    runtimeFrames,
    visibility: visibility(recovered, sites.length > 0),
    linknamedOnly: Array.from(linknamedOnly),
    exactTotals,
    decided: { excluded, phases: rephased },
    negativeSamples: Array.from(negatives),
  };

  /**
   * Step 4: a leaf line that is a map operation by its source is the site (§5 from there on).
   * When its map type is known, only samples whose sizes are map objects count: a line that also
   * allocates something else is split by size, and one whose map allocates nothing here (a
   * presized map) is no site at all.
   */
  function addFromSource(sourceOp: (leafLocation: number) => LineOp | null, i: number): void {
    const op = sourceOp(stackLocations[stackStart[i]]);
    if (op === null) return;
    // Only a line that allocates something besides the map needs its samples told apart, and
    // they are told apart together (below, splitLines).
    if (op.mixed && op.types !== null && sizedForSource !== null) {
      const line = toSplit.get(op) ?? toSplit.set(op, []).get(op)!;
      line.push(i);
      return;
    }
    addSourceSample(i, op, false);
  }

  /** Step 4b: the samples of lines to split, the map's by their sizes (see mapSamplesOf). */
  function splitLines(): void {
    for (const [op, samples] of toSplit) {
      const map = new Set(mapSamplesOf(samples, op.types!, sizedForSource!));
      for (const i of samples) {
        if (map.has(i)) addSourceSample(i, op, true);
        else excluded.add(i);
      }
    }
  }

  function addSourceSample(i: number, op: LineOp, split: boolean): void {
    const frames = stackFrameIds(table, profile, i);
    const owner = sourceOwner(frames, frameFlags);
    const group = groups.add(
      frames[owner],
      owner === 0 ? NO_VIA : table.functionOf[frames[0]],
      PHASES.indexOf(op.phase),
      i,
    );
    group.fromSource = true;
    if (op.mixed && !split) group.mixed = true;
    group.sourceTypes = group.sourceTypes === undefined || group.sourceTypes === op.types ? op.types : null;
  }
}

function visibility({ runtimeFrames, recovery }: RecoveredProfile, anySite: boolean): MapVisibility {
  if (runtimeFrames === 'present' || recovery === 'binary') return 'exact';
  if (recovery === 'source') return 'inferred';
  return anySite ? 'partial' : 'none';
}

/**
 * Step 6: the shapes of the groups' maps. A program has one map runtime: the binary's, else the
 * one (of the runtimes a profile without a version may come from, narrowed to the implementation
 * its frames show) whose layouts explain most of the bytes of all sites together — decided once
 * for the profile, never site by site; when the runtimes that explain most are of both
 * implementations, none is chosen and no site has a shape.
 */
function shapeGroups(
  groups: Groups,
  sized: SizeReader,
  binary: BinaryMapTypes | null,
  runtime: MapRuntime,
  rephased: Map<number, Phase>,
  pathOf: (i: number) => number,
): void {
  const work = [...groups.all()].flatMap((group) => {
    // No map type to read the sizes against (no binary, no declared type): no per-sample reads.
    const candidates = shapeCandidates(binary, group.sourceTypes, group.flags, runtime);
    if (candidates.length === 0) return [];
    const samples = group.samples.map((i, k) => sized.sample(i, PHASES[group.samplePhases[k]]));
    return [{ group, candidates, samples }];
  });
  const chosen = binary === null ? profileRuntime(work) : undefined;
  if (chosen === null) return;
  for (const { group, candidates, samples } of work) {
    const mine = chosen === undefined ? candidates : candidates.filter((c) => c.geometry.runtime === chosen);
    shapeGroup(group, groups, sized, mine, samples, rephased, binary, runtime, pathOf);
  }
}

/**
 * The map runtime a profile read without its binary comes from, by the sizes of all its sites'
 * objects: the runtime that explains most bytes (of equals, the newest, when they are all of one
 * implementation); null when none explains any, or the best are of both implementations.
 */
function profileRuntime(
  work: ReadonlyArray<{ readonly candidates: readonly ShapeCandidate[]; readonly samples: readonly SizedSample[] }>,
): GoMapRuntime | null {
  const score = new Map<GoMapRuntime, number>();
  for (const { candidates, samples } of work)
    for (const c of candidates)
      score.set(c.geometry.runtime, (score.get(c.geometry.runtime) ?? 0) + explainedBytes(samples, c));
  const most = Math.max(0, ...score.values());
  if (most === 0) return null;
  const best = [...score].filter(([, bytes]) => bytes === most).map(([rt]) => rt);
  return best.every((rt) => rt.impl === best[0].impl) ? best[0] : null;
}

/**
 * The shape of a group's maps, from the sizes of its objects and the map types it may be of; for
 * a stock profile read with --binary (phases from the entry point alone), the phases its sizes tell.
 */
function shapeGroup(
  group: Group,
  groups: Groups,
  sized: SizeReader,
  candidates: readonly ShapeCandidate[],
  samples: readonly SizedSample[],
  rephased: Map<number, Phase>,
  binary: BinaryMapTypes | null,
  runtime: MapRuntime,
  pathOf: (i: number) => number,
): void {
  const chosen = chooseCandidate(samples, candidates);
  if (chosen === null) return;
  // Each sample's own candidates, by the entry point its stack went through (source: the group's).
  const own = new Map<number, readonly ShapeCandidate[]>();
  const candidatesOf = group.sampleFlags.map((flags) => {
    if (binary === null) return candidates;
    return own.get(flags) ?? own.set(flags, shapeCandidates(binary, null, flags, runtime)).get(flags)!;
  });
  const readers = readersOf(samples, candidatesOf, chosen.candidate);
  if (group.flags & RECOVERED) {
    phasesFromSizes(samples, readers, group.samples.map(pathOf)).forEach((phase, k) => {
      if (phase === samples[k].phase) return;
      groups.rephase(group, k, PHASES.indexOf(phase));
      rephased.set(group.samples[k], phase);
    });
    group.phasesFromSizes = true;
  }
  group.shape = shapeOf(
    group.samples.map((i, k) => sized.sample(i, PHASES[group.samplePhases[k]])),
    chosen.candidate,
    chosen.explained,
    !group.fromSource,
    mapsOf(samples, readers, group.sampleLines),
  );
}

interface SizeReader {
  sample(i: number, phase: Phase): SizedSample;
}

/** Reads a sample's objects and bytes; null for a profile without the four heap sample types. */
function sizedSamples(types: readonly ValueType[], values: Float64Array): SizeReader | null {
  const at = (name: string) => types.findIndex((t) => t.type === name);
  const [io, is, ao, as] = ['inuse_objects', 'inuse_space', 'alloc_objects', 'alloc_space'].map(at);
  if ([io, is, ao, as].some((t) => t < 0)) return null;
  const n = types.length;
  return {
    sample: (i, phase) => ({
      phase,
      inuseObjects: values[i * n + io],
      inuseBytes: values[i * n + is],
      allocObjects: values[i * n + ao],
      allocBytes: values[i * n + as],
    }),
  };
}

/**
 * The samples of a source line that are its map's objects: headers, buckets, groups and tables
 * of the line's declared map type, under the runtime that explains most of them. What growth
 * allocates besides tables (hmap mapextra, Swiss table structs and directories) is small and made
 * with a table, once per table at most: a sample of that size made more often than the line's tables is the
 * line's other allocation (&Session{}: 24 bytes, like mapextra).
 */
function mapSamplesOf(samples: readonly number[], operands: MapOperands, sized: SizeReader): number[] {
  const read = samples.map((i) => sized.sample(i, 'assign'));
  let best: number[] = [];
  let bestBytes = 0;
  for (const { geometry: g } of shapeCandidates(null, operands, 0, 'unknown')) {
    const kinds = read.map((s) => sampleKind(s, g));
    const tables = read.reduce((sum, s, k) => sum + (kinds[k] === 'table' ? s.allocObjects : 0), 0);
    const map = samples.filter((_, k) => {
      const kind = kinds[k];
      return (
        kind === 'table' ||
        kind === 'bucket' ||
        kind === 'header' ||
        (kind === 'map-other' && read[k].allocObjects <= tables)
      );
    });
    const bytes = map.reduce((sum, i) => sum + sized.sample(i, 'assign').allocBytes, 0);
    if (bytes > bestBytes) [best, bestBytes] = [map, bytes];
  }
  return best;
}

/**
 * The totals and every group's values and phases in BigInt: asked only when a value or a sum
 * reaches 2^53 (a server allocating 10 GB/s for a year passes it in alloc_space), where a float
 * would round. Values past 2^53 come exactly from the decoder's side table.
 */
function exactSums(groups: Groups, samples: Profile['samples'], nTypes: number): { heap: bigint[]; map: bigint[] } {
  const at = (k: number) => samples.exact?.get(k) ?? BigInt(samples.values[k]);
  const heap = new Array<bigint>(nTypes).fill(0n);
  for (let i = 0; i < samples.count; i++) for (let t = 0; t < nTypes; t++) heap[t] += at(i * nTypes + t);
  const map = new Array<bigint>(nTypes).fill(0n);
  for (const group of groups.all()) {
    const values = new Array<bigint>(nTypes).fill(0n);
    const phases: Partial<Record<Phase, bigint[]>> = {};
    group.samples.forEach((i, k) => {
      const row = (phases[PHASES[group.samplePhases[k]]] ??= new Array<bigint>(nTypes).fill(0n));
      for (let t = 0; t < nTypes; t++) {
        const v = at(i * nTypes + t);
        values[t] += v;
        row[t] += v;
        map[t] += v;
      }
    });
    group.exact = { values, phases };
  }
  return { heap, map };
}
