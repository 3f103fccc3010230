import { ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '../errors/app-error';

/**
 * A path-parameter pipe that accepts only UUIDs and otherwise fails with 400 VALIDATION_FAILED
 * naming the parameter, so a bad id never reaches the database.
 */
export function uuidPipe(field: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new AppError('VALIDATION_FAILED', `${field} must be a UUID.`, [{ field, problem: 'must be a UUID' }]),
  });
}
