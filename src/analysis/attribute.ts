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
/** A map frame that is not linknamed: the sample is more than what a stock writer shows. */
const UNLINKED_MAP = 256;

const NO_PHASE = 255;
/** The via of a site that is its own owner. */
const NO_VIA = -1;

interface Group {
  readonly owner: Frame;
  readonly values: Float64Array;
  /** PHASES.length rows of sample-type values. */
  readonly phases: Float64Array;
  /** Values per via candidate, by function number (NO_VIA for null). */
  readonly vias: Map<number, Float64Array>;
  /** Some sample of the group rests on a frame recovered from the binary. */
  recovered: boolean;
  /** Some sample of the group rests on its source line alone. */
  fromSource: boolean;
  mixed: boolean;
}

/**
 * SPEC §2–§6 over every sample of a profile. `evidence` is what the profile's frames rest on;
 * a site whose samples need a frame recovered from the binary is `binary` whatever it says.
 *
 * The hot path of a big profile: every distinct frame is classified once, every location once
 * (its flags or-ed, its lowest phase), so a sample is settled by one read per location; only map
 * samples walk their frames, and only until the owner is found.
 */
export function attributeMaps(
  profile: Profile,
  granularity: Granularity = 'line',
  evidence: Evidence = 'frames',
  source?: SourceLookup,
): Attribution {
  const table = buildFrameTable(profile.locations);
  const { locationStart, locationFrameIds, functionOf } = table;
  const nTypes = profile.sampleTypes.length;
  const flags = frameFlags(table.frames);
  const phaseRank = Uint8Array.from(table.frames, (f, k) => (flags[k] & MAP ? PHASES.indexOf(framePhase(f.function)) : NO_PHASE));
  // SPEC §9 evidence "source": frames whose line is a map operation. Used only at the leaf of
  // samples without a map frame, and only when the profile hides runtime frames (below), so
  // frame evidence always wins and no line counts twice.
  const sourceOps = table.frames.map((f, k) => (source === undefined || flags[k] & (RUNTIME | MAP) ? undefined : source(f.file, f.line)));

  const nLocations = profile.locations.length;
  const locationFlags = new Uint16Array(nLocations);
  const locationPhase = new Uint8Array(nLocations).fill(NO_PHASE);
  for (let l = 0; l < nLocations; l++) {
    for (let k = locationStart[l]; k < locationStart[l + 1]; k++) {
      const f = locationFrameIds[k];
      locationFlags[l] |= flags[f];
      if (phaseRank[f] < locationPhase[l]) locationPhase[l] = phaseRank[f];
    }
  }

  const heap = new Float64Array(nTypes);
  const map = new Float64Array(nTypes);
  const linknamedOnly = new Float64Array(nTypes);
  const groups = new Map<number, Group>();
  const { stackStart, stackLocations, values } = profile.samples;
  const groupOf = (ownerFrame: number): Group => {
    const key = granularity === 'line' ? ownerFrame : functionOf[ownerFrame];
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
  const add = (group: Group, via: number, phase: number, base: number): void => {
    let viaValues = group.vias.get(via);
    if (viaValues === undefined) {
      viaValues = new Float64Array(nTypes);
      group.vias.set(via, viaValues);
    }
    const phaseBase = phase * nTypes;
    for (let t = 0; t < nTypes; t++) {
      const v = values[base + t];
      map[t] += v;
      group.values[t] += v;
      group.phases[phaseBase + t] += v;
      viaValues[t] += v;
    }
  };

  let seen = 0;
  let runtimeFramesPresent = false;
  const fromSource: Array<{ sample: number; op: SourceLineOp }> = [];
  for (let i = 0; i < profile.samples.count; i++) {
    const base = i * nTypes;
    for (let t = 0; t < nTypes; t++) heap[t] += values[base + t];
    const from = stackStart[i];
    const to = stackStart[i + 1];
    if (from === to) continue;
    let sampleFlags = 0;
    let phase = NO_PHASE;
    for (let k = from; k < to; k++) {
      const l = stackLocations[k];
      sampleFlags |= locationFlags[l];
      if (locationPhase[l] < phase) phase = locationPhase[l];
    }
    seen |= sampleFlags;
    const leafFlags = flags[locationFrameIds[locationStart[stackLocations[from]]]];

    // A stock writer drops the leading runtime frames, or keeps a stack whole when all of it is
    // runtime code: a runtime leaf followed by other code means nothing was dropped. Frames
    // recovered from a binary are not the profile's: the leaf is the first frame it has.
    if (!runtimeFramesPresent && leafFlags & (RUNTIME | RECOVERED)) runtimeFramesPresent = keepsRuntimeFrames(i);

    if (!(sampleFlags & MAP)) {
      const op = sourceOps[locationFrameIds[locationStart[stackLocations[from]]]];
      if (op !== undefined) fromSource.push({ sample: i, op });
      continue;
    }
    if (!(sampleFlags & UNLINKED_MAP)) for (let t = 0; t < nTypes; t++) linknamedOnly[t] += values[base + t];

    // SPEC §5, walking leaf → root: the first map frame, the end of its run, the first frame
    // past it that is not runtime code (the site; else the run's last frame), then the first
    // frame from the site on outside the standard library (the owner; else the site).
    let state = 0; // 0: before the run, 1: in it, 2: looking for the site, 3: for the owner
    let runLast = -1;
    let site = -1;
    let owner = -1;
    let recovered = false;
    walk: for (let k = from; k < to; k++) {
      const l = stackLocations[k];
      for (let j = locationStart[l]; j < locationStart[l + 1]; j++) {
        const f = locationFrameIds[j];
        const fl = flags[f];
        if (state === 0) {
          if (!(fl & MAP)) continue;
          state = 1;
          recovered = (fl & RECOVERED) !== 0;
        }
        if (state === 1) {
          if (fl & MAP) {
            runLast = f;
            continue;
          }
          state = 2;
        }
        if (state === 2) {
          if (fl & RUNTIME) continue;
          site = f;
          state = 3;
        }
        if (!(fl & STD)) {
          owner = f;
          break walk;
        }
      }
    }
    if (site < 0) site = runLast;
    const ownerFrame = owner < 0 ? site : owner;
    const group = groupOf(ownerFrame);
    if (recovered) group.recovered = true;
    add(group, owner < 0 || owner === site ? NO_VIA : functionOf[site], phase, base);
  }

  if (!runtimeFramesPresent) {
    for (const { sample, op } of fromSource) {
      // The leaf line is a map operation by its source: it is the site (SPEC §5 from there on).
      const frames = stackFrames(sample);
      let owner = 0;
      while (owner < frames.length && flags[frames[owner]] & STD) owner++;
      if (owner === frames.length) owner = 0;
      const group = groupOf(frames[owner]);
      group.fromSource = true;
      if (op.mixed) group.mixed = true;
      add(group, owner === 0 ? NO_VIA : functionOf[frames[0]], PHASES.indexOf(op.phase), sample * nTypes);
    }
  }

  const sampleTypes = profile.sampleTypes;
  const sites: MapSite[] = [];
  for (const group of groups.values()) {
    if (group.values.every((v) => v === 0)) continue; // recorded after the last GC
    const phases: Partial<Record<Phase, Values>> = {};
    PHASES.forEach((p, r) => {
      const row = Array.from(group.phases.subarray(r * nTypes, (r + 1) * nTypes));
      if (row.some((v) => v !== 0)) phases[p] = row;
    });
    sites.push({
      function: group.owner.function,
      file: group.owner.file,
      line: granularity === 'line' ? group.owner.line : null,
      via: chooseVia(group.vias, sampleTypes, table.functions),
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

  function stackFrames(i: number): number[] {
    const out: number[] = [];
    for (let k = stackStart[i]; k < stackStart[i + 1]; k++) {
      const l = stackLocations[k];
      for (let j = locationStart[l]; j < locationStart[l + 1]; j++) out.push(locationFrameIds[j]);
    }
    return out;
  }

  function keepsRuntimeFrames(i: number): boolean {
    const frames = stackFrames(i);
    const leaf = frames.length > 0 && flags[frames[0]] & RECOVERED ? 1 : 0;
    if (leaf >= frames.length || !(flags[frames[leaf]] & RUNTIME)) return false;
    return frames.slice(leaf + 1).some((f) => !(flags[f] & RUNTIME_CODE));
  }
}

function frameFlags(frames: readonly Frame[]): Uint16Array {
  return Uint16Array.from(frames, (f) => {
    let fl = 0;
    if (isMapFrame(f.function)) fl |= isLinknamedMapFrame(f.function) ? MAP | LINKNAMED : MAP | UNLINKED_MAP;
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
function chooseVia(vias: ReadonlyMap<number, Float64Array>, sampleTypes: readonly ValueType[], functions: readonly string[]): string | null {
  const inuse = sampleTypes.findIndex((s) => s.type === 'inuse_space');
  const alloc = sampleTypes.findIndex((s) => s.type === 'alloc_space');
  const name = (fn: number) => (fn === NO_VIA ? '' : functions[fn]);
  let best: [number, Float64Array] | null = null;
  for (const entry of vias) {
    if (best === null || compareVia(entry, best, inuse, alloc, name) < 0) best = entry;
  }
  return best === null || best[0] === NO_VIA ? null : functions[best[0]];
}

function compareVia(
  a: [number, Float64Array],
  b: [number, Float64Array],
  inuse: number,
  alloc: number,
  name: (fn: number) => string,
): number {
  for (const t of [inuse, alloc]) {
    if (t >= 0 && a[1][t] !== b[1][t]) return b[1][t] - a[1][t];
  }
  const [x, y] = [name(a[0]), name(b[0])];
  return x < y ? -1 : x > y ? 1 : 0;
}
