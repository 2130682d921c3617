import type { GoMapType } from '../binary/map-types.js';
import type { Symbolizer } from '../binary/symbolize.js';
import { BinaryError } from '../errors.js';
import type { MapRuntime } from '../go/map-runtime.js';
import type { DecodedInput } from '../pprof/input.js';
import type { Profile } from '../pprof/profile.js';
import type { SourceIndex } from '../source/index.js';
import type { SourceTree } from '../source/tree.js';
import { withMapCallees } from './call-sites.js';
import { buildFrameTable, type FrameTable } from './frame-table.js';
import { findMainModule, type MainModule } from './main-module.js';
import { runtimeFramesOf, type RuntimeFrames } from './runtime-frames.js';
import { sourceLeafLines } from './source-lines.js';
import { textProfile } from './text-profile.js';

/** What a site's attribution rests on (docs/attribution.md §9). */
export type Evidence = 'frames' | 'binary' | 'source';

/** What the user gave besides the profile, to recover the frames a stock writer hides. */
export interface EvidenceInputs {
  /** --binary, read. */
  readonly symbolizer: Symbolizer | null;
  /** The run's source tree (--source-path, else the current directory). */
  readonly sourceTree: SourceTree | null;
}

/** A profile's stacks, ready for attribution, and what they rest on. */
export interface RecoveredProfile {
  readonly profile: Profile;
  /** The profile's frames, numbered once for every later step. */
  readonly table: FrameTable;
  readonly runtimeFrames: RuntimeFrames;
  /** What the profile's own frames rest on; a site needing a recovered frame is "binary" whatever this says. */
  readonly evidence: Evidence;
  /** The source tree's word on the leaf lines of a profile whose runtime frames are hidden, or null. */
  readonly source: SourceIndex | null;
  /** What brought back the frames the writer hid: null when nothing did (or nothing was hidden). */
  readonly recovery: 'binary' | 'source' | null;
  /** The program's own code, or null when nothing tells (docs/attribution.md §5). */
  readonly mainModule: MainModule | null;
  /** Every map type of the program and its Go version's map facts, from --binary; null without. */
  readonly mapTypes: { readonly runtime: MapRuntime; readonly types: readonly GoMapType[] } | null;
}

/**
 * The stacks mapbloat attributes, from whatever the user gave: a protobuf profile as it is, a
 * text profile's shown frames, or either with the program's binary (evidence "binary"); then,
 * without a binary and with runtime frames hidden, the source tree's word on the leaf lines.
 * Never both: the binary tells a line's map calls from its other allocations exactly, and a
 * line must never count twice.
 */
export function recoverStacks(input: DecodedInput, inputs: EvidenceInputs): RecoveredProfile {
  const { symbolizer } = inputs;
  let profile: Profile;
  let evidence: Evidence = 'frames';
  if (input.kind === 'text') {
    profile = textProfile(input.text, symbolizer);
    if (symbolizer !== null) evidence = 'binary';
  } else {
    profile = symbolizer === null ? input.profile : withMapCallees(input.profile, symbolizer);
  }
  const table = buildFrameTable(profile.locations);
  const runtimeFrames = runtimeFramesOf(profile, table);
  const source =
    symbolizer === null && runtimeFrames === 'hidden' ? sourceFor(profile, table, inputs.sourceTree) : null;
  // A tree without one map line among the profile's (another program's, another version's) says
  // nothing of the maps: they stay not visible, never "≥ 0 B".
  const sourceTells = source !== null && source.stats.mapLines > 0;
  const recovery = runtimeFrames === 'present' ? null : symbolizer !== null ? 'binary' : sourceTells ? 'source' : null;
  const mainModule = findMainModule(symbolizer?.buildInfo ?? null, inputs.sourceTree?.goModules() ?? [], table.frames);
  return {
    profile,
    table,
    runtimeFrames,
    evidence,
    source,
    recovery,
    mainModule,
    mapTypes: binaryMapTypes(symbolizer),
  };
}

/**
 * The binary's map types, for the shapes of its maps. A binary that symbolizes but whose type
 * descriptors cannot be read (a Go version the table of facts does not cover) still gives frames.
 */
function binaryMapTypes(symbolizer: Symbolizer | null): RecoveredProfile['mapTypes'] {
  if (symbolizer === null) return null;
  try {
    const runtime = symbolizer.mapRuntime();
    return runtime === null ? null : { runtime, types: symbolizer.mapTypes().types };
  } catch (err) {
    if (err instanceof BinaryError) return null;
    throw err;
  }
}

/** Without --source-path the current directory is tried, and mentioned only when it held the files. */
function sourceFor(profile: Profile, table: FrameTable, tree: SourceTree | null): SourceIndex | null {
  if (tree === null) return null;
  const wanted = sourceLeafLines(profile, table);
  if (wanted.size === 0) return null;
  const index = tree.index(wanted);
  return !tree.explicit && index.stats.resolvedLines === 0 ? null : index;
}
