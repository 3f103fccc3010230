import type { User } from './user.types';

/** Display name every deleted account gets (the message mapper shows the same words). */
export const DELETED_DISPLAY_NAME = 'Deleted user';

/**
 * The username a deleted account keeps: `deleted-` and the 32 hex digits of its id. At 40 characters
 * it can never collide with a live username (at most 32, and the `deleted-` prefix is refused at
 * registration), and the old name is free for anyone again.
 */
export function tombstoneUsername(userId: string): string {
  return `deleted-${userId.replace(/-/g, '').toLowerCase()}`;
}

/** The fields an account is overwritten with on deletion: nothing personal survives but the id. */
export function anonymisedFields(userId: string): Pick<User, 'username' | 'email' | 'passwordHash' | 'displayName' | 'avatarUrl' | 'bio' | 'status'> {
  return {
    username: tombstoneUsername(userId),
    email: null,
    passwordHash: null,
    displayName: DELETED_DISPLAY_NAME,
    avatarUrl: null,
    bio: null,
    status: null,
  };
}
