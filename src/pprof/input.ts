import { decodeProtobuf, inflate } from './decode.js';
import type { Profile } from './profile.js';
import { isTextProfile, parseHeapText, type TextHeapProfile } from './text.js';

/** What a profile file turned out to be: told apart by content, never by name. */
export type DecodedInput = { readonly kind: 'protobuf'; readonly profile: Profile } | { readonly kind: 'text'; readonly text: TextHeapProfile };

export function decodeInput(bytes: Uint8Array): DecodedInput {
  const raw = inflate(bytes);
  return isTextProfile(raw) ? { kind: 'text', text: parseHeapText(raw) } : { kind: 'protobuf', profile: decodeProtobuf(raw) };
}
