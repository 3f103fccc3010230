import { mentionsIn, proseRuns } from '../shared/markdown-text';

/** Most distinct candidate usernames taken from one message; later ones are ignored. */
export const MENTIONS_MAX = 50;

/**
 * The lower-cased usernames a message's content may mention, in order of first appearance, without
 * duplicates, at most {@link MENTIONS_MAX}. Only prose counts: `@name` inside inline code, a code
 * block or raw HTML is text, not a mention (see proseRuns: the web client's own markdown tokenizer),
 * and each run is read by mentionsIn, the rule the web client marks mentions by, so what the page
 * highlights and what the server resolves agree. A run that ends in `.`, `-` or `_` ("thanks @bob.")
 * also yields the run without that trailing punctuation; whichever of the two names a member is
 * resolved (the database resolves candidates against the room's members, case-insensitively).
 * @param content message text (markdown, any length; null or empty gives none)
 */
export function mentionCandidates(content: string | null | undefined): string[] {
  // Most messages name nobody: they are not tokenized at all.
  if (!content || !content.includes('@')) return [];
  const out = new Set<string>();
  for (const run of proseRuns(content)) {
    for (const { names } of mentionsIn(run)) {
      for (const name of names) {
        if (out.has(name)) continue;
        out.add(name);
        if (out.size === MENTIONS_MAX) return [...out];
      }
    }
  }
  return [...out];
}
