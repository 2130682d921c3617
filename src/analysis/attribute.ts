import { buildFrameTable, type Frame } from '../model/frames.js';
import type { Profile, ValueType } from '../pprof/profile.js';
import {
  framePhase,
  isLinknamedMapFrame,
  isMapFrame,
  isRuntimeFrame,
  isRuntimeFunction,
  isStdFunction,
  mapRuntimeHint,
} from './go-names.js';
import { PHASES, type Phase } from './phase.js';

export type Granularity = 'line' | 'function';
/** Which map implementation the profile's frames show (SPEC §7). */
export type MapRuntime = 'swiss' | 'hmap' | 'unknown';
/** Whether the writer kept the runtime's frames (SPEC §7, §9). */
export type RuntimeFrames = 'present' | 'hidden';
/** What a site's attribution rests on (SPEC §9). */
export type Evidence = 'frames' | 'binary' | 'source';

/** Values indexed like the profile's sample types. */
export type Values = readonly number[];

/** A source line's map operation (see src/source/map-lines.ts). */
export interface SourceLineOp {
  readonly phase: 'create' | 'assign' | 'clone';
  readonly mixed: boolean;
}

/** Looks up what a user line does to a map; undefined when it does nothing to one, or is unknown. */
export type SourceLookup = (file: string, line: number) => SourceLineOp | undefined;

/** A group of map samples that share an owner (SPEC §5). */
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
  readonly totals: { readonly heap: Values; readonly map: Values };
  /** Every site with a non-zero value, unranked. */
  readonly sites: readonly MapSite[];
  readonly runtime: MapRuntime;
  readonly runtimeFrames: RuntimeFrames;
  /** Map memory found through linknamed frames (reflect.mapassign, maps.clone, …) alone. */
  readonly linknamedOnly: Values;
}

// Per-frame flags.
const MAP = 1;
const RUNTIME = 2;
const STD = 4;
const SWISS = 8;
const HMAP = 16;
/** The frame is a map frame whose name survives a stock writer. */
const LINKNAMED = 32;
/** Runtime code by name or by file (see isRuntimeFrame). */
const RUNTIME_CODE = 64;
/** Recovered from the binary, not in the profile (see model/call-sites.ts). */
const RECOVERED = 128;

interface Group {
  readonly owner: Frame;
  readonly values: Float64Array;
  /** PHASES.length rows of sample-type values. */
  readonly phases: Float64Array;
  /** Values per via candidate; "" stands for null. */
  readonly vias: Map<string, Float64Array>;
  /** Some sample of the group rests on a frame recovered from the binary. */
  recovered: boolean;
  /** Some sample of the group rests on its source line alone. */
  fromSource: boolean;
  mixed: boolean;
}

/**
 * SPEC §2–§6 over every sample of a profile. `evidence` is what the profile's frames rest on;
 * a site whose samples need a frame recovered from the binary is `binary` whatever it says.
 */
