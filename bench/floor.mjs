// The floor: what reading a profile costs at least. Gunzip with node:zlib, then one pass over
// every byte that decodes each varint of the whole message (low 32 bits), with no structure.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

// In a function: V8 optimises function bodies, not a module's top-level code.
function varintPass(raw) {
  let varints = 0;
  let checksum = 0;
  let value = 0;
  let shift = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i];
    if (shift < 32) value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      varints++;
      checksum = (checksum + value) | 0;
      value = 0;
      shift = 0;
    } else {
      shift += 7;
    }
  }
  return { varints, checksum };
}

const raw = gunzipSync(readFileSync(process.argv[2]));
const { varints, checksum } = varintPass(raw);
if (process.env.BENCH_VERBOSE) console.error(`${raw.length} bytes, ${varints} varints, checksum ${checksum}`);
