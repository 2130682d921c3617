/** Where net/http/pprof serves the heap profile. */
const HEAP_PATH = '/debug/pprof/heap';

// host:port, then an optional path or query: what `go tool pprof` reads as http://host:port/…
// A name, an IPv4 address or a bracketed IPv6 one; the port is what tells it from a file name.
const HOST_PORT = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]):\d{1,5}(?:[/?].*)?$/i;

/**
 * A command-line input that names a running server: http(s)://…, or host:port with an optional
 * path, as `go tool pprof` reads them. A missing path (or "/") is the heap profile's. null for
 * anything else, which is a file name (or "-").
 */
export function profileUrl(arg: string): URL | null {
  const text = /^https?:\/\//i.test(arg) ? arg : HOST_PORT.test(arg) ? `http://${arg}` : null;
  if (text === null) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.pathname === '/') url.pathname = HEAP_PATH;
  return url;
}

export interface RequestOptions {
  /** --binary: the legacy text profile (?debug=1), whose stacks keep every PC for an exact attribution. */
  readonly text: boolean;
  /** --gc: the server runs a GC first (?gc=1), so inuse is the heap of this moment. */
  readonly gc: boolean;
}

/** The URL to fetch: the user's, with the query parameters the options ask the server for. */
export function requestUrl(url: URL, options: RequestOptions): string {
  const asked = new URL(url);
  if (options.text) asked.searchParams.set('debug', '1');
  if (options.gc) asked.searchParams.set('gc', '1');
  return asked.href;
}
