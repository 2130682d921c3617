import { isAllocatorFrame, isRuntimeFrame } from '../go/names.js';
import type { Profile } from '../pprof/profile.js';
import { leafFrame, NO_FRAME, stackFrameIds, type FrameTable } from './frame-table.js';

/**
 * Whether the profile writer kept the runtime's frames (docs/attribution.md §7, §9); a profile
 * without function names at all (only addresses) cannot tell.
 */
export type RuntimeFrames = 'present' | 'hidden' | 'unsymbolized';

/**
 * The one rule for `runtimeFrames`: present when some allocation stack starts in the runtime's
 * allocator (mallocgc and the functions that call it for user code) and goes on into code that
 * is not the runtime's. A stock writer drops the leading runtime frames of every stack, so it
 * never leaves such a stack; a full-frame writer leaves one for nearly every sample. Any other
 * runtime leaf proves nothing: the stock writer keeps a stack whole when it is all runtime code,
 * and shows runtime code inlined into a std function (`runtime.StopTrace` in `runtime/trace.Stop`)
 * at the leaf. A frame recovered from a binary is not the profile's own: the leaf is then the
 * first frame the profile has.
 */
export function runtimeFramesOf(profile: Profile, table: FrameTable): RuntimeFrames {
  const { frames } = table;
  if (frames.length === 0 && profile.locations.length > 0) return 'unsymbolized';
  const { stackStart, stackLocations } = profile.samples;
  // Per leaf frame: 0 not looked at, 1 an allocator (or recovered), 2 neither.
  const leafKind = new Uint8Array(frames.length);
  for (let i = 0; i < profile.samples.count; i++) {
    if (stackStart[i + 1] === stackStart[i]) continue;
    const leaf = leafFrame(table, stackLocations[stackStart[i]]);
    if (leaf === NO_FRAME) continue;
    if (leafKind[leaf] === 0)
      leafKind[leaf] = frames[leaf].recovered === true || isAllocatorFrame(frames[leaf].function) ? 1 : 2;
    if (leafKind[leaf] === 2) continue;
    const ids = stackFrameIds(table, profile, i);
    const first = frames[ids[0]].recovered === true ? 1 : 0;
    if (first >= ids.length || !isAllocatorFrame(frames[ids[first]].function)) continue;
    if (ids.slice(first + 1).some((f) => !isRuntimeFrame(frames[f].function, frames[f].file))) return 'present';
  }
  return 'hidden';
}
