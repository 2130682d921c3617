import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FIXTURES } from './helpers.js';

/**
 * What the server does with one request:
 * - profile: the next of go1.24's leak_0..4 (the last one again after that), as net/http/pprof
 *   serves it: the protobuf, gzipped, or with ?debug=1 the text profile;
 * - fail: HTTP 500 with a line of text, as pprof's handler reports an error;
 * - notfound: Go's 404 for a path nobody serves;
 * - html: HTTP 200 with an HTML page (a proxy's login page);
 * - redirect: 302 to /elsewhere + the same path, which the next reply then answers;
 * - loop: 302 to /loop + the same path, which redirects to itself for ever;
 * - hang: no answer at all;
 * - endless: HTTP 200 and a body that never ends.
 */
export type Reply = 'profile' | 'fail' | 'notfound' | 'html' | 'text' | 'redirect' | 'loop' | 'hang' | 'endless';

export interface ProfileServer {
  /** "127.0.0.1:PORT" */
  readonly hostPort: string;
  /** "http://127.0.0.1:PORT/debug/pprof/heap" */
  readonly url: string;
  /** Every request's path and query, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** What a `fail` reply says, after the URL, in mapbloat's error line. */
export const FAILED = 'HTTP 500 Internal Server Error: Could not dump heap: out of file descriptors';

export const LEAK = (i: number, text = false) => join(FIXTURES, `go1.24/leak_${i}${text ? '.heap.txt' : '.pb.gz'}`);

/**
 * A local stand-in for a Go program with net/http/pprof, on 127.0.0.1 and an ephemeral port.
 * Requests get the replies of `script` in order, then profiles; onRequest(n, path) runs as the
 * n-th request (1-based) arrives, before it is answered.
 */
export async function startProfileServer(
  script: readonly Reply[] = [],
  onRequest?: (n: number, path: string) => void,
): Promise<ProfileServer> {
  const requests: string[] = [];
  let profiles = 0;
  const reply = (req: IncomingMessage, res: ServerResponse, what: Reply) => {
    const path = req.url ?? '/';
    switch (what) {
      case 'profile': {
        const text = new URL(path, 'http://x').searchParams.get('debug') === '1';
        const body = readFileSync(LEAK(Math.min(profiles++, 4), text));
        res.writeHead(200, { 'content-type': text ? 'text/plain; charset=utf-8' : 'application/octet-stream' });
        return void res.end(body);
      }
      case 'fail':
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end('Could not dump heap: out of file descriptors\n');
      case 'notfound':
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end('404 page not found\n');
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end('<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n');
      case 'text':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end('profiling is disabled on this instance\n');
      case 'redirect':
        res.writeHead(302, { location: `/elsewhere${path}` });
        return void res.end();
      case 'loop':
        res.writeHead(302, { location: path.startsWith('/loop/') ? path : `/loop${path}` });
        return void res.end();
      case 'hang':
        return;
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024);
        const more = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', more);
        };
        return more();
      }
    }
  };
  const server = createServer((req, res) => {
    requests.push(req.url ?? '/');
    onRequest?.(requests.length, req.url ?? '/');
    const loop = req.url?.startsWith('/loop/') === true;
    reply(req, res, loop ? 'loop' : (script[requests.length - 1] ?? 'profile'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hostPort = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hostPort,
    url: `http://${hostPort}/debug/pprof/heap`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
