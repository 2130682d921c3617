import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import type { Location, Profile, Samples, ValueType } from '../src/pprof/profile.js';
import { ROOT } from './helpers.js';

/** proto/profile.proto, loaded by protobufjs' reflective API (tests only). */
export const PROTO_TEXT = readFileSync(join(ROOT, 'proto/profile.proto'), 'utf8');
export const schema = protobuf.parse(PROTO_TEXT, { keepCase: true }).root;
export const ProfileType = schema.lookupType('perftools.profiles.Profile');

/** The same schema with every repeated number unpacked, as old writers emit it. */
export const UnpackedProfileType = protobuf
  .parse(PROTO_TEXT.replace(/(repeated (?:u?int64) \w+ = \d+);/g, '$1 [packed = false];'), { keepCase: true })
  .root.lookupType('perftools.profiles.Profile');

export interface SynthSample {
  readonly stack: ReadonlyArray<readonly [fn: string, line: number]>;
  /** int64s: a bigint for a value past 2^53. */
  readonly values: ReadonlyArray<number | bigint>;
}

/**
 * A small profile built from names: one location per frame, functions and strings interned.
 * For error cases and edge cases the corpus does not have (CPU profiles, odd sample types).
 */
/** `filePrefix`: where a function's file is, before its package name (default: none, "main/x.go"). */
export function synthProfile(
  sampleTypes: ReadonlyArray<readonly [string, string]>,
  samples: readonly SynthSample[] = [],
  filePrefix = '',
): Uint8Array {
  const strings = [''];
  const str = (s: string): number => {
    let i = strings.indexOf(s);
    if (i < 0) i = strings.push(s) - 1;
    return i;
  };
  const functions: Array<{ id: number; name: number; system_name: number; filename: number }> = [];
  const locations: Array<{ id: number; line: Array<{ function_id: number; line: number }> }> = [];
  const fnIds = new Map<string, number>();
  const locIds = new Map<string, number>();
  const message = {
    sample_type: sampleTypes.map(([type, unit]) => ({ type: str(type), unit: str(unit) })),
    sample: samples.map((s) => ({
      location_id: s.stack.map(([fn, line]) => {
        let fid = fnIds.get(fn);
        if (fid === undefined) {
          fid = functions.length + 1;
          fnIds.set(fn, fid);
          functions.push({
            id: fid,
            name: str(fn),
            system_name: str(fn),
            filename: str(filePrefix === '' ? `${fn.split('.')[0]}/x.go` : `${filePrefix}main.go`),
          });
        }
        const key = `${fn}:${line}`;
        let lid = locIds.get(key);
        if (lid === undefined) {
          lid = locations.length + 1;
          locIds.set(key, lid);
          locations.push({ id: lid, line: [{ function_id: fid, line }] });
        }
        return lid;
      }),
      value: s.values.map((v) => (typeof v === 'bigint' ? v.toString() : v)),
    })),
    location: locations,
    function: functions,
    time_nanos: 1_700_000_000_000_000_000,
  };
  return ProfileType.encode(ProfileType.fromObject({ ...message, string_table: strings })).finish();
}

/** Go's heap profile sample types, in the writer's order. */
export const HEAP_SAMPLE_TYPES: readonly ValueType[] = [
  { type: 'alloc_objects', unit: 'count' },
  { type: 'alloc_space', unit: 'bytes' },
  { type: 'inuse_objects', unit: 'count' },
  { type: 'inuse_space', unit: 'bytes' },
];

/** A decoded profile around samples and locations: Go's heap sample types and a plain header, unless told. */
export function profileWith(samples: Samples, locations: readonly Location[], header: Partial<Profile> = {}): Profile {
  return {
    sampleTypes: HEAP_SAMPLE_TYPES,
    defaultSampleType: null,
    samples,
    locations,
    mappings: [],
    timeNanos: 1_700_000_000_000_000_000,
    durationNanos: 0,
    periodType: null,
    period: 0,
    comments: [],
    memStats: null,
    ...header,
  };
}
