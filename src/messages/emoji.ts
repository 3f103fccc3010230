/**
 * The reactions the server accepts: a bounded allow-list, so the reaction table and the aggregated
 * `reactions` arrays stay small and no arbitrary text can be smuggled in as an "emoji".
 */
export const REACTION_EMOJIS: readonly string[] = [
  '👍', '👎', '❤️', '😂', '😮', '😢', '😡', '🎉', '🙏', '🔥',
  '👀', '✅', '❌', '💯', '🚀', '😄', '😍', '🤔', '👏', '🙌',
  '😎', '😅', '🤣', '😊', '🥳', '😭', '🤯', '💪', '⭐', '✨',
  '👋', '🤝', '☕', '🍕', '🐛', '➕', '👌', '💡', '⚠️', '📌',
];

/** Variation selectors and skin-tone-free comparison: "❤" and "❤️" are the same reaction. */
const normalize = (s: string): string => s.normalize('NFC').replace(/\uFE0F/g, '');

const CANONICAL = new Map(REACTION_EMOJIS.map((e) => [normalize(e), e]));

/**
 * The canonical spelling of an accepted emoji (as stored and returned), or null when the string is
 * not on the allow-list. The input is the already URL-decoded path segment.
 */
export function canonicalEmoji(input: string): string | null {
  if (input.length === 0 || input.length > 16) return null;
  return CANONICAL.get(normalize(input)) ?? null;
}
