import { ERRORS, ErrorCode } from './error-codes';

/** One problem with one input field, as listed in an error response's `details`. */
export interface ErrorDetail {
  field: string;
  problem: string;
}

/**
 * The one exception type of the domain: a stable code from the catalogue, the HTTP status it maps
 * to, a sentence for people and optional field details. Both the HTTP filter and the WebSocket
 * filter render it, so REST and the gateway fail the same way.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetail[],
    /** Seconds a client should wait before retrying (sent as Retry-After / retry_after_ms). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }
}

/** The JSON body of every error response (API.md "Errors"). */
export interface ErrorBody {
  status_code: number;
  code: string;
  error: string;
  details?: ErrorDetail[];
  request_id: string;
}
