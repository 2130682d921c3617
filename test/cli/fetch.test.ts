import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchProfile } from '../../src/cli/fetch.js';
import { nodeFetch } from '../../src/cli/io.js';
import type { AnalyzeJson, DiffJson } from '../../src/report/schema.js';
import { fixture, runCli, runJson } from '../helpers.js';
import { closedPort, startProfileServer, type ProfileServer, type Reply } from '../profile-server.js';

// analyze and diff read a running program's /debug/pprof/heap like a file: the same decoding,
// the same report. The program is a local server serving go1.24's leak_0..4 (test/profile-server.ts).
const BINARY = fixture('go1.24/bin/leak.gz');
let server: ProfileServer;
const serve = async (script: Reply[] = []) => (server = await startProfileServer(script));
afterEach(() => server?.close());

/** A report without the name of its input, to compare a fetched profile's with its file's. */
const unnamed = (report: AnalyzeJson) => ({ ...report, profile: { ...report.profile, source: '' } });

describe('URL inputs', () => {
  it('analyze URL: the protobuf, reported as its file is', async () => {
    await serve();
    const got = await runJson<AnalyzeJson>(['analyze', server.url]);
    expect(server.requests).toEqual(['/debug/pprof/heap']);
    expect(got.profile.source).toBe(server.url);
    expect(unnamed(got)).toEqual(unnamed(await runJson<AnalyzeJson>(['analyze', fixture('go1.24/leak_0.pb.gz')])));
  });

  it('analyze host:port --binary: the text profile (?debug=1), exact, with phases', async () => {
    await serve();
    const got = await runJson<AnalyzeJson>(['analyze', server.hostPort, '--binary', BINARY]);
    expect(server.requests).toEqual(['/debug/pprof/heap?debug=1']);
    expect(got.profile.source).toBe(`${server.url}?debug=1`);
    expect(unnamed(got)).toEqual(
      unnamed(await runJson<AnalyzeJson>(['analyze', fixture('go1.24/leak_0.heap.txt'), '--binary', BINARY])),
    );
    expect(got.sites[0]).toMatchObject({
      function: 'main.(*Server).remember',
      evidence: 'binary',
      phases: { grow: {} },
    });
  });

  it('--gc asks the server for a collection first', async () => {
    await serve();
    await runJson<AnalyzeJson>(['analyze', `${server.hostPort}/debug/pprof/heap`, '--gc', '--binary', BINARY]);
    expect(server.requests).toEqual(['/debug/pprof/heap?debug=1&gc=1']);
  });

  it('diff takes URLs and files together, and orders them by profile time', async () => {
    await serve();
    const saved = fixture('go1.24/leak_2.heap.txt');
    const got = await runJson<DiffJson>(['diff', saved, server.hostPort, server.hostPort, '--binary', BINARY]);
    expect(server.requests).toEqual(['/debug/pprof/heap?debug=1', '/debug/pprof/heap?debug=1']);
    const files = await runJson<DiffJson>([
      'diff',
      ...[0, 1, 2].map((i) => fixture(`go1.24/leak_${i}.heap.txt`)),
      '--binary',
      BINARY,
    ]);
    expect(got.snapshots.map((s) => s.source)).toEqual([`${server.url}?debug=1`, `${server.url}?debug=1`, saved]);
    expect(got.sites).toEqual(files.sites);
    expect(got.totals).toEqual(files.totals);
  });

  it('follows a redirect, and names the URL asked for', async () => {
    await serve(['redirect']);
    const got = await runJson<AnalyzeJson>(['analyze', server.url]);
    expect(server.requests).toEqual(['/debug/pprof/heap', '/elsewhere/debug/pprof/heap']);
    expect(got.profile.source).toBe(server.url);
    expect(got.totals.heap.inuse_space).toBe(7933096);
  });
});

