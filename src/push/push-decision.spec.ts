import { previewOf, PREVIEW_MAX_CHARS, shouldPush } from './push-decision';

describe('shouldPush', () => {
  const bob = 'b0b';
  const alice = 'a11ce';
  const member = (roomType: 'dm' | 'public' | 'private', chosenLevel: 'all' | 'mentions' | 'none' | null) => ({ userId: bob, roomType, chosenLevel });

  it('DMs push at their default and at "all" and "mentions", never at "none"', () => {
    expect(shouldPush(member('dm', null), { senderId: alice })).toBe(true);
    expect(shouldPush(member('dm', 'all'), { senderId: alice })).toBe(true);
    expect(shouldPush(member('dm', 'mentions'), { senderId: alice })).toBe(true);
    expect(shouldPush(member('dm', 'none'), { senderId: alice, mentions: [bob] })).toBe(false);
  });

  it('rooms push every message at "all", only mentions at their default "mentions", nothing at "none"', () => {
    for (const type of ['public', 'private'] as const) {
      expect(shouldPush(member(type, 'all'), { senderId: alice })).toBe(true);
      expect(shouldPush(member(type, null), { senderId: alice })).toBe(false);
      expect(shouldPush(member(type, null), { senderId: alice, mentions: [] })).toBe(false);
      expect(shouldPush(member(type, null), { senderId: alice, mentions: ['someone-else'] })).toBe(false);
      expect(shouldPush(member(type, null), { senderId: alice, mentions: [bob] })).toBe(true);
      expect(shouldPush(member(type, 'mentions'), { senderId: alice, mentions: [bob] })).toBe(true);
      expect(shouldPush(member(type, 'none'), { senderId: alice, mentions: [bob] })).toBe(false);
    }
  });

  it('never pushes a member about their own message, nor a message without a sender', () => {
    expect(shouldPush(member('dm', 'all'), { senderId: bob })).toBe(false);
    expect(shouldPush(member('public', 'all'), { senderId: bob, mentions: [bob] })).toBe(false);
    expect(shouldPush(member('public', 'all'), { senderId: null })).toBe(false);
  });
});

describe('previewOf', () => {
  it('collapses white space and cuts at 140 characters without splitting an emoji', () => {
    expect(previewOf('  a\n\n b  ')).toBe('a b');
    expect(previewOf(null)).toBeUndefined();
    expect(previewOf('   ')).toBeUndefined();
    const long = previewOf('😀'.repeat(500))!;
    expect(Array.from(long)).toHaveLength(PREVIEW_MAX_CHARS);
    expect(long.endsWith('😀…')).toBe(true);
    expect(previewOf('x'.repeat(PREVIEW_MAX_CHARS))).toBe('x'.repeat(PREVIEW_MAX_CHARS));
  });

  it('shows the plain text of the markdown, not its markup', () => {
    expect(previewOf('**Deploy** is `done`:\n> see [the log](https://example.com/log)\n- ~~old~~ new')).toBe('Deploy is done: see the log old new');
    expect(previewOf('```\n```')).toBeUndefined();
    // The cut counts what is shown, not the markup around it.
    expect(previewOf(`**${'y'.repeat(PREVIEW_MAX_CHARS)}**`)).toBe('y'.repeat(PREVIEW_MAX_CHARS));
  });
});
