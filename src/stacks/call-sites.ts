import type { Symbolizer } from '../binary/symbolize.js';
import { BinaryError, UnsupportedProfileError } from '../errors.js';
import { GOEXIT, isMapEntryPoint, printName } from '../go/names.js';
import type { Func, Line, Location, Mapping, Profile } from '../pprof/profile.js';

/**
 * A stock protobuf profile with, at the leaf of every sample whose leaf line calls runtime map
 * code, the called function as a recovered frame. A stock leaf location is the call instruction
 * in user code (its address is the return PC − 1); the binary's call instruction there names the
 * callee, which tells a line's map allocations (mapassign_faststr) from its others (makeslice).
 * Only the entry point is known, so growth inside mapassign counts as assign. Addresses go through
 * the main mapping to the binary's (binaryAddress), so a PIE loaded anywhere reads the same.
 */
export function withMapCallees(profile: Profile, symbolizer: Symbolizer): Profile {
  if (profile.locations.length > 0 && profile.locations.every((l) => l.address === 0)) {
    throw new UnsupportedProfileError(
      "has no addresses (a continuous profiler's export keeps only names), and --binary recovers frames from " +
        'addresses: give the source tree (--source-path) instead',
    );
  }
  const main = profile.mappings[0];
  if (main !== undefined && main.buildId !== '' && symbolizer.buildId !== '' && main.buildId !== symbolizer.buildId) {
    throw new BinaryError(
      `does not match the profile: its build ID is ${symbolizer.buildId}, the profile's is ${main.buildId}`,
    );
  }
  const inBinary = (loc: Location) => (loc.address === 0 ? null : binaryAddress(loc, main, symbolizer));
  profile = withSymbols(profile, symbolizer, inBinary);
  const { stackStart, stackLocations } = profile.samples;
  const leaves = new Set<number>();
  for (let i = 0; i < profile.samples.count; i++)
    if (stackStart[i + 1] > stackStart[i]) leaves.add(stackLocations[stackStart[i]]);

  const locations: Location[] = [...profile.locations];
  const replace = new Map<number, number>();
  for (const l of leaves) {
    const loc = profile.locations[l];
    const address = inBinary(loc);
    if (address === null || loc.lines.length === 0) continue;
    checkLocation(loc, address, symbolizer);
    const callee = symbolizer.callTarget(address + 1);
    if (callee === null || !isMapEntryPoint(callee)) continue;
    replace.set(l, locations.length);
    locations.push({
      ...loc,
      lines: [
        { function: { name: callee, systemName: callee, filename: '', startLine: 0, recovered: true }, line: 0 },
        ...loc.lines,
      ],
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
 * Where a location's code is in the binary: its address through the profile's main mapping (the
 * program's own, which Go writes first), undoing a PIE's load bias. A profile without a usable
 * main mapping (none, or limit 0 as a writer that knows no mappings leaves it) has the addresses
 * as they are, and checkLocation verifies them. Null for code of another file (the dynamic
 * loader, the vDSO); an address of the main mapping that the binary has no bytes for does not fit.
 */
function binaryAddress(loc: Location, main: Mapping | undefined, symbolizer: Symbolizer): number | null {
  if (main === undefined || main.limit === 0) return loc.address;
  if ((loc.mapping ?? main) !== main || loc.address < main.start || loc.address >= main.limit) return null;
  const address = symbolizer.linkAddress(loc.address, main);
  if (address === null) {
    const [at, offset] = [loc.address, loc.address - main.start + main.offset].map((n) => `0x${n.toString(16)}`);
    const detail = `the profile has code at ${at} (file offset ${offset}), the binary has none there`;
    throw new BinaryError(`does not match the profile: ${detail}`);
  }
  return address;
}

/**
 * An unsymbolized profile (addresses, no names) with every location's frames from the binary,
 * inlined ones included. Symbolized locations, and those of other files, are kept as the profile has them.
 */
function withSymbols(profile: Profile, symbolizer: Symbolizer, inBinary: (loc: Location) => number | null): Profile {
  if (profile.locations.every((l) => l.lines.length > 0 || l.address === 0)) return profile;
  const funcs = new Map<string, Func>();
  const func = (name: string, file: string): Func => {
    const key = `${name}\u0000${file}`;
    let f = funcs.get(key);
    if (f === undefined) funcs.set(key, (f = { name, systemName: name, filename: file, startLine: 0 }));
    return f;
  };
  const locations = profile.locations.map((loc) => {
    const address = loc.lines.length > 0 ? null : inBinary(loc);
    if (address === null) return loc;
    const frames = symbolizer.stackFrames([address + 1])[0].filter((f) => f.function !== GOEXIT);
    return { ...loc, lines: frames.map((f): Line => ({ function: func(f.function, f.file), line: f.line })) };
  });
  return { ...profile, locations };
}

/** The binary must name the same function at the location's address (`address` in the binary) as the profile does. */
function checkLocation(loc: Location, address: number, symbolizer: Symbolizer): void {
  const [frame] = symbolizer.stackFrames([address + 1])[0];
  const expected = loc.lines[0].function.name;
  if (printName(frame.function) !== printName(expected) || frame.line !== loc.lines[0].line) {
    throw new BinaryError(
      `does not match the profile: at 0x${loc.address.toString(16)} the profile has ${expected} line ` +
        `${loc.lines[0].line}, the binary ${frame.function} line ${frame.line}`,
    );
  }
}
