import { ArgumentMetadata, ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/**
 * Accepts only UUIDs and hands them on in lower case: ids are compared as strings in memory (live
 * routing, ordering), where `ABC…` and `abc…` must be the same room.
 */
class LowerCaseUuidPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return (await super.transform(value, metadata)).toLowerCase();
  }
}

/**
 * A path-parameter pipe that accepts only UUIDs (returned in lower case) and otherwise fails with
 * 400 VALIDATION_FAILED naming the parameter, so a bad id never reaches the database.
 */
export function uuidPipe(field: string): ParseUUIDPipe {
  return new LowerCaseUuidPipe({
    exceptionFactory: () => new AppError('VALIDATION_FAILED', `${field} must be a UUID.`, [{ field, problem: 'must be a UUID' }]),
  });
}

/**
 * class-transformer `@Transform` for ids in bodies and WebSocket payloads (a string, or an array of
 * strings): lower case, as {@link uuidPipe} does for path parameters, so every id reaches the
 * services in one spelling.
 */
export const lowerCaseIds = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.toLowerCase() : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)) : value;
