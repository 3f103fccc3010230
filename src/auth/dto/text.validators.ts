import { registerDecorator, ValidationOptions } from 'class-validator';

/** Length in Unicode code points, as PostgreSQL's varchar(n) counts it (an emoji is one, not two). */
export function codePointLength(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** At most `max` characters (code points), so the limit matches the database column's. */
export function MaxChars(max: number, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'maxChars',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [max],
      options: { message: `must be at most ${max} characters`, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && codePointLength(value) <= max },
    });
}

/** Trims strings; leaves anything else for the type validators to refuse. */
export const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** Trims strings and turns an empty one into null ("clear this field"). */
export const trimToNull = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
};
