import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { describeError } from '../logging/log-privacy';
import { DomainError } from './domain-error';

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
};

/**
 * Every HTTP error leaves in Nest's `{statusCode, message, error}` shape; nothing unexpected
 * (stack, SQL, token) reaches the client, and the log keeps only what describeError tells.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const { status, message } = this.describe(exception);
    res.status(status).json({ statusCode: status, message, error: REASON[status] ?? 'Error' });
  }

  private describe(exception: unknown): { status: number; message: string | string[] } {
    if (exception instanceof DomainError) return { status: exception.status, message: exception.message };
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message =
        typeof body === 'object' && body !== null && 'message' in body
          ? (body as { message: string | string[] }).message
          : exception.message;
      return { status: exception.getStatus(), message };
    }
    // Errors raised by Express middleware (body parser) carry their own status.
    const status = (exception as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (exception as { type?: string }).type;
      const message =
        status === 413 ? 'Request body is larger than 64 KB' : type === 'entity.parse.failed' ? 'Malformed JSON body' : 'Bad request';
      return { status, message };
    }
    this.logger.error(describeError(exception));
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }
}
