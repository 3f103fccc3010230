import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '../errors/app-error';

/** Converts an all-digits query string to a number; anything else is left for the validator to refuse. */
export const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value);

/** Default and bounds of `limit` on every list endpoint. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** `limit` and `cursor` query parameters shared by list endpoints. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer from 1 to 100' })
  @Min(1, { message: 'must be an integer from 1 to 100' })
  @Max(MAX_LIMIT, { message: 'must be an integer from 1 to 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s next_cursor' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** A page of a list endpoint. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Encodes keyset position values as an opaque URL-safe cursor. */
export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor} with `arity` values.
 * @throws AppError VALIDATION_FAILED when the cursor was not made by this server.
 */
export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string' || typeof v === 'number')) {
      return values as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not a valid cursor.', [{ field: 'cursor', problem: 'is not a valid cursor' }]);
}

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decodes a (timestamp, id) keyset cursor. The timestamp is PostgreSQL's own text of the column
 * (`col::text`, microseconds kept): a JavaScript Date would cut it to milliseconds and make pages
 * skip or repeat rows that share a millisecond.
 * @throws AppError VALIDATION_FAILED when the cursor was not made by this server.
 */
export function decodeKeysetCursor(cursor: string): [string, string] {
  const [ts, id] = decodeCursor(cursor, 2);
  if (typeof ts !== 'string' || typeof id !== 'string' || !TIMESTAMP_TEXT.test(ts) || !UUID_TEXT.test(id)) {
    throw new AppError('VALIDATION_FAILED', 'cursor is not a valid cursor.', [{ field: 'cursor', problem: 'is not a valid cursor' }]);
  }
  return [ts, id];
}
