import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isRetryableStatus, parseRetryAfter } from './retry-policy';
import type { ResolvedAddress } from './webhook-target';

export type AttemptOutcome =
  | { kind: 'delivered'; status: number; latencyMs: number }
  /** Worth asking again later: a timeout, a network error, 429 or 5xx. */
  | { kind: 'retry'; status: number | null; latencyMs: number | null; error: string; retryAfterMs: number | null }
  /** The receiver said no and would say it again, or the target was refused (no status, no latency: nothing was sent). */
  | { kind: 'rejected'; status: number | null; latencyMs: number | null; error: string };

/** A lookup that answers with the addresses already checked, never asking DNS again. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
    const list = wanted.length ? wanted : addresses;
    if (options.all) (callback as unknown as (err: null, all: readonly ResolvedAddress[]) => void)(null, list);
    else callback(null, list[0].address, list[0].family);
  };
}

const describeNetworkError = (err: Error & { code?: string }): string =>
  (err.code ? `${err.code}: ` : '') + err.message.replace(/\s+/g, ' ').slice(0, 200);

/**
 * One POST of one delivery: to the pinned addresses, no redirect followed (none is, by Node's
 * http), the whole exchange bounded by `timeoutMs`. Only the status line is kept; the body the
 * receiver answers with is drained and dropped.
 */
export function sendAttempt(
  url: URL,
  addresses: readonly ResolvedAddress[],
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(addresses),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'support-chat-webhooks/1',
        },
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const latencyMs = elapsed();
        res.resume();
        res.on('error', () => undefined);
        if (status >= 200 && status < 300) settle({ kind: 'delivered', status, latencyMs });
        else if (isRetryableStatus(status)) {
          const retryAfter = res.headers['retry-after'];
          settle({ kind: 'retry', status, latencyMs, error: `HTTP ${status}`, retryAfterMs: parseRetryAfter(retryAfter, Date.now()) });
        } else if (status >= 300 && status < 400) {
          settle({ kind: 'rejected', status, latencyMs, error: `HTTP ${status}: redirects are not followed` });
        } else settle({ kind: 'rejected', status, latencyMs, error: `HTTP ${status}` });
        // The answer's body is of no use; closing now frees the socket whatever its size.
        res.destroy();
      },
    );
    const timer = setTimeout(() => {
      settle({ kind: 'retry', status: null, latencyMs: elapsed(), error: `timed out after ${timeoutMs} ms`, retryAfterMs: null });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => settle({ kind: 'retry', status: null, latencyMs: elapsed(), error: describeNetworkError(err), retryAfterMs: null }));
    req.end(body);
  });
}
