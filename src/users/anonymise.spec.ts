import { USERNAME_PATTERN } from '../auth/dto/auth.dto';
import { anonymisedFields, DELETED_DISPLAY_NAME, tombstoneUsername } from './anonymise';

describe('account anonymisation', () => {
  const id = '0B7E4A8E-5D0C-4F4B-9A55-1D1F3C1E2A10';

  it('replaces every personal field; nothing but the id survives', () => {
    expect(anonymisedFields(id)).toEqual({
      username: 'deleted-0b7e4a8e5d0c4f4b9a551d1f3c1e2a10',
      email: null,
      passwordHash: null,
      displayName: DELETED_DISPLAY_NAME,
      avatarUrl: null,
      bio: null,
      status: null,
    });
  });

  it('makes a tombstone no live account can ever hold', () => {
    const tombstone = tombstoneUsername(id);
    // Longer than the 32 characters a username may have, and with the reserved prefix.
    expect(tombstone.length).toBe(40);
    expect(USERNAME_PATTERN.test(tombstone)).toBe(false);
    expect(tombstone.length).toBeLessThanOrEqual(64); // the column's size
  });

  it('gives different accounts different tombstones', () => {
    expect(tombstoneUsername('11111111-1111-4111-8111-111111111111')).not.toBe(tombstoneUsername('11111111-1111-4111-8111-111111111112'));
  });
});
