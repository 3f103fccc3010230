import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { containsPattern } from '../database/like-pattern';
import { and, execute, firstRow, Queryable, rows, rowsPlannedForValues, SqlParams, statement } from '../database/sql';
import { anonymisedFields } from './anonymise';
import { User } from './user.types';

/** Profile fields a user may change on themselves. */
export type ProfileFields = Partial<Pick<User, 'displayName' | 'bio' | 'avatarUrl' | 'status'>>;

/** The columns of {@link User}, from `users u`, named as its fields so a row is a User. */
const USER_COLUMNS = `u.id, u.username, u.email, u.password_hash AS "passwordHash", u.display_name AS "displayName",
  u.avatar_url AS "avatarUrl", u.bio, u.status, u.last_seen_at AS "lastSeenAt", u.deleted_at AS "deletedAt",
  u.is_admin AS "isAdmin", u.disabled_at AS "disabledAt", u.created_at AS "createdAt", u.updated_at AS "updatedAt"`;

/** The column of each profile field (the only fields {@link UsersRepository.updateProfile} writes). */
const PROFILE_COLUMNS: Record<keyof ProfileFields, string> = { displayName: 'display_name', bio: 'bio', avatarUrl: 'avatar_url', status: 'status' };

/** The SQL of the users table, one intent-named method per question. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The user with this id, including deleted (anonymised) ones; null when unknown. */
  findById(id: string, q: Queryable = this.db): Promise<User | null> {
    return firstRow<User>(q, statement('users_by_id', `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [id]));
  }

  /** Users by id, in no particular order; unknown ids are skipped. */
  findByIds(ids: string[]): Promise<User[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return rows<User>(this.db, statement('users_by_ids', `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = ANY($1::uuid[])`, [ids]));
  }

  /** A live account by username or email, compared case-insensitively (uses the lower() indexes). */
  findByLogin(login: string): Promise<User | null> {
    const column = login.includes('@') ? 'email' : 'username';
    return firstRow<User>(
      this.db,
      statement(`users_by_${column}`, `SELECT ${USER_COLUMNS} FROM users u WHERE lower(u.${column}) = lower($1) AND u.deleted_at IS NULL`, [login]),
    );
  }

  /**
   * One page of the directory: live users ordered by lower(username) then id, optionally only those
   * whose username or display name contains `q` anywhere, case-insensitively (`%`, `_` and `\` in
   * `q` match literally). Without `q` the page is a range scan of users_directory_idx; with `q` it is
   * planned for the text ({@link rowsPlannedForValues}): each condition served by its GIN trigram index
   * (a BitmapOr, see the SubstringSearch migration), or, for a text too short or too common for
   * that, the range scan filtered.
   * @param after the last user of the previous page (keyset position)
   */
  findDirectoryPage(q: string | undefined, limit: number, after?: { username: string; id: string }): Promise<User[]> {
    const p = new SqlParams();
    const pattern = q !== undefined ? p.bind(containsPattern(q)) : null;
    const where = and(
      'u.deleted_at IS NULL',
      pattern !== null && `(lower(u.username) LIKE lower(${pattern}) OR lower(u.display_name) LIKE lower(${pattern}))`,
      after && `(lower(u.username), u.id) > (lower(${p.bind(after.username)}), ${p.bind(after.id, 'uuid')})`,
    );
    const page = p.statement('users_directory_page', `SELECT ${USER_COLUMNS} FROM users u WHERE ${where} ORDER BY lower(u.username), u.id LIMIT ${p.bind(limit)}`);
    return pattern !== null ? rowsPlannedForValues<User>(this.db, page) : rows<User>(this.db, page);
  }

  /**
   * Inserts a new user unless the username or email is taken (case-insensitively). ON CONFLICT keeps
   * an expected refusal from becoming a failed statement (which would be logged with its parameters).
   * @returns the user, or null when taken (see {@link findTakenField}).
   */
  insertIfFree(fields: Pick<User, 'username' | 'email' | 'passwordHash' | 'displayName'>, tx: Queryable): Promise<User | null> {
    return firstRow<User>(
      tx,
      statement(
        'users_insert',
        `INSERT INTO users AS u (username, email, password_hash, display_name) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
        [fields.username, fields.email, fields.passwordHash, fields.displayName],
      ),
    );
  }

  /** Which of a username and an email another account already has (username first), if any. */
  async findTakenField(username: string | null, email: string | null, exceptId: string | null = null): Promise<'username' | 'email' | null> {
    const row = await firstRow<{ username_taken: boolean }>(
      this.db,
      statement(
        'users_taken_field',
        `SELECT lower(username) = lower($1) AS username_taken
         FROM users
         WHERE (lower(username) = lower($1) OR (email IS NOT NULL AND lower(email) = lower($2))) AND ($3::uuid IS NULL OR id <> $3::uuid)
         ORDER BY 1 DESC LIMIT 1`,
        [username, email, exceptId],
      ),
    );
    if (!row) return null;
    return row.username_taken ? 'username' : 'email';
  }

  /** Changes profile fields of a live user (only the fields given). @returns false when the user is gone. */
  async updateProfile(id: string, fields: ProfileFields): Promise<boolean> {
    const p = new SqlParams();
    const sets = (Object.keys(PROFILE_COLUMNS) as (keyof ProfileFields)[])
      .filter((field) => fields[field] !== undefined)
      .map((field) => `${PROFILE_COLUMNS[field]} = ${p.bind(fields[field])}`);
    if (sets.length === 0) return true;
    const changed = await execute(
      this.db,
      p.statement('users_update_profile', `UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = ${p.bind(id)} AND deleted_at IS NULL`),
    );
    return changed > 0;
  }

  /**
   * Renames a live user. @returns false when the user is gone or the name is taken (case-insensitively).
   * @throws the driver's unique violation on users_username_lower_uq when a concurrent rename took it.
   */
  updateUsername(id: string, username: string): Promise<boolean> {
    return this.updateUnique(id, 'username', username);
  }

  /**
   * Changes a live user's email. @returns false when the user is gone or the address is taken.
   * @throws the driver's unique violation on users_email_lower_uq when a concurrent change took it.
   */
  updateEmail(id: string, email: string): Promise<boolean> {
    return this.updateUnique(id, 'email', email);
  }

  /**
   * Sets a case-insensitively unique column of a live user unless another account holds the value.
   * Checked in the statement so the usual refusal is not a failed statement; the unique index still
   * decides races.
   */
  private async updateUnique(id: string, column: 'username' | 'email', value: string): Promise<boolean> {
    const changed = await execute(
      this.db,
      statement(
        `users_update_${column}`,
        `UPDATE users SET ${column} = $2, updated_at = now()
         WHERE id = $1 AND deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM users o WHERE lower(o.${column}) = lower($2) AND o.id <> $1)`,
        [id, value],
      ),
    );
    return changed > 0;
  }

  /** Stores a new password hash, only if the hash is still `expectedHash` (no concurrent change won). */
  async updatePasswordHash(id: string, expectedHash: string, newHash: string, tx: Queryable): Promise<boolean> {
    const changed = await execute(
      tx,
      statement(
        'users_update_password_hash',
        `UPDATE users SET password_hash = $3, updated_at = now() WHERE id = $1 AND deleted_at IS NULL AND password_hash = $2`,
        [id, expectedHash, newHash],
      ),
    );
    return changed > 0;
  }

  /**
   * Anonymises a live account in place (see anonymise.ts) and marks it deleted; its messages keep
   * pointing at the row. @returns false when it was already deleted.
   */
  async anonymise(id: string, tx: Queryable): Promise<boolean> {
    const f = anonymisedFields(id);
    const changed = await execute(
      tx,
      statement(
        'users_anonymise',
        `UPDATE users SET username = $2, email = $3, password_hash = $4, display_name = $5, avatar_url = $6, bio = $7, status = $8,
           deleted_at = now(), updated_at = now()
         WHERE id = $1 AND deleted_at IS NULL`,
        [id, f.username, f.email, f.passwordHash, f.displayName, f.avatarUrl, f.bio, f.status],
      ),
    );
    return changed > 0;
  }

  /** Stores when the user was last seen online (set on the way offline). */
  async touchLastSeen(id: string, at: Date): Promise<void> {
    await execute(this.db, statement('users_touch_last_seen', `UPDATE users SET last_seen_at = $2 WHERE id = $1`, [id, at]));
  }
}
