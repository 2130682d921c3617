import { PHASES, type Phase } from '../../go/phase.js';
import type { Frame, ValueType } from '../../pprof/profile.js';
import type { Evidence } from '../../stacks/recover.js';
import { compareStrings } from '../rank.js';
import type { MapOperands } from '../../source/map-lines.js';
import type { ExactValues, Granularity, MapSite, Values } from '../attribute.js';
import type { MapShape } from './shapes.js';

/** The via of a site that is its own owner. */
export const NO_VIA = -1;

export interface Group {
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
  /** The group's samples and each one's phase rank, for the shape of its maps (step 6). */
  readonly samples: number[];
  readonly samplePhases: number[];
  /** Each sample's owner line (granularity "function" groups several). */
  readonly sampleLines: number[];
  /** Each sample's frame flags (0 for a sample of source evidence): the entry point its map went through. */
  readonly sampleFlags: number[];
  /** Frame flags of the group's samples or-ed: which map entry points they went through. */
  flags: number;
  /** The map key and elem layouts its source lines declare: one, none (null), or not looked up. */
  sourceTypes: MapOperands | null | undefined;
  shape: MapShape | null;
  /** Its phases were read from the sizes of its objects (a stock profile with --binary). */
  phasesFromSizes: boolean;
  /** Its sums in BigInt, when the profile has values or sums past 2^53. */
  exact: ExactValues | null;
}

/**
 * Step 2 and 5 of the attribution: map samples summed per owner (a frame number, or its
 * function's with granularity "function"), per phase and per via; then the groups as sites.
 */
export class Groups {
  readonly #groups = new Map<number, Group>();
  readonly #frames: readonly Frame[];
  readonly #functionOf: Uint32Array;
  readonly #granularity: Granularity;
  /** The profile's sample values. */
  readonly #values: Float64Array;
  readonly #nTypes: number;
  /** The map total, every sample type. */
  readonly map: Float64Array;

  constructor(
    frames: readonly Frame[],
    functionOf: Uint32Array,
    granularity: Granularity,
    values: Float64Array,
    nTypes: number,
  ) {
    this.#frames = frames;
    this.#functionOf = functionOf;
    this.#granularity = granularity;
    this.#values = values;
    this.#nTypes = nTypes;
    this.map = new Float64Array(nTypes);
  }

  /** Adds sample i's values to the group of `ownerFrame`, under a via and a phase rank. */
  add(ownerFrame: number, via: number, phase: number, i: number): Group {
    const nTypes = this.#nTypes;
    const group = this.#group(ownerFrame);
    let viaValues = group.vias.get(via);
    if (viaValues === undefined) {
      viaValues = new Float64Array(nTypes);
      group.vias.set(via, viaValues);
    }
    const base = i * nTypes;
    const phaseBase = phase * nTypes;
    for (let t = 0; t < nTypes; t++) {
      const v = this.#values[base + t];
      this.map[t] += v;
      group.values[t] += v;
      group.phases[phaseBase + t] += v;
      viaValues[t] += v;
    }
    group.samples.push(i);
    group.samplePhases.push(phase);
    group.sampleLines.push(this.#frames[ownerFrame].line);
    group.sampleFlags.push(0);
    return group;
  }

  /** Moves the group's k-th sample to another phase: its sizes told what it was. */
  rephase(group: Group, k: number, phase: number): void {
    const nTypes = this.#nTypes;
    const [from, base] = [group.samplePhases[k] * nTypes, group.samples[k] * nTypes];
    for (let t = 0; t < nTypes; t++) {
      const v = this.#values[base + t];
      group.phases[from + t] -= v;
      group.phases[phase * nTypes + t] += v;
    }
    group.samplePhases[k] = phase;
  }

  all(): IterableIterator<Group> {
    return this.#groups.values();
  }

  #group(ownerFrame: number): Group {
    const key = this.#granularity === 'line' ? ownerFrame : this.#functionOf[ownerFrame];
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = {
        owner: this.#frames[ownerFrame],
        values: new Float64Array(this.#nTypes),
        phases: new Float64Array(PHASES.length * this.#nTypes),
        vias: new Map(),
        recovered: false,
        fromSource: false,
        mixed: false,
        samples: [],
        samplePhases: [],
        sampleLines: [],
        sampleFlags: [],
        flags: 0,
        sourceTypes: undefined,
        shape: null,
        phasesFromSizes: false,
        exact: null,
      };
      this.#groups.set(key, group);
    }
    return group;
  }

  /** Every group with a non-zero value as a site; a group all zero was recorded after the last GC. */
  sites(sampleTypes: readonly ValueType[], functions: readonly string[], evidence: Evidence): MapSite[] {
    const nTypes = this.#nTypes;
    const sites: MapSite[] = [];
    for (const group of this.#groups.values()) {
      if (group.values.every((v) => v === 0)) continue;
      const phases: Partial<Record<Phase, Values>> = {};
      PHASES.forEach((p, r) => {
        const row = Array.from(group.phases.subarray(r * nTypes, (r + 1) * nTypes));
        if (row.some((v) => v !== 0)) phases[p] = row;
      });
      sites.push({
        function: group.owner.function,
        file: group.owner.file,
        line: this.#granularity === 'line' ? group.owner.line : null,
        via: chooseVia(group.vias, sampleTypes, functions),
        evidence: group.recovered ? 'binary' : group.fromSource ? 'source' : evidence,
        values: Array.from(group.values),
        phases,
        mixed: group.mixed,
        shape: group.shape,
        phasesFromSizes: group.phasesFromSizes,
        exact: group.exact,
      });
    }
    return sites;
  }
}

/** §5: the via with the most inuse_space, then alloc_space, then the smallest name (null first). */
function chooseVia(
  vias: ReadonlyMap<number, Float64Array>,
  sampleTypes: readonly ValueType[],
  functions: readonly string[],
): string | null {
  const inuse = sampleTypes.findIndex((s) => s.type === 'inuse_space');
  const alloc = sampleTypes.findIndex((s) => s.type === 'alloc_space');
  const name = (fn: number) => (fn === NO_VIA ? '' : functions[fn]);
  let best: [number, Float64Array] | null = null;
  for (const entry of vias) {
    if (best === null || compareVia(entry, best) < 0) best = entry;
  }
  return best === null || best[0] === NO_VIA ? null : functions[best[0]];

  function compareVia(a: [number, Float64Array], b: [number, Float64Array]): number {
    for (const t of [inuse, alloc]) {
      if (t >= 0 && a[1][t] !== b[1][t]) return b[1][t] - a[1][t];
    }
    return compareStrings(name(a[0]), name(b[0]));
  }
}
