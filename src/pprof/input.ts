import { DecodeError } from '../errors.js';
import type { Limits } from '../limits.js';
import { decodeProtobuf } from './decode.js';
import { gunzipHead, isGzip } from './gzip.js';
import { checkStart, identify, otherMessage } from './identify.js';
import { inflate } from './inflate.js';
import type { Profile } from './profile.js';
import { parseHeapText, type TextHeapProfile } from './text.js';

/** What a profile file turned out to be: told apart by content, never by name. */
export type DecodedInput =
  { readonly kind: 'protobuf'; readonly profile: Profile } | { readonly kind: 'text'; readonly text: TextHeapProfile };

/** A Go heap profile, or an error that says what the bytes are instead. */
export function decodeInput(bytes: Uint8Array, limits: Partial<Limits> = {}): DecodedInput {
  const raw = inflate(bytes, limits);
  if (identify(raw) === 'text') return { kind: 'text', text: parseHeapText(raw, limits) };
  try {
    return { kind: 'protobuf', profile: decodeProtobuf(raw, limits) };
  } catch (err) {
    // Valid protobuf of another schema is named; a broken pprof profile keeps its decoder's word.
    if (err instanceof DecodeError) throw otherMessage(raw) ?? err;
    throw err;
  }
}

/**
 * The first bytes of a stream that is being read (stdin, a pipe, a device): refused at once when
 * no profile starts so (`/dev/zero`), instead of read to the size limit first.
 */
export function checkProfileHead(head: Uint8Array): void {
  const inner = isGzip(head) ? gunzipHead(head) : head;
  if (inner !== null) checkStart(inner);
}
