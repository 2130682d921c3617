import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { Profile } from '../../src/pprof/profile.js';
import type { TextHeapProfile } from '../../src/pprof/text.js';
import { FIXTURES } from '../helpers.js';

/** A fixture's bytes, gunzipped when they are gzip. */
export function raw(path: string): Uint8Array {
  const bytes = readFileSync(`${FIXTURES}/${path}`);
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

const TWO_53 = 2 ** 53;

/** What a decoded profile promises whatever the bytes were: its arrays agree with each other. */
export function checkProfile(p: Profile): void {
  const { count, stackStart, stackLocations, values, exact } = p.samples;
  const n = p.sampleTypes.length;
  expect(n).toBeGreaterThan(0);
  expect(stackStart.length).toBe(count + 1);
  expect(stackStart[count]).toBe(stackLocations.length);
  for (let i = 0; i < count; i++) expect(stackStart[i] <= stackStart[i + 1]).toBe(true);
  for (const l of stackLocations) expect(l < p.locations.length).toBe(true);
  expect(values.length).toBe(count * n);
  for (const v of values) expect(Number.isFinite(v)).toBe(true);
  for (const [index, v] of exact ?? []) {
    expect(index < values.length).toBe(true);
    expect(v > BigInt(TWO_53) || v < -BigInt(TWO_53)).toBe(true);
    // The number beside it is the value rounded (to within one unit in the last place).
    expect(Math.abs(values[index] - Number(v)) <= Math.abs(Number(v)) * 2 ** -52).toBe(true);
  }
  for (const loc of p.locations) for (const line of loc.lines) expect(typeof line.function.name).toBe('string');
  for (const t of [p.timeNanos, p.durationNanos, p.period]) expect(Number.isFinite(t)).toBe(true);
}

/** The same for a text profile. */
export function checkText(t: TextHeapProfile): void {
  expect(t.rate >= 0).toBe(true);
  for (const r of t.records) {
    expect(r.values).toHaveLength(4);
    for (const v of r.values) expect(Number.isFinite(v)).toBe(true);
    for (const pc of r.pcs) expect(Number.isFinite(pc)).toBe(true);
  }
  for (const v of Object.values(t.memStats ?? {})) expect(Number.isFinite(v)).toBe(true);
}
