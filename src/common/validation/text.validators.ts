import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';

/**
 * The one set of text rules of the API (API.md "Text fields"), used by every DTO of REST and of the
 * WebSocket gateway:
 * - lengths are counted in Unicode code points, as PostgreSQL's varchar(n) and API.md count them (an
 *   emoji is one character, not two UTF-16 units);
 * - NUL and the other C0 control characters are refused (PostgreSQL refuses NUL in text outright, and
 *   the others are invisible in every client), except `\n` and `\t` in multi-line fields;
 * - single-line fields (names, usernames, logins, search words, passwords) refuse `\n` and `\t` too,
 *   and the Unicode line/paragraph separators: a line break in a name would let it forge extra lines
 *   wherever it is shown (member lists, notifications, "alice\nbob: hi");
 * - lone (unpaired) surrogates are refused: they are not characters, and the database driver would
 *   silently store U+FFFD in their place.
 */

/** Length in Unicode code points (`[...s].length` without the array). */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

// eslint-disable-next-line no-control-regex
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000B-\u001F]/;
// eslint-disable-next-line no-control-regex
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001F\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Options of {@link IsText}. */
export interface TextRules {
  /** Fewest characters (code points), after any trimming; default 0. */
  min?: number;
  /** Most characters (code points), after any trimming. */
  max: number;
  /** Whether `\n` and `\t` are allowed (message content, bio, descriptions); default false. */
  multiline?: boolean;
}

/**
 * Why `value` breaks the text rules, as a problem phrase for the error's `details` ("must …"), or
 * null when it is acceptable text.
 */
export function textProblem(value: unknown, rules: TextRules): string | null {
  if (value === undefined) return 'is required';
  if (value === null) return 'must not be null';
  if (typeof value !== 'string') return 'must be a string';
  if ((rules.multiline ? MULTI_LINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN).test(value)) {
    return rules.multiline
      ? 'must not contain control characters (only line breaks "\\n" and tabs "\\t" are allowed)'
      : 'must not contain control characters or line breaks (a single line of text)';
  }
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired surrogate code units (not valid Unicode)';
  const min = rules.min ?? 0;
  // A string has at most as many code points as UTF-16 units and at least half as many, so counting
  // is only needed near the limits.
  if (value.length > rules.max || value.length < 2 * min) {
    const chars = codePointLength(value);
    if (chars < min) return min === 1 ? 'must not be empty' : `must be at least ${min} characters`;
    if (chars > rules.max) return `must be at most ${rules.max} characters`;
  }
  return null;
}

/**
 * The text rules as one class-validator constraint: a string, no control characters (see the module
 * comment), no lone surrogates, `min..max` code points. One constraint so that a field gets exactly
 * one, most relevant, problem. `null` is refused ("must not be null"); use {@link Optional} or
 * {@link OptionalNullable} for fields that may be left out or cleared.
 */
export function IsText(rules: TextRules): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isText',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [rules],
      options: { message: (args: ValidationArguments) => `${args.property} ${textProblem(args.value, rules) ?? 'is invalid'}` },
      validator: { validate: (value: unknown) => textProblem(value, rules) === null },
    });
}

/**
 * A further rule on a text field (an email or URL syntax, say) that only judges values already
 * passing `rules`: validator.js's checks throw on lone surrogates, and the text rule's problem is the
 * one worth reporting anyway.
 * @param name constraint name
 * @param problem the problem phrase ("must be an email")
 * @param check the rule, called only with acceptable text
 */
export function TextAlso(name: string, rules: TextRules, problem: string, check: (value: string) => boolean): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} ${problem}` },
      validator: { validate: (value: unknown) => textProblem(value, rules) !== null || check(value as string) },
    });
}

/** The field may be left out; `null` is still validated (and refused by the field's rules). */
export const Optional = (): PropertyDecorator => ValidateIf((_o: unknown, value: unknown) => value !== undefined);

/** The field may be left out or be `null` (which means "clear it"; say so in its Swagger description). */
export const OptionalNullable = (): PropertyDecorator => ValidateIf((_o: unknown, value: unknown) => value !== undefined && value !== null);

/** Trims strings; leaves anything else for the type validators to refuse. */
export const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** Trims strings and turns an empty one into null ("clear this field"). */
export const trimToNull = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
};

/** `@Transform(trim)`: surrounding white space is never part of a value. */
export const Trim = (): PropertyDecorator => Transform(trim);

/** `@Transform(trimToNull)`: trims, and an empty string clears the field like `null`. */
export const TrimToNull = (): PropertyDecorator => Transform(trimToNull);