export function attributeMaps(
  profile: Profile,
  granularity: Granularity = 'line',
  evidence: Evidence = 'frames',
  source?: SourceLookup,
): Attribution {
  const table = buildFrameTable(profile.locations);
  const nTypes = profile.sampleTypes.length;
  const flags = frameFlags(table.frames);
  const phaseRank = new Uint8Array(table.frames.length);
  table.frames.forEach((f, k) => (phaseRank[k] = flags[k] & MAP ? PHASES.indexOf(framePhase(f.function)) : 255));
  // SPEC §9 evidence "source": user frames whose line is a map operation. Used only for samples
  // without any map frame, at their leaf, so frame evidence always wins and no line counts twice.
  const sourceOps = table.frames.map((f, k) => (source === undefined || flags[k] & (RUNTIME | MAP) ? undefined : source(f.file, f.line)));

  // Flags of every frame of a location, or-ed: most samples of a big profile touch no map and
  // are settled by a few location lookups.
  const { locationStart, locationFrameIds } = table;
  const nLocations = profile.locations.length;
  const locationFlags = new Uint8Array(nLocations);
  for (let l = 0; l < nLocations; l++) {
    let f = 0;
    for (let k = locationStart[l]; k < locationStart[l + 1]; k++) f |= flags[locationFrameIds[k]];
    locationFlags[l] = f;
  }

  const heap = new Float64Array(nTypes);
  const map = new Float64Array(nTypes);
  const linknamedOnly = new Float64Array(nTypes);

  let seen = 0;
  let runtimeFramesPresent = false;

  const groups = new Map<number, Group>();
  const { stackStart, stackLocations, values } = profile.samples;
  const groupOf = (key: number, ownerFrame: number): Group => {
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        owner: table.frames[ownerFrame],
        values: new Float64Array(nTypes),
        phases: new Float64Array(PHASES.length * nTypes),
        vias: new Map(),
        recovered: false,
        fromSource: false,
        mixed: false,
      };
      groups.set(key, group);
    }
    return group;
  };
  const add = (group: Group, via: string, phase: number, base: number): void => {
    let viaValues = group.vias.get(via);
    if (viaValues === undefined) {
      viaValues = new Float64Array(nTypes);
      group.vias.set(via, viaValues);
    }
    const phaseBase = phase * nTypes;
    for (let t = 0; t < nTypes; t++) {
      const v = values[base + t];
      group.values[t] += v;
      group.phases[phaseBase + t] += v;
      viaValues[t] += v;
    }
  };
  const fromSource: Array<{ sample: number; owner: number; via: string; op: SourceLineOp }> = [];
  let stack = new Uint32Array(256);
  for (let i = 0; i < profile.samples.count; i++) {
    const base = i * nTypes;
    for (let t = 0; t < nTypes; t++) heap[t] += values[base + t];
    const from = stackStart[i];
    const to = stackStart[i + 1];
    let sampleFlags = 0;
    for (let k = from; k < to; k++) sampleFlags |= locationFlags[stackLocations[k]];
    seen |= sampleFlags;
    const op = !(sampleFlags & MAP) && to > from ? sourceOps[locationFrameIds[locationStart[stackLocations[from]]]] : undefined;
    if (op === undefined && (sampleFlags & (MAP | RUNTIME)) === 0) continue;

    // The sample's frames, leaf → root.
    let depth = 0;
    for (let k = from; k < to; k++) {
      const l = stackLocations[k];
      for (let j = locationStart[l]; j < locationStart[l + 1]; j++) {
        if (depth === stack.length) {
          const bigger = new Uint32Array(stack.length * 2);
          bigger.set(stack);
          stack = bigger;
        }
        stack[depth++] = locationFrameIds[j];
      }
    }
    if (op !== undefined) {
      // The leaf line is a map operation by its source: it is the site (SPEC §5 from there on).
      // Kept aside: in a profile whose runtime frames are present, no map frame means no map.
      let owner = 0;
      while (owner < depth && flags[stack[owner]] & STD) owner++;
      if (owner === depth) owner = 0;
      fromSource.push({ sample: i, owner: stack[owner], via: owner === 0 ? '' : table.frames[stack[0]].function, op });
      continue;
    }
    // A stock writer drops the leading runtime frames, or keeps a stack whole when all of it is
    // runtime code: a runtime leaf followed by other code means nothing was dropped.
    // Frames recovered from a binary are not the profile's: the leaf is the first frame it has.
    const leaf = depth > 0 && flags[stack[0]] & RECOVERED ? 1 : 0;
    if (!runtimeFramesPresent && depth > leaf && flags[stack[leaf]] & RUNTIME) {
      for (let d = leaf + 1; d < depth; d++) {
        if (!(flags[stack[d]] & RUNTIME_CODE)) {
          runtimeFramesPresent = true;
          break;
        }
      }
    }
    if (!(sampleFlags & MAP)) continue;

    let first = 0;
    while (!(flags[stack[first]] & MAP)) first++;
    let last = first;
    while (last + 1 < depth && flags[stack[last + 1]] & MAP) last++;
    let site = last + 1;
    while (site < depth && flags[stack[site]] & RUNTIME) site++;
    if (site === depth) site = last;
    let owner = site;
    while (owner < depth && flags[stack[owner]] & STD) owner++;
    if (owner === depth) owner = site;
    let phase = 255;
    let allLinknamed = true;
    for (let d = first; d < depth; d++) {
      const fl = flags[stack[d]];
      if (fl & MAP) {
        if (phaseRank[stack[d]] < phase) phase = phaseRank[stack[d]];
        if (!(fl & LINKNAMED)) allLinknamed = false;
      }
    }

    for (let t = 0; t < nTypes; t++) map[t] += values[base + t];
    if (allLinknamed) for (let t = 0; t < nTypes; t++) linknamedOnly[t] += values[base + t];
    const ownerFrame = stack[owner];
    const group = groupOf(granularity === 'line' ? ownerFrame : table.functionOf[ownerFrame], ownerFrame);
    if (flags[stack[first]] & RECOVERED) group.recovered = true;
    add(group, site === owner ? '' : table.frames[stack[site]].function, phase, base);
  }

  if (!runtimeFramesPresent) {
    for (const { sample, owner, via, op } of fromSource) {
      const base = sample * nTypes;
      for (let t = 0; t < nTypes; t++) map[t] += values[base + t];
      const group = groupOf(granularity === 'line' ? owner : table.functionOf[owner], owner);
      group.fromSource = true;
      if (op.mixed) group.mixed = true;
      add(group, via, PHASES.indexOf(op.phase), base);
    }
  }

  const sampleTypes = profile.sampleTypes;
  const sites: MapSite[] = [];
  for (const group of groups.values()) {
    if (group.values.every((v) => v === 0)) continue; // recorded after the last GC
    const phases: Partial<Record<Phase, Values>> = {};
    PHASES.forEach((phase, p) => {
      const row = Array.from(group.phases.subarray(p * nTypes, (p + 1) * nTypes));
      if (row.some((v) => v !== 0)) phases[phase] = row;
    });
    sites.push({
      function: group.owner.function,
      file: group.owner.file,
      line: granularity === 'line' ? group.owner.line : null,
      via: chooseVia(group.vias, sampleTypes),
      evidence: group.recovered ? 'binary' : group.fromSource ? 'source' : evidence,
      values: Array.from(group.values),
      phases,
      mixed: group.mixed,
    });
  }

  return {
    sampleTypes,
    totals: { heap: Array.from(heap), map: Array.from(map) },
    sites,
    runtime: seen & SWISS ? 'swiss' : seen & HMAP ? 'hmap' : 'unknown',
    runtimeFrames: runtimeFramesPresent ? 'present' : 'hidden',
    linknamedOnly: Array.from(linknamedOnly),
  };
}

