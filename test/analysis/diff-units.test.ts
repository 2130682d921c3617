import { describe, expect, it } from 'vitest';
import { trend, visibleTrend } from '../../src/analysis/diff.js';
import { parseThreshold } from '../../src/cli/thresholds.js';
import { formatTime } from '../../src/report/format.js';
import { formatDeltaPercent, sparkline } from '../../src/report/phrases.js';

describe('thresholds', () => {
  it.each([
    ['5MiB', { kind: 'amount', value: 5 * 1024 * 1024 }],
    ['5 MB', { kind: 'amount', value: 5_000_000 }],
    ['512KB', { kind: 'amount', value: 512_000 }],
    ['1KiB', { kind: 'amount', value: 1024 }],
    ['1.5GiB', { kind: 'amount', value: 1.5 * 1024 ** 3 }],
    ['2gb', { kind: 'amount', value: 2e9 }],
    ['100B', { kind: 'amount', value: 100 }],
    ['4096', { kind: 'amount', value: 4096 }],
    ['10%', { kind: 'percent', value: 10 }],
    ['0.5%', { kind: 'percent', value: 0.5 }],
  ])('%s', (text, expected) => {
    expect(parseThreshold('--max-growth', text)).toMatchObject(expected);
  });

  it.each(['', 'MiB', '5 XB', '-5MiB', '5%%', '1e6'])('rejects %j', (text) => {
    expect(() => parseThreshold('--max-growth', text)).toThrow(/^--max-growth ".*": expected a size/);
  });
});

describe('trend (docs/attribution.md §7)', () => {
  it.each([
    [[1, 2, 2, 5], 'rising'],
    [[5, 5, 1], 'falling'],
    [[3, 3, 3], 'flat'],
    [[1, 3, 2], 'mixed'],
    [[0, 0, 4], 'rising'],
  ] as const)('%j is %s', (values, expected) => {
    expect(trend(values)).toBe(expected);
  });
});

describe('visibleTrend: over the known points (a snapshot whose maps are not visible is null)', () => {
  it.each([
    [[null, 1, 2], 'rising'],
    [[1, null, 2], 'rising'],
    [[5, null, 1], 'falling'],
    [[3, null, 3, null], 'flat'],
    [[null, null, 4], 'unknown'],
    [[null, null, null], 'unknown'],
  ] as const)('%j is %s', (values, expected) => {
    expect(visibleTrend(values)).toBe(expected);
  });
});

describe('display helpers', () => {
  it('sparkline scales from zero to the maximum', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([7, 7])).toBe('██');
  });

  it('sparkline marks an unknown point with "·" and leaves it out of the scale', () => {
    expect(sparkline([null, 8])).toBe('·█');
    expect(sparkline([0, null, 4, 8])).toBe('▁·▅█');
    expect(sparkline([null, 0])).toBe('·▁');
    expect(sparkline([null, null])).toBe('··');
    expect(sparkline([-4, null, -2])).toBe('▁·█');
  });

  it('delta percentages', () => {
    expect(formatDeltaPercent(200, 100)).toBe('+50.0%');
    expect(formatDeltaPercent(200, -50)).toBe('-25.0%');
    expect(formatDeltaPercent(0, 5)).toBe('new');
    expect(formatDeltaPercent(0, 0)).toBe('0.0%');
  });
});

describe('formatTime', () => {
  it('prints a profile time in UTC, and "unknown" for none or one no date can hold', () => {
    expect(formatTime(1_795_328_324_805_934_600)).toBe('2026-11-22 06:18:44 UTC');
    expect([formatTime(0), formatTime(-5), formatTime(9e30), formatTime(Number.NaN)]).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });
});
