import type { Profile } from '../pprof/profile.js';
import type { SourceStats } from '../source/index.js';
import type { RecoveredProfile } from '../stacks/recover.js';
import { attributeMaps, type Attribution, type AttributionOptions } from './attribute.js';
import { requireHeapProfile } from './sample-type.js';

/** The header facts of a profile that reports show; the samples are not kept. */
export type ProfileMeta = Pick<
  Profile,
  'sampleTypes' | 'defaultSampleType' | 'timeNanos' | 'timeNanosExact' | 'durationNanos' | 'memStats' | 'headerAgrees'
>;

/**
 * What analyze and diff keep of one profile: its header and its attribution, small however big
 * the profile was, so that a series never holds two decoded profiles.
 */
export interface Snapshot {
  /** The input as the user named it ("stdin" for -). */
  readonly source: string;
  readonly profile: ProfileMeta;
  readonly attribution: Attribution;
  /** How its files were found in the source tree; null when no source was read. */
  readonly sourceStats: SourceStats | null;
}

/** The shared front half of analyze and diff: a heap profile's stacks → its attribution. */
export function takeSnapshot(source: string, recovered: RecoveredProfile, options: AttributionOptions): Snapshot {
  const { profile } = recovered;
  requireHeapProfile(profile);
  const { sampleTypes, defaultSampleType, timeNanos, timeNanosExact, durationNanos, memStats, headerAgrees } = profile;
  return {
    source,
    profile: { sampleTypes, defaultSampleType, timeNanos, timeNanosExact, durationNanos, memStats, headerAgrees },
    attribution: attributeMaps(recovered, options),
    sourceStats: recovered.source?.stats ?? null,
  };
}
