import { buildFrameTable, type FrameTable } from '../model/frames.js';
import type { Profile } from '../pprof/profile.js';
import { isMapFrame, isRuntimeFrame, isRuntimeFunction, isStdFunction } from './go-names.js';

/** The lines of one file to look up, and whether it is the standard library's. */
export interface WantedFile {
  readonly lines: Set<number>;
  readonly std: boolean;
}

/**
 * The lines whose source could tell whether they touch a map: the leaf frame of every sample,
 * unless it is runtime or map code (the frames speak for those). Standard-library leaves count:
 * with $GOROOT/src on the source path, sync.Map's and runtime/pprof's maps are found too.
 * File → lines.
 */
export function sourceLeafLines(profile: Profile): Map<string, WantedFile> {
  const table = buildFrameTable(profile.locations);
  const { stackStart, stackLocations } = profile.samples;
  const candidate = table.frames.map((f) => !isRuntimeFunction(f.function) && !isMapFrame(f.function));
  const runtimeCode = table.frames.map((f) => isRuntimeFrame(f.function, f.file));
  const out = new Map<string, WantedFile>();
  for (let i = 0; i < profile.samples.count; i++) {
    if (stackStart[i + 1] === stackStart[i]) continue;
    const leaf = table.locationFrameIds[table.locationStart[stackLocations[stackStart[i]]]];
    if (leaf === undefined) continue;
    // A runtime leaf with other code above it: the writer kept runtime frames, and the frames
    // speak for every sample (SPEC §7 runtimeFrames "present"). Nothing to read from source.
    if (isRuntimeFunction(table.frames[leaf].function) && framesOf(table, profile, i).some((f) => !runtimeCode[f])) return new Map();
    if (!candidate[leaf]) continue;
    const { file, line, function: fn } = table.frames[leaf];
    let wanted = out.get(file);
    if (wanted === undefined) out.set(file, (wanted = { lines: new Set(), std: isStdFunction(fn) }));
    wanted.lines.add(line);
  }
  return out;
}

function framesOf(table: FrameTable, profile: Profile, i: number): number[] {
  const { stackStart, stackLocations } = profile.samples;
  const out: number[] = [];
  for (let k = stackStart[i]; k < stackStart[i + 1]; k++) {
    const l = stackLocations[k];
    for (let j = table.locationStart[l]; j < table.locationStart[l + 1]; j++) out.push(table.locationFrameIds[j]);
  }
  return out;
}

/** How well the profile's file names were found in the source tree. */
export interface SourceStats {
  /** Where mapbloat looked. */
  readonly roots: readonly string[];
  readonly resolvedFiles: number;
  readonly resolvedLines: number;
  readonly unresolvedLines: number;
  /** Profile file names not found: the user's first, then the standard library's. */
  readonly unresolvedFiles: readonly string[];
  /** Of the unresolved lines, those in the standard library (found with $GOROOT/src on the path). */
  readonly unresolvedStdLines: number;
}
