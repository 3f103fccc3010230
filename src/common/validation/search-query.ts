import { registerDecorator } from 'class-validator';

const TOKEN = /-?"[^"]*"?|\S+/g;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * Whether a web-search query (PostgreSQL `websearch_to_tsquery` syntax: words, "quoted phrases",
 * `-excluded`, `or`) has an alternative made only of excluded words, like `-x`, `-a -b` or `a or -b`.
 * Such a query matches nearly every message and cannot use the full-text index, so the search would
 * read every message of the caller's rooms.
 */
export function isPureNegation(q: string): boolean {
  let positive = false;
  let negative = false;
  for (const token of [...(q.match(TOKEN) ?? []), 'or']) {
    if (/^or$/i.test(token)) {
      if (negative && !positive) return true;
      positive = negative = false;
    } else if (WORD_CHARACTER.test(token)) {
      if (token.length > 1 && token.startsWith('-')) negative = true;
      else positive = true;
    }
  }
  return false;
}

/** Refuses a search query with an alternative of only excluded words (see {@link isPureNegation}). */
export function IsSearchQuery(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isSearchQuery',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must name at least one word to find in each alternative: a search of only excluded words (-word) would read every message`,
      },
      validator: { validate: (value: unknown) => typeof value !== 'string' || !isPureNegation(value) },
    });
}