describe('a URL that gives no profile: one line naming it and what happened, exit 2', () => {
  it.each<[string, Reply, (url: string) => string, string[]?]>([
    [
      'an HTTP error',
      'fail',
      (url) => `${url}: HTTP 500 Internal Server Error: Could not dump heap: out of file descriptors`,
    ],
    [
      'no pprof there',
      'notfound',
      (url) =>
        `${url}: HTTP 404 Not Found: 404 page not found (is net/http/pprof imported, and served at this address?)`,
    ],
    [
      'an HTML page',
      'html',
      (url) => `${url}: HTTP 200 OK, but an HTML page (text/html; charset=utf-8), not a heap profile`,
    ],
    ['a redirect loop', 'loop', (url) => `${url}: too many redirects`],
    [
      'no answer in time',
      'hang',
      (url) => `${url}: no complete response within 200ms (--timeout)`,
      ['--timeout', '200ms'],
    ],
  ])('%s', async (_, reply, line, options = []) => {
    await serve([reply]);
    expect(await runCli(['analyze', server.hostPort, ...options])).toEqual({
      code: 2,
      stdout: '',
      stderr: `mapbloat: ${line(server.url)}\n`,
    });
  });

  it('a refused connection', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/debug/pprof/heap`;
    expect(await runCli(['diff', fixture('go1.24/leak_0.pb.gz'), url])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `mapbloat: ${url}: connection refused: ` + 'is the program running, and serving net/http/pprof on this port?\n',
    });
  });

  it('a 200 whose body is text, not a profile: the status is said too', async () => {
    await serve(['text']);
    expect(await runCli(['analyze', server.url])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `mapbloat: ${server.url}: HTTP 200 OK, but a text file, not a heap profile (it starts with ` +
        '"profiling is disabled on this instance"): take one from /debug/pprof/heap or go test -memprofile\n',
    });
  });

  it('https:// to a server that speaks plain HTTP', async () => {
    await serve();
    const url = server.url.replace('http://', 'https://');
    expect(await runCli(['analyze', url])).toEqual({
      code: 2,
      stdout: '',
      stderr: `mapbloat: ${url}: the server does not speak TLS here: is it http://, not https://?\n`,
    });
  });

  it('a file named like host:port is read, not fetched (a local file comes first, as in go tool pprof)', async () => {
    const bytes = readFileSync(fixture('go1.24/leak_0.pb.gz'));
    const got = await runCli(['analyze', 'snap:1', '--json'], { files: { [join(process.cwd(), 'snap:1')]: bytes } });
    expect([got.code, got.stderr, (JSON.parse(got.stdout) as AnalyzeJson).profile.source]).toEqual([0, '', 'snap:1']);
  });

  it('--timeout takes a duration', async () => {
    expect(await runCli(['analyze', 'localhost:6060', '--timeout', '10'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "mapbloat: option '--timeout <duration>' argument '10' is invalid. Expected a duration of at least 1ms: " +
        'a number and a unit, ms, s, m or h (500ms, 10s, 1m, 1h). (see mapbloat --help)\n',
    });
  });
});

describe('the body is bounded while it streams', () => {
  it.each<[string, Reply]>([
    ['a declared length over the limit', 'profile'],
    ['a body that never ends', 'endless'],
  ])('%s: refused at the limit', async (_, reply) => {
    await serve([reply]);
    await expect(fetchProfile(server.url, nodeFetch, { timeoutMs: 5000, maxBytes: 1000 })).rejects.toThrow(
      'the response is larger than 1000 B (--max-profile-size): raise the limit if it is real',
    );
  });

  it('--max-profile-size sets the limit, and the line names the URL', async () => {
    await serve(['endless']);
    const { code, stdout, stderr } = await runCli(['analyze', server.url, '--max-profile-size', '64KiB']);
    expect([code, stdout, stderr]).toEqual([
      2,
      '',
      `mapbloat: ${server.url}: the response is larger than 64.0 KiB (--max-profile-size): raise the limit ` +
        `if it is real\n`,
    ]);
  });
});
