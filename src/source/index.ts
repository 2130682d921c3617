import type { LineOp } from './map-lines.js';
import type { SourcePlace } from './resolve.js';

/**
 * What a profile's leaf lines do to maps, as the source tree tells it (docs/attribution.md §9,
 * evidence "source"), and how well the profile's file names were found there.
 */
export interface SourceIndex {
  /** What a line does to a map; undefined when it does nothing to one, or is unknown. */
  readonly lookup: SourceLookup;
  readonly stats: SourceStats;
}

/**
 * A tree that found some of the profile's lines but none that touches a map: another program's
 * source, or another version of it. It tells nothing of the maps (they stay not visible).
 */
export function findsNoMapLine(stats: SourceStats): boolean {
  return stats.resolvedLines > 0 && stats.mapLines === 0;
}

export type SourceLookup = (file: string, line: number) => LineOp | undefined;

/** The lines of one file to look up, and whether it is the standard library's. */
export interface WantedFile {
  readonly lines: Set<number>;
  readonly std: boolean;
}

/** How well the profile's file names were found in the source tree. */
export interface SourceStats {
  /** Where mapbloat looked. */
  readonly roots: readonly string[];
  readonly resolvedFiles: number;
  readonly resolvedLines: number;
  /** Of the resolved lines, those that do something to a map: none means the tree says nothing of the maps. */
  readonly mapLines: number;
  /** Of the resolved lines, where their files were: the tree, vendor/, the module cache, $GOROOT/src. */
  readonly resolvedLinesByPlace: Readonly<Record<SourcePlace, number>>;
  readonly unresolvedLines: number;
  /** Profile file names not found: the user's first, then the standard library's. */
  readonly unresolvedFiles: readonly string[];
  /** Of the unresolved lines, those in the standard library (found with $GOROOT/src on the path). */
  readonly unresolvedStdLines: number;
  /**
   * What was passed over: files larger than --max-source-file-size (`fileLimit` bytes), files that
   * could not be read, and whether listing the tree stopped at --max-source-files (`walkLimit`).
   */
  readonly skipped: {
    readonly tooLarge: number;
    readonly unreadable: number;
    readonly walkStopped: boolean;
    readonly fileLimit: number;
    readonly walkLimit: number;
  };
}
