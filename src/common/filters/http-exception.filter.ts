import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorBody } from '../errors/app-error';
import { ERRORS, ErrorCode } from '../errors/error-codes';
import { recorder } from '../../metrics/recorder';

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'BUSINESS_RULE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own error codes raised before a route handler runs (body parsing, limits). */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/**
 * What of an error may be logged on its one error line: class, message and code, never the query
 * parameters a driver error carries (they can hold password hashes or tokens), and no stack (a
 * client that can trigger a 500 must not be able to flood the log; see {@link logUnexpected}).
 */
export function safeError(err: unknown): { type: string; message: string; code?: string } {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { type: err.constructor?.name && err.constructor.name !== 'Error' ? err.constructor.name : err.name, message: err.message, code: typeof code === 'string' ? code : undefined };
}

/**
 * Logs an unexpected error (a 500: always a bug) as one line at error level with the request id and
 * the error class, and its stack as a second line at debug level only.
 */
export function logUnexpected(logger: Logger, exception: unknown, requestId: string): void {
  logger.error({ request_id: requestId, err: safeError(exception) }, 'request failed');
  if (exception instanceof Error && exception.stack) logger.debug({ request_id: requestId, stack: exception.stack }, 'request failed: stack');
}

/**
 * Turns anything thrown into API.md's error body and status. Unknown errors become a 500 that shows
 * nothing internal; the cause is logged with the request id instead.
 * @returns the status and body to send, plus a Retry-After value in seconds when rate limited.
 */
export function toErrorResponse(
  exception: unknown,
  requestId: string,
  logger: Logger,
): { status: number; body: ErrorBody; retryAfterSeconds?: number } {
  let code: ErrorCode;
  let message: string;
  let details: AppError['details'];
  let retryAfterSeconds: number | undefined;

  if (exception instanceof AppError) {
    code = exception.code;
    message = exception.message;
    details = exception.details;
    retryAfterSeconds = exception.retryAfterSeconds;
  } else if (exception instanceof ThrottlerException) {
    code = 'RATE_LIMITED';
    message = ERRORS.RATE_LIMITED.message;
  } else if (exception instanceof HttpException) {
    const status = exception.getStatus();
    code = STATUS_TO_CODE[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(exception.message)) {
      code = 'ROUTE_NOT_FOUND';
    }
    // Nest wraps Fastify's body-parser errors into plain HttpExceptions carrying Fastify's message.
    if (status === 400 && /not valid JSON|Body cannot be empty/i.test(exception.message)) code = 'INVALID_JSON';
    message = status >= 500 ? ERRORS.INTERNAL_ERROR.message : ERRORS[code].message;
    if (status >= 500) logUnexpected(logger, exception, requestId);
  } else {
    const fastifyCode = (exception as { code?: unknown })?.code;
    const mapped = typeof fastifyCode === 'string' ? FASTIFY_CODES[fastifyCode] : undefined;
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (exception instanceof SyntaxError && statusCode === 400) {
      code = 'INVALID_JSON';
      message = ERRORS.INVALID_JSON.message;
    } else if (mapped) {
      code = mapped;
      message = ERRORS[mapped].message;
    } else if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      code = STATUS_TO_CODE[statusCode] ?? 'BAD_REQUEST';
      message = ERRORS[code].message;
    } else {
      code = 'INTERNAL_ERROR';
      message = ERRORS.INTERNAL_ERROR.message;
      logUnexpected(logger, exception, requestId);
    }
  }

  const status = ERRORS[code].status;
  const body: ErrorBody = { status_code: status, code, error: message, request_id: requestId };
  if (details?.length) body.details = details;
  return { status, body, retryAfterSeconds };
}

/** Global HTTP exception filter: every error response has the API.md shape. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  /** Renders the error; a ThrottlerException keeps the Retry-After header the throttler set. */
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { status, body, retryAfterSeconds } = toErrorResponse(exception, String(request.id), this.logger);
    recorder.error(body.code);
    if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterSeconds))));
    if (status === 429 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '60');
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
