import type { ErrorCode } from '../contracts/wire';

const STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_content: 400,
  rate_limited: 429,
  internal_error: 500,
};

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not Found',
  invalid_content: 'Invalid content',
  rate_limited: 'Too many requests, slow down',
  internal_error: 'Internal server error',
};

/**
 * A refusal the client caused; one type for HTTP statuses and socket ack codes alike.
 *
 * It carries no stack: it is an answer, never logged as a fault, and capturing one was the
 * largest single cost of refusing a flood (a third of the server's time per refused message).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message = DEFAULT_MESSAGE[code],
  ) {
    const depth = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = depth;
    }
  }

  get status(): number {
    return STATUS[this.code];
  }
}
