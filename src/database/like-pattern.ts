/**
 * A LIKE pattern matching `text` anywhere ("contains"), with LIKE's own wildcards (`%`, `_`) and its
 * escape character (`\`, PostgreSQL's default) escaped, so user input always matches literally.
 * Compare it as `lower(column) LIKE lower($n)`: the trigram indexes are on those lower() expressions.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
