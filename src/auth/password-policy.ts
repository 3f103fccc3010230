import { registerDecorator, ValidationOptions } from 'class-validator';

/** Password length bounds in UTF-8 bytes; bcrypt ignores everything past 72 bytes, so we refuse it. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

/** Validates a password's length in UTF-8 bytes (8..72), never truncating it silently. */
export function IsPasswordLength(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPasswordLength',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `must be ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes long`, ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          const bytes = Buffer.byteLength(value, 'utf8');
          return bytes >= PASSWORD_MIN_BYTES && bytes <= PASSWORD_MAX_BYTES;
        },
      },
    });
}
