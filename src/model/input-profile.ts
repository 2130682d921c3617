import type { Evidence } from '../analysis/attribute.js';
import type { Symbolizer } from '../binary/symbolize.js';
import type { DecodedInput } from '../pprof/input.js';
import type { Profile } from '../pprof/profile.js';
import { withMapCallees } from './call-sites.js';
import { textProfile } from './text-profile.js';

/**
 * The stacks mapbloat attributes, from whatever the user gave: a protobuf profile as it is, a
 * text profile's shown frames, or either with the program's binary (SPEC §9 evidence "binary").
 */
export function profileFor(input: DecodedInput, symbolizer: Symbolizer | null): { profile: Profile; evidence: Evidence } {
  if (input.kind === 'text') return { profile: textProfile(input.text, symbolizer), evidence: symbolizer === null ? 'frames' : 'binary' };
  if (symbolizer === null) return { profile: input.profile, evidence: 'frames' };
  return { profile: withMapCallees(input.profile, symbolizer), evidence: 'frames' };
}
