import { canonicalEmoji, REACTION_EMOJIS } from './emoji';

describe('reaction emoji allow-list', () => {
  it('accepts every listed emoji as itself', () => {
    for (const e of REACTION_EMOJIS) expect(canonicalEmoji(e)).toBe(e);
  });

  it('treats the variation selector as optional', () => {
    expect(canonicalEmoji('❤')).toBe('❤️');
    expect(canonicalEmoji('⚠')).toBe('⚠️');
  });

  it('refuses anything else', () => {
    for (const s of ['', 'thumbsup', '👍👍', '<b>', '🦄', 'a'.repeat(100)]) expect(canonicalEmoji(s)).toBeNull();
  });
});