function frameFlags(frames: readonly Frame[]): Uint8Array {
  return Uint8Array.from(frames, (f) => {
    let fl = 0;
    if (isMapFrame(f.function)) fl |= MAP;
    if (isLinknamedMapFrame(f.function)) fl |= LINKNAMED;
    if (isRuntimeFunction(f.function)) fl |= RUNTIME;
    if (isRuntimeFrame(f.function, f.file)) fl |= RUNTIME_CODE;
    if (f.recovered === true) fl |= RECOVERED;
    if (isStdFunction(f.function)) fl |= STD;
    // A recovered runtime.mapassign is the name both implementations use: it proves neither.
    const hint = f.recovered === true ? null : mapRuntimeHint(f.function, f.file);
    if (hint === 'swiss') fl |= SWISS;
    if (hint === 'hmap') fl |= HMAP;
    return fl;
  });
}

/** SPEC §5: the via with the most inuse_space, then alloc_space, then the smallest name (null first). */
function chooseVia(vias: ReadonlyMap<string, Float64Array>, sampleTypes: readonly ValueType[]): string | null {
  const inuse = sampleTypes.findIndex((s) => s.type === 'inuse_space');
  const alloc = sampleTypes.findIndex((s) => s.type === 'alloc_space');
  let best: [string, Float64Array] | null = null;
  for (const entry of vias) {
    if (best === null || compareVia(entry, best, inuse, alloc) < 0) best = entry;
  }
  return best === null || best[0] === '' ? null : best[0];
}

function compareVia(a: [string, Float64Array], b: [string, Float64Array], inuse: number, alloc: number): number {
  for (const t of [inuse, alloc]) {
    if (t >= 0 && a[1][t] !== b[1][t]) return b[1][t] - a[1][t];
  }
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
