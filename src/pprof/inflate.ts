import { DecodeError } from '../errors.js';
import { limitsOf, tooLarge, type Limits } from '../limits.js';
import { gunzip, gunzipHead, isGzip } from './gzip.js';
import { checkStart } from './identify.js';

// A profile gzipped twice (a gzipped file served with Content-Encoding: gzip) is common enough;
// more layers than this are not a profile.
const MAX_GZIP_LAYERS = 3;

/**
 * The bytes of a profile, gunzipped as often as they start with gzip's magic bytes, never past
 * --max-profile-size. Each gzip layer's first bytes are checked before the rest is inflated.
 */
export function inflate(bytes: Uint8Array, limits: Partial<Limits> = {}): Uint8Array {
  if (bytes.length === 0) {
    throw new DecodeError('the input is empty: expected a pprof profile (gzipped or raw protobuf)');
  }
  const max = limitsOf(limits).profileBytes;
  let data = bytes;
  for (let layer = 0; isGzip(data); layer++) {
    if (layer === MAX_GZIP_LAYERS) {
      throw new DecodeError(`gzip inside gzip more than ${MAX_GZIP_LAYERS} times: not a profile, whatever it holds`);
    }
    const head = gunzipHead(data);
    if (head !== null) checkStart(head);
    data = gunzip(data, { bytes: max, option: '--max-profile-size', what: 'the profile' });
    if (data.length === 0) throw new DecodeError('the gzip stream holds no data: expected a pprof profile');
  }
  if (data === bytes && bytes.length > max) throw tooLarge('the profile', bytes.length, max, '--max-profile-size');
  return data;
}
