import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/cli/duration.js';
import { profileUrl, requestUrl } from '../../src/cli/url.js';

describe('profileUrl: a server, as go tool pprof reads one', () => {
  it.each([
    ['http://localhost:6060/debug/pprof/heap', 'http://localhost:6060/debug/pprof/heap'],
    ['https://staging.example.com/debug/pprof/heap', 'https://staging.example.com/debug/pprof/heap'],
    ['HTTP://localhost:6060', 'http://localhost:6060/debug/pprof/heap'],
    ['http://localhost:6060/', 'http://localhost:6060/debug/pprof/heap'],
    ['localhost:6060', 'http://localhost:6060/debug/pprof/heap'],
    ['localhost:6060/', 'http://localhost:6060/debug/pprof/heap'],
    ['127.0.0.1:6060', 'http://127.0.0.1:6060/debug/pprof/heap'],
    ['[::1]:6060', 'http://[::1]:6060/debug/pprof/heap'],
    ['app-1.internal:8080/admin/pprof/heap', 'http://app-1.internal:8080/admin/pprof/heap'],
    ['localhost:6060/debug/pprof/allocs', 'http://localhost:6060/debug/pprof/allocs'],
    ['localhost:6060?seconds=30', 'http://localhost:6060/debug/pprof/heap?seconds=30'],
  ])('%s → %s', (arg, url) => {
    expect(profileUrl(arg)?.href).toBe(url);
  });

  it.each([
    ['heap.pb.gz'],
    ['-'],
    ['snaps/heap-20261122T063000.000Z.pb.gz'],
    ['./localhost'],
    ['C:\\profiles\\heap.pb.gz'],
    ['localhost:http'],
    ['host:6060:1'],
  ])('%s is a file name', (arg) => {
    expect(profileUrl(arg)).toBeNull();
  });
});

describe('requestUrl: what the options ask the server for', () => {
  const url = profileUrl('localhost:6060')!;
  it.each([
    [{ text: false, gc: false }, 'http://localhost:6060/debug/pprof/heap'],
    [{ text: true, gc: false }, 'http://localhost:6060/debug/pprof/heap?debug=1'],
    [{ text: false, gc: true }, 'http://localhost:6060/debug/pprof/heap?gc=1'],
    [{ text: true, gc: true }, 'http://localhost:6060/debug/pprof/heap?debug=1&gc=1'],
  ])('%o → %s', (options, expected) => {
    expect(requestUrl(url, options)).toBe(expected);
  });

  it('keeps the query the user gave, and --binary overrides its debug', () => {
    expect(requestUrl(profileUrl('localhost:6060/heap?debug=0&x=y')!, { text: true, gc: false })).toBe(
      'http://localhost:6060/heap?debug=1&x=y',
    );
  });
});

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['1m', 60_000],
    ['1h', 3_600_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([['10'], ['10sec'], ['1m30s'], ['-1s'], ['0s'], ['0.1ms'], ['s'], ['']])('%j is refused', (text) => {
    expect(() => parseDuration(text)).toThrow(
      'Expected a duration of at least 1ms: a number and a unit, ms, s, m or h (500ms, 10s, 1m, 1h).',
    );
  });

  it.each([
    [30_000, '30s'],
    [90_000, '90s'],
    [120_000, '2m'],
    [7_200_000, '2h'],
    [1500, '1500ms'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
