import type { Frame, Location, Profile } from '../pprof/profile.js';

/** The frames of one location, innermost inlined frame first. */
export function locationFrames(location: Location): Frame[] {
  return location.lines.map((l) =>
    l.function.recovered === true
      ? { function: l.function.name, file: l.function.filename, line: l.line, recovered: true }
      : { function: l.function.name, file: l.function.filename, line: l.line },
  );
}

/** Sample i's frames leaf → root: every location in order, and inside it every line in order. */
export function sampleFrames(profile: Profile, i: number): Frame[] {
  const { stackStart, stackLocations } = profile.samples;
  const frames: Frame[] = [];
  for (let k = stackStart[i]; k < stackStart[i + 1]; k++)
    frames.push(...locationFrames(profile.locations[stackLocations[k]]));
  return frames;
}

/** What leafFrame answers for a location without lines (an unsymbolized address). */
export const NO_FRAME = -1;

/**
 * Every distinct frame of a profile, numbered, with each location's frames as a range of those
 * numbers. Built once per profile: the attribution classifies a frame once, not once per sample
 * that passes through it, and compares numbers, not strings, in its per-sample loop.
 */
export interface FrameTable {
  /** Distinct (function, file, line) frames. */
  readonly frames: readonly Frame[];
  /** Distinct function names; functionOf[f] is frame f's index in this list. */
  readonly functions: readonly string[];
  readonly functionOf: Uint32Array;
  /** Location l's frames are locationFrameIds[locationStart[l] .. locationStart[l + 1]). */
  readonly locationStart: Uint32Array;
  readonly locationFrameIds: Uint32Array;
}

/**
 * The innermost frame of a location, or NO_FRAME when it has no lines. Reading
 * `locationFrameIds[locationStart[l]]` directly would give the next location's first frame.
 */
export function leafFrame(table: FrameTable, location: number): number {
  const start = table.locationStart[location];
  return start < table.locationStart[location + 1] ? table.locationFrameIds[start] : NO_FRAME;
}

/** Sample i's frame numbers, leaf → root. */
export function stackFrameIds(table: FrameTable, profile: Profile, i: number): number[] {
  const { stackStart, stackLocations } = profile.samples;
  const out: number[] = [];
  for (let k = stackStart[i]; k < stackStart[i + 1]; k++) {
    const l = stackLocations[k];
    for (let j = table.locationStart[l]; j < table.locationStart[l + 1]; j++) out.push(table.locationFrameIds[j]);
  }
  return out;
}

export function buildFrameTable(locations: readonly Location[]): FrameTable {
  const frames: Frame[] = [];
  const frameIds = new Map<string, number>();
  const functions: string[] = [];
  const functionIds = new Map<string, number>();
  const functionOf: number[] = [];
  const locationStart = new Uint32Array(locations.length + 1);
  const locationFrameIds: number[] = [];

  locations.forEach((location, l) => {
    locationStart[l] = locationFrameIds.length;
    for (const frame of locationFrames(location)) {
      const key = `${frame.function}\u0000${frame.file}\u0000${frame.line}\u0000${frame.recovered === true}`;
      let id = frameIds.get(key);
      if (id === undefined) {
        id = frames.length;
        frameIds.set(key, id);
        frames.push(frame);
        let fn = functionIds.get(frame.function);
        if (fn === undefined) {
          fn = functions.length;
          functionIds.set(frame.function, fn);
          functions.push(frame.function);
        }
        functionOf.push(fn);
      }
      locationFrameIds.push(id);
    }
  });
  locationStart[locations.length] = locationFrameIds.length;
  return {
    frames,
    functions,
    functionOf: Uint32Array.from(functionOf),
    locationStart,
    locationFrameIds: Uint32Array.from(locationFrameIds),
  };
}
