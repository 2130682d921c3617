import { InputError, UnsupportedProfileError } from '../errors.js';
import { tooLarge as limitError } from '../limits.js';
import { checkProfileHead } from '../pprof/input.js';
import { printable } from '../report/format.js';
import { formatDuration } from './duration.js';
import type { Io } from './io.js';

export interface FetchOptions {
  /** The whole request, body included: --timeout. */
  readonly timeoutMs: number;
  /** Bytes of the body at most (--max-profile-size): a longer body is cut off, not buffered. */
  readonly maxBytes: number;
  /** Ends the request early (Ctrl-C in watch); the rejection is then the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * The body of a successful GET of a heap profile. Everything that is not one — no connection, a
 * timeout, an HTTP error, an HTML page, a body over the limit — is an InputError whose subject is
 * the URL, with the HTTP status when there was one.
 */
export async function fetchProfile(url: string, fetch: Io['fetch'], options: FetchOptions): Promise<Uint8Array> {
  const { signal } = options;
  let response: Response;
  try {
    response = await fetch(url, { timeoutMs: options.timeoutMs, signal });
  } catch (err) {
    throw failure(url, err, options);
  }
  // A redirect is followed (http → https, a proxy's prefix); when it leads astray, say where to.
  const status = `HTTP ${response.status} ${response.statusText}`.trim();
  const where = response.redirected ? ` (redirected to ${printable(response.url)})` : '';
  if (!response.ok) {
    const detail = await firstLine(response);
    const hint = response.status === 404 ? ' (is net/http/pprof imported, and served at this address?)' : '';
    throw new InputError(`${status}${detail === '' ? '' : `: ${detail}`}${where}${hint}`, { subject: url });
  }
  const type = response.headers.get('content-type') ?? '';
  let body: Uint8Array;
  try {
    body = await readBounded(response, options.maxBytes);
  } catch (err) {
    if (err instanceof InputError) throw err.about(url);
    throw failure(url, err, options);
  }
  if (/^\s*text\/html/i.test(type) || /^\s*</.test(new TextDecoder().decode(body.subarray(0, 64)))) {
    throw new InputError(
      `${status}${where}, but an HTML page${type === '' ? '' : ` (${printable(type)})`}, not a heap profile`,
      { subject: url },
    );
  }
  // A 200 whose body is no heap profile (a plain-text error, another profile): the status is said
  // too, so that the server, not the transfer, is seen to be the cause.
  try {
    checkProfileHead(body.subarray(0, 4096));
  } catch (err) {
    // Damage (a corrupt gzip) is the decoder's to name, with the rest of the body.
    if (!(err instanceof UnsupportedProfileError)) return body;
    throw new UnsupportedProfileError(`${status}${where}, but ${err.message}`, { cause: err, subject: url });
  }
  return body;
}

/** The body, chunk by chunk, refused as soon as it passes maxBytes. */
async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => limitError('the response', null, maxBytes, '--max-profile-size');
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/** The start of an error body (Go's handlers say why in one line of text), safe to print. */
async function firstLine(response: Response): Promise<string> {
  if (!/^\s*text\/plain/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel();
    return '';
  }
  try {
    const text = new TextDecoder().decode(await readBounded(response, 4096));
    const line = text.split('\n')[0].trim();
    return printable(line.length > 200 ? `${line.slice(0, 200)}…` : line);
  } catch {
    // An error body that cannot be read (too long, cut short) adds nothing to its status.
    return '';
  }
}

/** What went wrong below HTTP, in the user's words: refused, timed out, no such host. */
function failure(url: string, err: unknown, options: FetchOptions): unknown {
  if (options.signal?.aborted === true) return err;
  const error = err as Error & { cause?: { code?: string; message?: string } };
  if (error.name === 'TimeoutError') {
    return new InputError(`no complete response within ${formatDuration(options.timeoutMs)} (--timeout)`, {
      cause: err,
      subject: url,
    });
  }
  const cause = error.cause;
  const message =
    cause?.code === 'ECONNREFUSED'
      ? 'connection refused: is the program running, and serving net/http/pprof on this port?'
      : cause?.code === 'ENOTFOUND'
        ? `no such host ${new URL(url).hostname}`
        : cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET'
          ? 'the server closed the connection before the profile was complete'
          : cause?.message === 'redirect count exceeded'
            ? 'too many redirects'
            : cause?.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || cause?.code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG'
              ? 'the server does not speak TLS here: is it http://, not https://?'
              : `cannot fetch it (${printable((cause?.message ?? error.message).trim())})`;
  return new InputError(message, { cause: err, subject: url });
}
