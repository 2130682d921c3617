import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIXTURES, runCli } from '../helpers.js';

// Bad input never ends in a stack trace or a partial report: corrupted copies of real profiles
// (cut short, bytes overwritten, a run of bytes dropped, gzipped or not) give a report, or one
// line on stderr, nothing on stdout and exit 2. Deterministic: a fixed linear congruential seed.
describe.each(['go1.24/multi.pb.gz', 'go1.19/leak_4.pb.gz', 'go1.24/leak_4.heap.txt'])('corrupted %s', (file) => {
  it('exit 0 with a report, or exit 2 with one line', async () => {
    const original = file.endsWith('.gz')
      ? gunzipSync(readFileSync(`${FIXTURES}/${file}`))
      : readFileSync(`${FIXTURES}/${file}`);
    let seed = 20261122;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const outcomes = new Set<number>();
    for (let k = 0; k < 150; k++) {
      const bytes = Buffer.from(original);
      let input: Buffer;
      switch (rnd(3)) {
        case 0:
          input = bytes.subarray(0, rnd(bytes.length));
          break;
        case 1:
          for (let m = 1 + rnd(8); m > 0; m--) bytes[rnd(bytes.length)] = rnd(256);
          input = bytes;
          break;
        default: {
          const at = rnd(bytes.length);
          input = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + rnd(20))]);
        }
      }
      const { code, stdout, stderr } = await runCli(['analyze', '-', '--json'], {
        stdin: rnd(2) ? gzipSync(input) : input,
      });
      outcomes.add(code);
      if (code === 2) {
        expect([stdout, stderr.split('\n').length]).toEqual(['', 2]);
        expect(stderr).toMatch(/^mapbloat: stdin: /);
      } else {
        expect(code).toBe(0);
        expect(JSON.parse(stdout).schema).toBe('mapbloat/analyze@1');
      }
    }
    expect(outcomes.has(2)).toBe(true);
  });
});
