import { registerDecorator, ValidationOptions } from 'class-validator';
import { IsText } from '../common/validation/text.validators';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Password length bounds in UTF-8 bytes; bcrypt ignores everything past 72 bytes, so we refuse it. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;
/**
 * Longest password text accepted as input anywhere (login, confirmations), in characters: a bound on
 * the work done for it. Inputs over PASSWORD_MAX_BYTES are then refused as wrong, never truncated.
 */
export const PASSWORD_INPUT_MAX_CHARS = 1024;

/** True when a typed password can be checked by bcrypt without truncation (at most 72 UTF-8 bytes). */
export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= PASSWORD_MAX_BYTES;
}

/** The shipped list of the 1,000 most common passwords (one per line, lowercase). */
export const COMMON_PASSWORDS_FILE = join(__dirname, 'common-passwords.txt');

/** What a person is told when their password is on the list. */
export const COMMON_PASSWORD_PROBLEM = 'is one of the 1,000 most common passwords; choose a less guessable one';

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The common-password list, read once from {@link COMMON_PASSWORDS_FILE} (nest-cli copies it next to
 * the compiled code). Blank lines and `#` comments are skipped.
 * @throws when the file is missing: a build without it must not silently accept every password.
 */
export function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return commonPasswords;
}

/** True when the password, compared case-insensitively, is on the common-password list. */
export function isCommonPassword(password: string): boolean {
  return loadCommonPasswords().has(password.trim().toLowerCase());
}

/** True when the password is 8..72 bytes long in UTF-8. */
export function hasAcceptedLength(password: string): boolean {
  const bytes = Buffer.byteLength(password, 'utf8');
  return bytes >= PASSWORD_MIN_BYTES && bytes <= PASSWORD_MAX_BYTES;
}

/** Validates a password's length in UTF-8 bytes (8..72), never truncating it silently. */
export function IsPasswordLength(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPasswordLength',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `must be ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes long (UTF-8)`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && hasAcceptedLength(value) },
    });
}

/**
 * The whole policy for a NEW password: single-line text (the API's text rules: no control characters,
 * no lone surrogates), 8..72 UTF-8 bytes and not one of the 1,000 most common passwords. Each rule
 * has its own message, so the person learns exactly what to change.
 */
export function IsAcceptablePassword(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    IsText({ min: 1, max: PASSWORD_INPUT_MAX_CHARS })(target, propertyName);
    IsPasswordLength()(target, propertyName);
    registerDecorator({
      name: 'isNotCommonPassword',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: COMMON_PASSWORD_PROBLEM },
      // Length is reported by its own rule; this one speaks only about passwords of a valid length.
      validator: { validate: (value: unknown) => typeof value !== 'string' || !hasAcceptedLength(value) || !isCommonPassword(value) },
    });
  };
}
