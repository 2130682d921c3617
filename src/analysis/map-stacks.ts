import { inferredMapFrame } from '../go/names.js';
import type { Phase } from '../go/phase.js';
import type { RecoveredProfile } from '../stacks/recover.js';
import type { Attribution, Values } from './attribute.js';
import { forEachMapSample } from './map-samples.js';

/**
 * What a node of the map-stack trie stands for, from the root down: code on the way to a map
 * (`code`), the frame that owns it and the one it went through (`owner`, `via`, §5), the map
 * runtime code (`map`; `recovered` from the binary, `inferred` from the source tree), and the
 * phase (§4) as the leaf. `other` holds the merged nodes too small to draw.
 */
export type StackNodeKind = 'root' | 'code' | 'owner' | 'via' | 'map' | 'recovered' | 'inferred' | 'phase' | 'other';

export interface StackNode {
  /** A function name, a phase, or "other". */
  readonly name: string;
  readonly kind: StackNodeKind;
  /** Per sample type, like a site's values. */
  readonly values: Values;
  /** In no particular order: a renderer sorts them by the values it shows. */
  readonly children: readonly StackNode[];
}

/** Every path from a root frame to a map operation, summed: the flame graph of map memory. */
export interface MapStacks {
  readonly root: StackNode;
  /** Nodes kept, and nodes merged into "other" ones. */
  readonly nodes: number;
  readonly merged: number;
}

/**
 * Below this share of the map total in every sample type, a node is merged into its parent's
 * "other": on the 786k-sample profile it keeps the HTML report small while losing nothing a flame
 * graph could draw wider than a pixel.
 */
const MIN_NODE_SHARE = 0.001;

// Roles a node took for some sample; the highest one names its kind.
const ROLES: readonly StackNodeKind[] = ['code', 'via', 'owner', 'map', 'recovered', 'inferred', 'phase'];
const ROLE_BIT = Object.fromEntries(ROLES.map((r, i) => [r, 1 << i])) as Record<StackNodeKind, number>;

/**
 * The map samples' stacks as a trie, root → … → owner → via → map operation → phase: the frames
 * below the innermost map frame (the allocator's) are left out, and a sample only the source tree
 * speaks for gets the operation its line lowers to ("runtime.mapassign (inferred from source)").
 * Nodes are keyed by function name, as pprof's flame graph does, and bounded: a node below
 * MIN_NODE_SHARE merges into its parent's "other".
 *
 * Built top-down, one level at a time, so that only the nodes kept are ever made: the paths are
 * gathered first (a name and a role per step), then each kept node splits its samples by their
 * next step. The 786k-sample profile has 2^18 distinct call paths; a trie of every prefix would
 * hold a million nodes, of which some 1,500 are drawn.
 */
