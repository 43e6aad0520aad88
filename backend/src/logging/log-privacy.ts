import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Query parameters whose value is a credential (unsubscribe links, hand-rolled clients). */
const SECRET_PARAM = /token|key|secret|sig|password|auth|code/i;
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The URL as a log line may show it: path kept, the value of any credential-like query
 * parameter replaced, so a link with a token in it never lands in the logs.
 */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of new Set(params.keys())) {
    if (SECRET_PARAM.test(key)) params.set(key, '[redacted]');
  }
  return `${url.slice(0, q)}?${params.toString().replace(/%5Bredacted%5D/g, '[redacted]')}`;
}

/**
 * A request id a proxy sent (nginx `$request_id`) is kept, so one id follows a request
 * across hops; anything absent or odd-looking is replaced, never echoed into the logs.
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  remoteAddress?: string;
}

/**
 * Only what operations need from a request: headers (Authorization, cookies) and bodies
 * (passwords, message content) are left out by construction rather than redacted one by one.
 */
export function serializeRequest(req: SerializedRequest): SerializedRequest {
  return { id: req.id, method: req.method, url: redactUrl(req.url), remoteAddress: req.remoteAddress };
}

export function serializeResponse(res: { statusCode?: number }): { statusCode?: number } {
  return { statusCode: res.statusCode };
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** A JWT (header and payload are base64url JSON, so they start with "eyJ"), even cut short. */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}/g;

/**
 * An unexpected error as a log line may tell it: its kind and message, never its stack (which
 * names files and modules). A database error is told by its SQLSTATE alone, since the driver's
 * message quotes the values that were sent and can carry whatever a client put in them; a
 * token quoted in any other message is replaced.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return 'non-error thrown';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SQLSTATE.test(code)) return `database error (SQLSTATE ${code})`;
  return `${err.name}: ${err.message.replace(JWT_LIKE, '[token]').slice(0, 200)}`;
}

/**
 * pino-http attaches an error to every 5xx line; only its description is kept. pino hands the
 * serializer its own copy of the error, which keeps the original as `raw`.
 */
export function serializeError(err: unknown): { message: string } {
  const raw = typeof err === 'object' && err !== null ? (err as { raw?: unknown }).raw : undefined;
  return { message: describeError(raw ?? err) };
}

/** Paths that must never reach a log line even if someone logs a whole object by mistake. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.body',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.access_token',
  '*.content',
  'auth',
  '*.auth',
];
