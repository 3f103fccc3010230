import { proseRuns } from '../shared/markdown-text';

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
 * duplicates, at most {@link MENTIONS_MAX}. Only prose counts: `@name` inside inline code, a code
 * block or raw HTML is text, not a mention (see proseRuns: the web client's own markdown tokenizer,
 * so what the page highlights and what the server resolves agree). A run that ends in `.`, `-` or
 * `_` ("thanks @bob.") also yields the run without that trailing punctuation; whichever of the two
 * names a member is resolved (the database resolves candidates against the room's members,
 * case-insensitively).
 * @param content message text (markdown, any length; null or empty gives none)
 */
export function mentionCandidates(content: string | null | undefined): string[] {
  // Most messages name nobody: they are not tokenized at all.
  if (!content || !content.includes('@')) return [];
  const out = new Set<string>();
  for (const run of proseRuns(content)) {
    for (const match of run.matchAll(MENTION_TOKEN)) {
      const name = match[1].toLowerCase();
      const trimmed = name.replace(/[._-]+$/, '');
      for (const candidate of trimmed === name ? [name] : [name, trimmed]) {
        if (!USERNAME_RUN.test(candidate) || out.has(candidate)) continue;
        out.add(candidate);
        if (out.size === MENTIONS_MAX) return [...out];
      }
    }
  }
  return [...out];
}