export function mapStacks(
  recovered: RecoveredProfile,
  attribution: Pick<Attribution, 'ownerRule' | 'mainModule' | 'decided'>,
  focus?: RegExp,
): MapStacks {
  const { profile, table } = recovered;
  const nTypes = profile.sampleTypes.length;
  const paths = new Paths(table.functions);
  forEachMapSample(recovered, attribution, (sample) => {
    const { frames, site, owner } = sample;
    // --focus keeps the sites whose owner function or file matches: the graph draws their samples.
    if (focus !== undefined) {
      const o = table.frames[frames[owner]];
      if (!focus.test(o.function) && !focus.test(o.file)) return;
    }
    paths.start(sample.index);
    for (let k = frames.length - 1; k >= Math.max(sample.mapFrame, 0); k--) {
      const f = frames[k];
      const role =
        k === owner
          ? 'owner'
          : k === site
            ? 'via'
            : k < site
              ? table.frames[f].recovered === true
                ? 'recovered'
                : 'map'
              : 'code';
      paths.step(table.functionOf[f], ROLE_BIT[role]);
    }
    if (sample.inferred !== null) paths.step(paths.nameId(inferredMapFrame(sample.inferred.phase)), ROLE_BIT.inferred);
    paths.step(paths.nameId(sample.phase satisfies Phase), ROLE_BIT.phase);
  });

  const values = profile.samples.values;
  const sampleValues = (members: Int32Array): Float64Array => {
    const sum = new Float64Array(nTypes);
    for (const m of members) for (let t = 0; t < nTypes; t++) sum[t] += values[paths.sampleOf(m) * nTypes + t];
    return sum;
  };
  const magnitude = new Float64Array(nTypes);
  for (let m = 0; m < paths.count; m++)
    for (let t = 0; t < nTypes; t++) magnitude[t] += Math.abs(values[paths.sampleOf(m) * nTypes + t]);
  const floor = Array.from(magnitude, (v) => v * MIN_NODE_SHARE);
  const counts = { nodes: 1, merged: 0 };

  /** The node that `members` (paths that share their first `depth` steps) reach; its children below. */
  const node = (name: string, kind: StackNodeKind, members: Int32Array, depth: number): StackNode => {
    const byName = new Map<number, number[]>();
    for (const m of members) {
      if (depth >= paths.length(m)) continue;
      const id = paths.name(m, depth);
      let list = byName.get(id);
      if (list === undefined) byName.set(id, (list = []));
      list.push(m);
    }
    const children: StackNode[] = [];
    const other = new Float64Array(nTypes);
    for (const [id, list] of byName) {
      const group = Int32Array.from(list);
      const sum = sampleValues(group);
      if (sum.some((v, t) => floor[t] > 0 && Math.abs(v) >= floor[t])) {
        counts.nodes++;
        let roles = 0;
        for (const m of group) roles |= paths.role(m, depth);
        children.push(node(paths.names[id], ROLES[31 - Math.clz32(roles)], group, depth + 1));
      } else {
        counts.merged++;
        sum.forEach((v, t) => (other[t] += v));
      }
    }
    if (other.some((v) => v !== 0)) {
      counts.nodes++;
      children.push({ name: 'other', kind: 'other', values: Array.from(other), children: [] });
    }
    return { name, kind, values: Array.from(sampleValues(members)), children };
  };
  const root = node(
    '',
    'root',
    Int32Array.from({ length: paths.count }, (_, m) => m),
    0,
  );
  return { root, ...counts };
}

/** Every map sample's path as name numbers and role bits, in flat growing arrays. */
class Paths {
  /** The profile's function names, then the phases and inferred operations. */
  readonly names: string[];
  readonly #extra = new Map<string, number>();
  #starts = new Int32Array(1024);
  #samples = new Int32Array(1024);
  #steps = new Int32Array(16384);
  #roles = new Uint8Array(16384);
  #nSteps = 0;
  count = 0;

  constructor(functions: readonly string[]) {
    this.names = [...functions];
  }

  nameId(name: string): number {
    let id = this.#extra.get(name);
    if (id === undefined) this.#extra.set(name, (id = this.names.push(name) - 1));
    return id;
  }

  start(sample: number): void {
    if (this.count + 2 > this.#starts.length) {
      this.#starts = grown(this.#starts);
      this.#samples = grown(this.#samples);
    }
    this.#samples[this.count] = sample;
    this.#starts[this.count++] = this.#nSteps;
    this.#starts[this.count] = this.#nSteps;
  }

  step(name: number, role: number): void {
    if (this.#nSteps === this.#steps.length) {
      this.#steps = grown(this.#steps);
      this.#roles = grown(this.#roles);
    }
    this.#steps[this.#nSteps] = name;
    this.#roles[this.#nSteps++] = role;
    this.#starts[this.count] = this.#nSteps;
  }

  sampleOf(m: number): number {
    return this.#samples[m];
  }

  length(m: number): number {
    return this.#starts[m + 1] - this.#starts[m];
  }

  name(m: number, depth: number): number {
    return this.#steps[this.#starts[m] + depth];
  }

  role(m: number, depth: number): number {
    return this.#roles[this.#starts[m] + depth];
  }
}

function grown<T extends Int32Array | Uint8Array>(a: T): T {
  const bigger = new (a.constructor as new (n: number) => T)(a.length * 2);
  bigger.set(a);
  return bigger;
}
