import { isMapFrame, isRuntimeFunction, isStdFunction } from '../go/names.js';
import type { Profile } from '../pprof/profile.js';
import type { WantedFile } from '../source/index.js';
import { leafFrame, NO_FRAME, type FrameTable } from './frame-table.js';

/**
 * The lines whose source could tell whether they touch a map: the leaf frame of every sample,
 * unless it is runtime or map code (the frames speak for those). Standard-library leaves count:
 * with $GOROOT/src on the source path, sync.Map's and runtime/pprof's maps are found too.
 * Only asked of profiles whose runtime frames are hidden. File → lines.
 */
export function sourceLeafLines(profile: Profile, table: FrameTable): Map<string, WantedFile> {
  const { stackStart, stackLocations } = profile.samples;
  const out = new Map<string, WantedFile>();
  const seen = new Uint8Array(table.frames.length);
  for (let i = 0; i < profile.samples.count; i++) {
    if (stackStart[i + 1] === stackStart[i]) continue;
    const leaf = leafFrame(table, stackLocations[stackStart[i]]);
    if (leaf === NO_FRAME || seen[leaf]) continue;
    seen[leaf] = 1;
    const { file, line, function: fn } = table.frames[leaf];
    if (isRuntimeFunction(fn) || isMapFrame(fn)) continue;
    let wanted = out.get(file);
    if (wanted === undefined) out.set(file, (wanted = { lines: new Set(), std: isStdFunction(fn) }));
    wanted.lines.add(line);
  }
  return out;
}
