/** Most distinct candidate usernames taken from one message; later ones are ignored. */
export const MENTIONS_MAX = 50;

/**
 * A mention token: `@` at the start of the content or after a character that is not a word
 * character (so `alice@example.com` names nobody), then a run of the characters usernames may hold
 * (`[A-Za-z0-9_.-]`, see USERNAME_PATTERN).
 */
const MENTION_TOKEN = /(?<![A-Za-z0-9_])@([A-Za-z0-9_.-]+)/g;

/** Usernames are 3..32 characters of that set. */
const USERNAME_RUN = /^[A-Za-z0-9_.-]{3,32}$/;

/**
 * The lower-cased usernames a message's content may mention, in order of first appearance, without
 * duplicates, at most {@link MENTIONS_MAX}. A run that ends in `.`, `-` or `_` ("thanks @bob.") also
 * yields the run without that trailing punctuation; whichever of the two names a member is resolved
 * (the database resolves candidates against the room's members, case-insensitively).
 * @param content message text (any length; null or empty gives none)
 */
export function mentionCandidates(content: string | null | undefined): string[] {
  if (!content || !content.includes('@')) return [];
  const out = new Set<string>();
  for (const match of content.matchAll(MENTION_TOKEN)) {
    const run = match[1].toLowerCase();
    const trimmed = run.replace(/[._-]+$/, '');
    for (const name of trimmed === run ? [run] : [run, trimmed]) {
      if (!USERNAME_RUN.test(name) || out.has(name)) continue;
      out.add(name);
      if (out.size === MENTIONS_MAX) return [...out];
    }
  }
  return [...out];
}
