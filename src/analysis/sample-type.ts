import { UnsupportedProfileError, UsageError } from '../errors.js';
import { frameLanguage } from '../pprof/language.js';
import type { Profile, ValueType } from '../pprof/profile.js';

/** docs/attribution.md §1: a heap profile has *_space / *_objects sample types; name what anything else is. */
export function requireHeapProfile(profile: Profile): void {
  const types = profile.sampleTypes;
  const list = types.map((t) => `${t.type}/${t.unit}`).join(', ');
  // Another runtime's heap profile (Node.js writes objects/count and space/bytes) has no Go maps:
  // its frames say which language it is.
  const language = frameLanguage(profile);
  if (language !== null && language !== 'Go') {
    throw new UnsupportedProfileError(
      `not a Go heap profile: its frames are ${language} code (sample types ${list}); mapbloat reads the ` +
        `heap profiles of Go programs`,
    );
  }
  if (types.some((t) => /_(space|objects)$/.test(t.type))) return;
  throw new UnsupportedProfileError(
    `${profileKind(types)} (sample types ${list}), not a heap profile: take one from /debug/pprof/heap or go ` +
      `test -memprofile`,
  );
}

function profileKind(types: readonly ValueType[]): string {
  const names = new Set(types.map((t) => t.type));
  if (names.has('cpu')) return 'a CPU profile';
  if (names.has('goroutine') || names.has('goroutines')) return 'a goroutine profile';
  if (names.has('contentions') || names.has('delay')) return 'a mutex or block profile';
  if (names.has('threadcreate')) return 'a threadcreate profile';
  if (names.has('wall')) return 'a wall-clock profile';
  return 'a profile of another kind';
}

/** --sample-index NAME, or the profile's default when none is given. */
export function resolveSampleIndex(
  profile: Pick<Profile, 'sampleTypes' | 'defaultSampleType'>,
  name: string | undefined,
): number {
  return name === undefined ? defaultSampleIndex(profile) : sampleIndexByName(profile.sampleTypes, name);
}

/** docs/attribution.md §1: default_sample_type if set, else inuse_space if present, else the last type. */
function defaultSampleIndex(profile: Pick<Profile, 'sampleTypes' | 'defaultSampleType'>): number {
  const types = profile.sampleTypes;
  if (profile.defaultSampleType !== null) {
    const i = types.findIndex((t) => t.type === profile.defaultSampleType);
    if (i >= 0) return i;
  }
  const inuse = types.findIndex((t) => t.type === 'inuse_space');
  return inuse >= 0 ? inuse : types.length - 1;
}

/** --sample-index NAME → index, listing the valid names when NAME is not one of them. */
function sampleIndexByName(sampleTypes: readonly ValueType[], name: string): number {
  const i = sampleTypes.findIndex((t) => t.type === name || `${t.type}/${t.unit}` === name);
  if (i >= 0) return i;
  throw new UsageError(
    `unknown --sample-index "${name}": this profile has ${sampleTypes.map((t) => t.type).join(', ')}`,
  );
}
