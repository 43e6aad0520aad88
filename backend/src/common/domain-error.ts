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

/** A refusal the client caused; one type for HTTP statuses and socket ack codes alike. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message = DEFAULT_MESSAGE[code],
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}
