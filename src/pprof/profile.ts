/**
 * A decoded pprof profile, normalized once at the boundary: strings resolved, 64-bit integers
 * turned into numbers (sample values past 2^53 also kept exactly), ids resolved to objects.
 * Nothing here refers to the protobuf message.
 */

export interface ValueType {
  /** e.g. "inuse_space" */
  readonly type: string;
  /** e.g. "bytes" */
  readonly unit: string;
}

export interface Func {
  readonly name: string;
  readonly systemName: string;
  readonly filename: string;
  readonly startLine: number;
  /** Not in the profile: recovered from the program's binary (the runtime function a line calls). */
  readonly recovered?: boolean;
}

/** One logical frame of a stack: a function at a line (docs/attribution.md §2). */
export interface Frame {
  readonly function: string;
  readonly file: string;
  readonly line: number;
  /** Not in the profile: recovered from the program's binary. */
  readonly recovered?: boolean;
}

export interface Line {
  readonly function: Func;
  readonly line: number;
}

export interface Mapping {
  readonly start: number;
  readonly limit: number;
  readonly offset: number;
  readonly filename: string;
  readonly buildId: string;
}

export interface Location {
  /** Address of the call instruction; 0 when the profile has none. */
  readonly address: number;
  readonly mapping: Mapping | null;
  /** Inlined frames innermost first, then the function the code physically belongs to. */
  readonly lines: readonly Line[];
}

/**
 * All samples, column-wise. A heap profile of a large service has hundreds of thousands of
 * samples; one object and two arrays per sample would triple decoding time and memory, so the
 * stacks and values live in flat typed arrays (the arrays are not to be written to).
 */
export interface Samples {
  readonly count: number;
  /** Sample i's stack is stackLocations[stackStart[i] .. stackStart[i + 1]), leaf first. */
  readonly stackStart: Uint32Array;
  /** Indexes into Profile.locations. */
  readonly stackLocations: Uint32Array;
  /** Sample i's value for sample type t is values[i * sampleTypes.length + t]. */
  readonly values: Float64Array;
  /**
   * The values whose magnitude is past 2^53, exactly, by their index into `values` (which holds
   * them rounded); null when there are none, the normal case. A server allocating 10 GB/s for a
   * year passes 2^53 bytes of alloc_space. Optional so that a Samples built elsewhere need not
   * say: absent is the same as null.
   */
  readonly exact?: ReadonlyMap<number, bigint> | null;
}

export interface Profile {
  readonly sampleTypes: readonly ValueType[];
  /** The type name the profile asks a viewer to show first, or null when unset. */
  readonly defaultSampleType: string | null;
  readonly samples: Samples;
  readonly locations: readonly Location[];
  readonly mappings: readonly Mapping[];
  readonly timeNanos: number;
  /** time_nanos exactly where the number rounds (past 2^53: every real profile's, ~1.7e18). */
  readonly timeNanosExact?: bigint;
  readonly durationNanos: number;
  readonly periodType: ValueType | null;
  readonly period: number;
  readonly comments: readonly string[];
  /** The runtime.MemStats block of a text profile; null for protobuf. */
  readonly memStats: Readonly<Record<string, number>> | null;
  /** A text profile: whether its records add up to its header's totals (old files may not). */
  readonly headerAgrees?: boolean;
}
