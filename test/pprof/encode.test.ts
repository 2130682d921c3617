import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeProfile, decodeProtobuf } from '../../src/pprof/decode.js';
import { encodeProfile } from '../../src/pprof/encode.js';
import type { Profile } from '../../src/pprof/profile.js';
import { sampleFrames } from '../../src/stacks/frame-table.js';
import { FIXTURES } from '../helpers.js';
import { ProfileType } from '../synth.js';

/** What a profile says, without the numbering of its tables. */
function meaning(p: Profile) {
  const n = p.sampleTypes.length;
  return {
    header: [p.sampleTypes, p.defaultSampleType, p.timeNanos, p.durationNanos, p.periodType, p.period, p.comments],
    samples: Array.from({ length: p.samples.count }, (_, i) => ({
      values: Array.from(p.samples.values.subarray(i * n, (i + 1) * n)),
      frames: sampleFrames(p, i),
      locations: Array.from(
        p.samples.stackLocations.subarray(p.samples.stackStart[i], p.samples.stackStart[i + 1]),
        (l) => [p.locations[l].address, p.locations[l].mapping],
      ),
    })),
  };
}

describe('encodeProfile', () => {
  it.each([['go1.24/multi.full.pb.gz'], ['go1.19/syncmap.pb.gz'], ['go1.24/leak_4.pb.gz']])(
    'decodes back to the same profile: %s',
    (file) => {
      const profile = decodeProfile(readFileSync(`${FIXTURES}/${file}`));
      expect(meaning(decodeProtobuf(encodeProfile(profile)))).toEqual(meaning(profile));
    },
  );

  it('is deterministic, and a second round trip gives the same bytes', () => {
    const profile = decodeProfile(readFileSync(`${FIXTURES}/go1.24/multi.full.pb.gz`));
    const bytes = encodeProfile(profile);
    expect(Buffer.from(encodeProfile(profile)).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(encodeProfile(decodeProtobuf(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('writes negative values (delta profiles), sample labels, and only the locations samples use', () => {
    const profile = decodeProfile(readFileSync(`${FIXTURES}/go1.24/multi.full.pb.gz`));
    // One sample with a value, made negative.
    const n = profile.sampleTypes.length;
    const s = Math.floor(profile.samples.values.findIndex((v) => v !== 0) / n);
    const { stackStart } = profile.samples;
    const values = profile.samples.values.slice(s * n, (s + 1) * n).map((v) => -v);
    const first = {
      ...profile,
      samples: { ...profile.samples, count: 1, stackStart: stackStart.slice(s, s + 2), values },
    };
    const bytes = encodeProfile(first, (i) => [
      ['phase', `grow ${i}`],
      ['evidence', '<frames> & "quotes"'],
    ]);
    const message = ProfileType.toObject(ProfileType.decode(bytes), { longs: Number }) as {
      sample: Array<{ value: number[]; label: Array<{ key: number; str: number }> }>;
      location: unknown[];
      string_table: string[];
    };
    const strings = message.string_table;
    expect(message.sample).toHaveLength(1);
    expect(message.sample[0].value).toEqual(Array.from(values));
    expect(values.some((v) => v < 0)).toBe(true);
    expect(message.sample[0].label.map((l) => [strings[l.key], strings[l.str]])).toEqual([
      ['phase', 'grow 0'],
      ['evidence', '<frames> & "quotes"'],
    ]);
    expect(message.location).toHaveLength(
      new Set(profile.samples.stackLocations.subarray(stackStart[s], stackStart[s + 1])).size,
    );
    expect(strings[0]).toBe('');
  });
});
