import type { Limits } from '../limits.js';
import { decodeProtobuf } from './decode.js';
import { inflate } from './inflate.js';
import type { Profile } from './profile.js';
import { isTextProfile, parseHeapText, type TextHeapProfile } from './text.js';

/** What a profile file turned out to be: told apart by content, never by name. */
export type DecodedInput = { readonly kind: 'protobuf'; readonly profile: Profile } | { readonly kind: 'text'; readonly text: TextHeapProfile };

export function decodeInput(bytes: Uint8Array, limits: Partial<Limits> = {}): DecodedInput {
  const raw = inflate(bytes, limits);
  return isTextProfile(raw) ? { kind: 'text', text: parseHeapText(raw, limits) } : { kind: 'protobuf', profile: decodeProtobuf(raw, limits) };
}
