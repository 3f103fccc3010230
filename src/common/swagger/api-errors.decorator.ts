import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

/** One invalid field in an error response. */
export class ErrorDetailDto {
  @ApiProperty({ example: 'email' }) field: string;
  @ApiProperty({ example: 'must be an email' }) problem: string;
}

/** The error body shared by every failing response (API.md "Errors"). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 }) status_code: number;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable UPPER_SNAKE code clients switch on' }) code: string;
  @ApiProperty({ example: 'email must be an email.' }) error: string;
  @ApiProperty({ type: [ErrorDetailDto], required: false }) details?: ErrorDetailDto[];
  @ApiProperty({ example: '5f0c7c52-3c1e-4a57-9a52-1b1d8f0d6b7a' }) request_id: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED naming the field: wrong type, null where not allowed, control characters or lone surrogates in text, lengths in characters = code points, JSON nested over 32 levels; INVALID_JSON; INVALID_CURSOR on lists)',
  401: 'Missing, invalid, expired or revoked token (counted per client IP: past RATE_LIMIT_AUTH_FAILURES_PER_MINUTE, 429)',
  403: 'Authenticated but not allowed (NOT_A_MEMBER, FORBIDDEN)',
  404: 'Not found or not visible to the caller',
  409: 'Conflict (USERNAME_TAKEN, EMAIL_TAKEN)',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Refused by a business rule',
  429: 'Rate limited (RATE_LIMITED, with Retry-After)',
};

/** Documents the error responses of a route, all in the shared error shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })));
}
