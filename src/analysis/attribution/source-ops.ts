import type { LineOp } from '../../source/map-lines.js';
import { leafFrame, NO_FRAME } from '../../stacks/frame-table.js';
import type { RecoveredProfile } from '../../stacks/recover.js';
import { MAP, OWN, RUNTIME, STD } from './classify.js';

/**
 * Step 4 of the attribution, shared by every walk over map samples: the source tree's word on a
 * sample's leaf line. Asked only where runtime frames are hidden, so frames always win and no line
 * counts twice; null when there is nothing to ask. The answer takes the sample's leaf location and
 * is looked up once per leaf frame.
 */
export function leafLineOps(
  recovered: RecoveredProfile,
  frameFlags: Uint16Array,
): ((leafLocation: number) => LineOp | null) | null {
  const { table, runtimeFrames } = recovered;
  const lookup = runtimeFrames === 'hidden' ? recovered.source?.lookup : undefined;
  if (lookup === undefined) return null;
  // Per leaf frame, its line's map operation: null when it has none, undefined before asked.
  const ops: Array<LineOp | null | undefined> = new Array(table.frames.length);
  return (location) => {
    const leaf = leafFrame(table, location);
    if (leaf === NO_FRAME || frameFlags[leaf] & (RUNTIME | MAP)) return null;
    let op = ops[leaf];
    if (op === undefined) op = ops[leaf] = lookup(table.frames[leaf].file, table.frames[leaf].line) ?? null;
    return op;
  };
}

/**
 * Where §5 puts the owner of a sample whose leaf line is the map operation (its site): the first
 * frame of own code, else the first outside the standard library, else the leaf. An index into
 * `frames` (frame numbers, leaf → root); 0 means the leaf owns the map and there is no via.
 */
export function sourceOwner(frames: readonly number[], frameFlags: Uint16Array): number {
  const own = frames.findIndex((f) => frameFlags[f] & OWN);
  const outsideStd = frames.findIndex((f) => !(frameFlags[f] & STD));
  return own >= 0 ? own : Math.max(outsideStd, 0);
}
