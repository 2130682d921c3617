import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeProfile } from '../../src/pprof/decode.js';
import { inflate } from '../../src/pprof/inflate.js';
import { decodeInput } from '../../src/pprof/input.js';
import { FIXTURES } from '../helpers.js';
import { failure, HEAP, location, sample, tag, varint } from './craft.js';

const MiB = 1024 ** 2;
const MULTI = readFileSync(`${FIXTURES}/go1.24/multi.pb.gz`);

/** gzip members, one after another, inflate as one stream: a 1 KB member of 1 MiB of zeros, many times. */
function zeros(mib: number): Buffer {
  return Buffer.concat(Array(mib).fill(gzipSync(Buffer.alloc(MiB), { level: 9 })));
}

describe('a gzip bomb costs little', () => {
  it('one of zeros (1 MB inflating to 1 GiB) is refused from its first bytes', () => {
    const bomb = zeros(1024);
    expect(bomb.length).toBeLessThan(1.1 * MiB);
    const start = performance.now();
    expect(failure(() => decodeInput(bomb))).toEqual([
      'DecodeError',
      'not a pprof profile: the protobuf data is truncated or corrupt (field number 0 at byte 0)',
    ]);
    // Inflating it all takes seconds and a GiB; its first half megabyte takes milliseconds.
    expect(performance.now() - start).toBeLessThan(500);
  });

  it('one that starts like a profile stops at --max-profile-size', () => {
    // A string table entry of 1 GiB: what the head shows is a profile's, and all of it is zeros.
    const start = gzipSync(Uint8Array.from([...HEAP, ...tag(6, 2), ...varint(1024 * MiB)]));
    const bomb = Buffer.concat([start, zeros(1024)]);
    expect(failure(() => decodeInput(bomb, { profileBytes: 64 * MiB }))).toEqual([
      'InputError',
      'the profile inflates past 64.0 MiB (--max-profile-size): raise the limit if it is real, not a gzip bomb',
    ]);
  });
});

describe('inflate', () => {
  it('reads a profile gzipped twice or three times', () => {
    const expected = decodeProfile(MULTI);
    expect(decodeProfile(gzipSync(MULTI))).toEqual(expected);
    expect(decodeProfile(gzipSync(gzipSync(MULTI)))).toEqual(expected);
  });

  it('refuses a fourth layer of gzip', () => {
    expect(failure(() => inflate(gzipSync(gzipSync(gzipSync(MULTI)))))).toEqual([
      'DecodeError',
      'gzip inside gzip more than 3 times: not a profile, whatever it holds',
    ]);
  });

  it('refuses raw input past --max-profile-size', () => {
    const raw = Uint8Array.from([...HEAP, ...location(1), ...sample([1], [1])]);
    expect(raw.length).toBe(40);
    expect(failure(() => inflate(raw, { profileBytes: 39 }))).toEqual([
      'InputError',
      'the profile is 40 B, past 39 B (--max-profile-size): raise the limit if it is real',
    ]);
    expect(inflate(raw, { profileBytes: raw.length })).toBe(raw);
  });

  it('refuses a gzip stream of nothing', () => {
    expect(failure(() => inflate(gzipSync(new Uint8Array())))).toEqual([
      'DecodeError',
      'the gzip stream holds no data: expected a pprof profile',
    ]);
  });

  it('does not trust a forged inflated size in the trailer', () => {
    const forged = Buffer.from(MULTI);
    forged.writeUInt32LE(0xffffffff, forged.length - 4);
    expect(failure(() => inflate(forged))).toEqual(['DecodeError', 'gzip data is corrupt (incorrect length check)']);
  });
});
