import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the bench is plain JavaScript, run by node directly.
import { scaleProfile } from '../../bench/scale.mjs';
import { decodeProfile } from '../../src/pprof/decode.js';
import { attribute, FIXTURES } from '../helpers.js';

// The bench's synthetic profiles must be what it says: N distinct copies of every stack.
describe('bench/scale.mjs', () => {
  it('3× the samples: three times every value, the same sites', () => {
    const gz = readFileSync(`${FIXTURES}/go1.24/leak_4.full.pb.gz`);
    const [oneProfile, threeProfile] = [decodeProfile(gz), decodeProfile(scaleProfile(gz, 3) as Uint8Array)];
    expect(threeProfile.samples.count).toBe(3 * oneProfile.samples.count);
    expect(threeProfile.locations.length).toBe(3 * oneProfile.locations.length);
    const [one, three] = [attribute(oneProfile), attribute(threeProfile)];
    expect(three.totals.map).toEqual(one.totals.map.map((v) => 3 * v));
    expect(three.sites.map((s) => [s.function, s.line, s.values])).toEqual(
      one.sites.map((s) => [s.function, s.line, s.values.map((v) => 3 * v)]),
    );
  });
});
