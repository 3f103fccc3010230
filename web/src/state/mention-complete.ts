// `@` autocomplete in the composer: which word is being completed, which members match, and the
// text after picking one. Pure functions, so the keyboard logic in the UI stays thin and testable.

/** A member as the autocomplete needs it. */
export interface MentionCandidate {
  id: string;
  username: string;
  display_name?: string | null;
}

/** The `@word` being typed at `caret` (UTF-16 offset): where its `@` is and the text after it. */
export interface MentionQuery {
  start: number;
  query: string;
}

const QUERY_AT_CARET = /(^|[\s([{"'])@([\p{L}\p{N}_.-]{0,32})$/u;

/** The `@` word ending at the caret, or null when the caret is not in one (e.g. in an e-mail address). */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  const match = QUERY_AT_CARET.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2].length - 1, query: match[2] };
}

/**
 * Members matching `query` (case-insensitive): username prefixes first, then display-name word
 * prefixes, each alphabetical; the signed-in user excluded; at most `limit`.
 */
export function mentionCandidates<T extends MentionCandidate>(members: Iterable<T>, query: string, myId: string | undefined, limit = 8): T[] {
  const q = query.toLowerCase();
  const byName: T[] = [];
  const byDisplay: T[] = [];
  for (const m of members) {
    if (m.id === myId) continue;
    if (m.username.toLowerCase().startsWith(q)) byName.push(m);
    else if ((m.display_name ?? '').toLowerCase().split(/\s+/).some((w) => w.startsWith(q))) byDisplay.push(m);
  }
  const order = (a: T, b: T) => a.username.localeCompare(b.username);
  return [...byName.sort(order), ...byDisplay.sort(order)].slice(0, limit);
}

/** The text with the `@word` at `q` replaced by `@username ` and the caret placed after it. */
export function applyMention(text: string, q: MentionQuery, caret: number, username: string): { text: string; caret: number } {
  const inserted = `@${username} `;
  const rest = text.slice(caret).replace(/^[\p{L}\p{N}_.-]*\s?/u, '');
  return { text: text.slice(0, q.start) + inserted + rest, caret: q.start + inserted.length };
}

/** The next highlighted index when moving by `delta` through `count` options (wraps around). */
export function moveSelection(index: number, delta: number, count: number): number {
  if (count === 0) return 0;
  return (((index + delta) % count) + count) % count;
}
