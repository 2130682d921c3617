import { PHASES, type Phase } from '../go/phase.js';
import type { LineOp } from '../source/map-lines.js';
import { stackFrameIds } from '../stacks/frame-table.js';
import type { Evidence, RecoveredProfile } from '../stacks/recover.js';
import type { Attribution } from './attribute.js';
import { classify, MAP, NO_PHASE, RECOVERED } from './attribution/classify.js';
import { findOwner, type OwnerFound } from './attribution/owner.js';
import { leafLineOps, sourceOwner } from './attribution/source-ops.js';

/** One sample the attribution counts as map memory (docs/attribution.md §3–§5, §9), with its stack. */
export interface MapSample {
  /** The sample's index in the profile. */
  readonly index: number;
  /** Its frame numbers (the profile's frame table), leaf → root. */
  readonly frames: readonly number[];
  /** Where in `frames` the map operation's innermost frame is; -1 when only the source tells (`inferred`). */
  readonly mapFrame: number;
  /** Where in `frames` its site and its owner are (§5). */
  readonly site: number;
  readonly owner: number;
  readonly phase: Phase;
  readonly evidence: Evidence;
  /** For a sample without map frames: what its leaf line does to a map, by the source tree. */
  readonly inferred: LineOp | null;
}

/**
 * The map samples of a recovered profile, one by one, decided by the attribution's own steps
 * (classify, findOwner, the source step) under the owner rule it used: the samples its sites sum.
 * A second walk, for what needs stacks and not only sums (the flame graph, the exported profile);
 * `mapbloat analyze` without those never takes it.
 */
export function forEachMapSample(
  recovered: RecoveredProfile,
  attribution: Pick<Attribution, 'ownerRule' | 'mainModule' | 'decided'>,
  visit: (sample: MapSample) => void,
): void {
  const { profile, table } = recovered;
  const own = attribution.ownerRule === 'app';
  const { frameFlags, locationFlags, locationPhase } = classify(table, own ? attribution.mainModule : null);
  const sourceOp = leafLineOps(recovered, frameFlags);
  const { stackStart, stackLocations } = profile.samples;
  const found: OwnerFound = { site: 0, owner: 0, recovered: false };
  for (let i = 0; i < profile.samples.count; i++) {
    const from = stackStart[i];
    const to = stackStart[i + 1];
    if (from === to) continue;
    // As attributeMaps settles a sample: its locations' flags or-ed, their lowest phase rank.
    let flags = 0;
    let phase = NO_PHASE;
    for (let k = from; k < to; k++) {
      flags |= locationFlags[stackLocations[k]];
      phase = Math.min(phase, locationPhase[stackLocations[k]]);
    }
    if (flags & MAP) {
      findOwner(table, frameFlags, own, profile.samples, i, found);
      const frames = stackFrameIds(table, profile, i);
      const mapFrame = frames.findIndex((f) => frameFlags[f] & MAP);
      const site = frames.indexOf(found.site, mapFrame);
      visit({
        index: i,
        frames,
        mapFrame,
        site,
        owner: frames.indexOf(found.owner, site),
        phase: attribution.decided.phases.get(i) ?? PHASES[phase],
        evidence: frameFlags[frames[mapFrame]] & RECOVERED ? 'binary' : recovered.evidence,
        inferred: null,
      });
      continue;
    }
    const op = sourceOp?.(stackLocations[from]) ?? null;
    if (op === null || attribution.decided.excluded.has(i)) continue;
    const frames = stackFrameIds(table, profile, i);
    visit({
      index: i,
      frames,
      mapFrame: -1,
      site: 0,
      owner: sourceOwner(frames, frameFlags),
      phase: op.phase,
      evidence: 'source',
      inferred: op,
    });
  }
}
