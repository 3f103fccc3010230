import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { AppError } from '../errors/app-error';
import { parseBoundedJson } from '../json/bounded-json';
import { IsText, Optional, textProblem } from '../validation/text.validators';

/** Converts an all-digits query string to a number; anything else is left for the validator to refuse. */
export const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value);

/** Default and bounds of `limit` on every list endpoint. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** `limit` and `cursor` query parameters shared by list endpoints. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @Optional()
  @Transform(toInt)
  @IsInt({ message: 'must be an integer from 1 to 100' })
  @Min(1, { message: 'must be an integer from 1 to 100' })
  @Max(MAX_LIMIT, { message: 'must be an integer from 1 to 100' })
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page\'s next_cursor; anything else is 400 INVALID_CURSOR' })
  @Optional()
  @IsText({ min: 1, max: 500 })
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
 * The kinds of value a cursor position may hold, each checked so that PostgreSQL accepts it:
 * `timestamp` is PostgreSQL's own text of a timestamptz column (`col::text`, microseconds kept: a
 * JavaScript Date would cut it to milliseconds and make pages skip or repeat rows that share a
 * millisecond), `uuid` an id, `text` a single-line string (usernames).
 */
export type CursorPart = 'timestamp' | 'uuid' | 'text';

const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:([+-])(\d{2})(?::?(\d{2}))?|Z)?$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest text part (a username, at most 32 characters; room for future keys). */
const CURSOR_TEXT_MAX_CHARS = 256;

/** Whether `text` is a timestamp PostgreSQL accepts: a real calendar date and time of day, a sane offset. */
export function isValidTimestampText(text: string): boolean {
  const m = TIMESTAMP_TEXT.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  // Day 0 of the next month is the last day of this one (leap years included).
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  if (m[8] !== undefined && (Number(m[9]) > 15 || Number(m[10] ?? 0) > 59)) return false;
  return true;
}

function isValidPart(value: unknown, part: CursorPart): boolean {
  if (typeof value !== 'string') return false;
  if (part === 'timestamp') return isValidTimestampText(value);
  if (part === 'uuid') return UUID_TEXT.test(value);
  return value.length > 0 && value.length <= CURSOR_TEXT_MAX_CHARS && textProblem(value, { max: CURSOR_TEXT_MAX_CHARS }) === null;
}

/**
 * The one cursor decoder of every list: decodes a cursor made by {@link encodeCursor} and checks
 * each value against its expected kind, so nothing PostgreSQL would refuse reaches a query.
 * @param parts the kinds of the position's values, in order
 * @returns the values, as strings
 * @throws AppError INVALID_CURSOR (400) for anything this server did not make: bad base64 or JSON,
 *   another shape, an impossible timestamp (`2024-13-45 99:99:99`), a malformed UUID
 */
export function decodeCursor(cursor: string, parts: readonly CursorPart[]): string[] {
  let values: unknown;
  try {
    values = parseBoundedJson(Buffer.from(cursor, 'base64url').toString('utf8'), 2);
  } catch {
    values = undefined;
  }
  if (Array.isArray(values) && values.length === parts.length && values.every((v, i) => isValidPart(v, parts[i]))) return values as string[];
  throw new AppError('INVALID_CURSOR', 'cursor is not a valid cursor; start again from the first page.', [{ field: 'cursor', problem: 'is not a valid cursor' }]);
}

/** Decodes a (timestamp, id) keyset cursor (see {@link decodeCursor}). @throws AppError INVALID_CURSOR */
export function decodeKeysetCursor(cursor: string): [string, string] {
  const [ts, id] = decodeCursor(cursor, ['timestamp', 'uuid']);
  return [ts, id];
}
