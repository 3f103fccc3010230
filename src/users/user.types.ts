/**
 * A user as the users queries return it (see USER_COLUMNS in users.repository.ts). Deleted accounts
 * are anonymised in place: the username becomes a tombstone and `deletedAt` is set.
 */
export interface User {
  id: string;
  username: string;
  email: string | null;
  passwordHash: string | null;
  displayName: string;
  avatarUrl: string | null;
  bio: string | null;
  status: string | null;
  lastSeenAt: Date | null;
  deletedAt: Date | null;
  /** Server administrator (the admin CLI and API); not a room role. */
  isAdmin: boolean;
  /** Set while an administrator has disabled the account: no login, no refresh, no session. */
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
