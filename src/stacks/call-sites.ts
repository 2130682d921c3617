import type { Symbolizer } from '../binary/symbolize.js';
import { BinaryError, UnsupportedProfileError } from '../errors.js';
import { GOEXIT, isMapEntryPoint, printName } from '../go/names.js';
import type { Func, Line, Location, Profile } from '../pprof/profile.js';

/**
 * A stock protobuf profile with, at the leaf of every sample whose leaf line calls runtime map
 * code, the called function as a recovered frame. A stock leaf location is the call instruction
 * in user code (its address is the return PC − 1); the binary's call instruction there names the
 * callee, which tells a line's map allocations (mapassign_faststr) from its others (makeslice).
 * Only the entry point is known, so growth inside mapassign counts as assign.
 */
export function withMapCallees(profile: Profile, symbolizer: Symbolizer): Profile {
  if (profile.locations.length > 0 && profile.locations.every((l) => l.address === 0)) {
    throw new UnsupportedProfileError(
      "has no addresses (a continuous profiler's export keeps only names), and --binary recovers frames from addresses: give the source tree (--source-path) instead",
    );
  }
  profile = withSymbols(profile, symbolizer);
  const main = profile.mappings[0];
  if (main !== undefined && main.buildId !== '' && symbolizer.buildId !== '' && main.buildId !== symbolizer.buildId) {
    throw new BinaryError(`does not match the profile: its build ID is ${symbolizer.buildId}, the profile's is ${main.buildId}`);
  }
  const { stackStart, stackLocations } = profile.samples;
  const leaves = new Set<number>();
  for (let i = 0; i < profile.samples.count; i++) if (stackStart[i + 1] > stackStart[i]) leaves.add(stackLocations[stackStart[i]]);

  const locations: Location[] = [...profile.locations];
  const replace = new Map<number, number>();
  for (const l of leaves) {
    const loc = profile.locations[l];
    if (loc.address === 0 || loc.lines.length === 0 || (main !== undefined && (loc.address < main.start || loc.address >= main.limit))) continue;
    checkLocation(loc, symbolizer);
    const callee = symbolizer.callTarget(loc.address + 1);
    if (callee === null || !isMapEntryPoint(callee)) continue;
    replace.set(l, locations.length);
    locations.push({
      ...loc,
      lines: [{ function: { name: callee, systemName: callee, filename: '', startLine: 0, recovered: true }, line: 0 }, ...loc.lines],
    });
  }
  const stack = Uint32Array.from(stackLocations);
  for (let i = 0; i < profile.samples.count; i++) {
    const at = stackStart[i];
    if (stackStart[i + 1] > at) stack[at] = replace.get(stack[at]) ?? stack[at];
  }
  return { ...profile, locations, samples: { ...profile.samples, stackLocations: stack } };
}

/**
 * An unsymbolized profile (addresses, no names) with every location's frames from the binary,
 * inlined ones included. Symbolized locations are kept as the profile has them.
 */
function withSymbols(profile: Profile, symbolizer: Symbolizer): Profile {
  if (profile.locations.every((l) => l.lines.length > 0 || l.address === 0)) return profile;
  const funcs = new Map<string, Func>();
  const func = (name: string, file: string): Func => {
    const key = `${name}\u0000${file}`;
    let f = funcs.get(key);
    if (f === undefined) funcs.set(key, (f = { name, systemName: name, filename: file, startLine: 0 }));
    return f;
  };
  const locations = profile.locations.map((loc) => {
    if (loc.lines.length > 0 || loc.address === 0) return loc;
    const frames = symbolizer.stackFrames([loc.address + 1])[0].filter((f) => f.function !== GOEXIT);
    return { ...loc, lines: frames.map((f): Line => ({ function: func(f.function, f.file), line: f.line })) };
  });
  return { ...profile, locations };
}

/** The binary must name the same function at the location's address as the profile does. */
function checkLocation(loc: Location, symbolizer: Symbolizer): void {
  const [frame] = symbolizer.stackFrames([loc.address + 1])[0];
  const expected = loc.lines[0].function.name;
  if (printName(frame.function) !== printName(expected) || frame.line !== loc.lines[0].line) {
    throw new BinaryError(
      `does not match the profile: at 0x${loc.address.toString(16)} the profile has ${expected} line ${loc.lines[0].line}, the binary ${frame.function} line ${frame.line}`,
    );
  }
}
