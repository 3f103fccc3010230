import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { containsPattern } from '../database/like-pattern';
import { UserUpdatesService } from '../realtime/user-updates.service';
import { anonymisedFields } from './anonymise';
import { UserEntity } from './user.entity';

/** Profile fields a user may change on themselves. */
export type ProfileFields = Partial<Pick<UserEntity, 'displayName' | 'bio' | 'avatarUrl' | 'status'>>;

/** The SQL of the users table, one intent-named method per question. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>,
    private readonly updates: UserUpdatesService,
  ) {}

  /** The user with this id, including deleted (anonymised) ones; null when unknown. */
  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** Users by id, in no particular order; unknown ids are skipped. */
  findByIds(ids: string[]): Promise<UserEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.repo.createQueryBuilder('u').where('u.id = ANY(:ids)', { ids }).getMany();
  }

  /** A live account by username or email, compared case-insensitively (uses the lower() indexes). */
  findByLogin(login: string): Promise<UserEntity | null> {
    const column = login.includes('@') ? 'email' : 'username';
    return this.repo
      .createQueryBuilder('u')
      .where(`lower(u.${column}) = lower(:login)`, { login })
      .andWhere('u.deleted_at IS NULL')
      .getOne();
  }

  /**
   * One page of the directory: live users ordered by lower(username) then id, optionally only those
   * whose username or display name contains `q` anywhere, case-insensitively (`%`, `_` and `\` in
   * `q` match literally). Without `q` the page is a range scan of users_directory_idx; with `q` each
   * condition is served by its GIN trigram index (a BitmapOr), see the SubstringSearch migration.
   * @param after the last user of the previous page (keyset position)
   */
  findDirectoryPage(q: string | undefined, limit: number, after?: { username: string; id: string }): Promise<UserEntity[]> {
    const qb = this.repo.createQueryBuilder('u').where('u.deleted_at IS NULL');
    if (q) qb.andWhere('(lower(u.username) LIKE lower(:pattern) OR lower(u.display_name) LIKE lower(:pattern))', { pattern: containsPattern(q) });
    if (after) qb.andWhere('(lower(u.username), u.id) > (lower(:afterUsername), :afterId::uuid)', { afterUsername: after.username, afterId: after.id });
    return qb.orderBy('lower(u.username)', 'ASC').addOrderBy('u.id', 'ASC').limit(limit).getMany();
  }

  /**
   * Inserts a new user unless the username or email is taken (case-insensitively). ON CONFLICT keeps
   * an expected refusal from becoming a failed statement (which would be logged with its parameters).
   * @returns the user, or null when taken (see {@link findTakenField}).
   */
  async insertIfFree(fields: Pick<UserEntity, 'username' | 'email' | 'passwordHash' | 'displayName'>, manager: EntityManager): Promise<UserEntity | null> {
    const rows = (await manager.query(
      `INSERT INTO users (username, email, password_hash, display_name) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING id`,
      [fields.username, fields.email, fields.passwordHash, fields.displayName],
    )) as { id: string }[];
    return rows[0] ? manager.getRepository(UserEntity).findOneByOrFail({ id: rows[0].id }) : null;
  }

  /** Which of a username and an email another account already has (username first), if any. */
  async findTakenField(username: string | null, email: string | null, exceptId: string | null = null): Promise<'username' | 'email' | null> {
    const rows = (await this.repo.query(
      `SELECT lower(username) = lower($1) AS username_taken
       FROM users
       WHERE (lower(username) = lower($1) OR (email IS NOT NULL AND lower(email) = lower($2))) AND ($3::uuid IS NULL OR id <> $3::uuid)
       ORDER BY 1 DESC LIMIT 1`,
      [username, email, exceptId],
    )) as { username_taken: boolean }[];
    if (!rows[0]) return null;
    return rows[0].username_taken ? 'username' : 'email';
  }

  /** Changes profile fields of a live user. @returns false when the user is gone. */
  async updateProfile(id: string, fields: ProfileFields): Promise<boolean> {
    if (Object.keys(fields).length === 0) return true;
    const result = await this.repo
      .createQueryBuilder()
      .update(UserEntity)
      .set(fields)
      .where('id = :id AND deleted_at IS NULL', { id })
      .execute();
    const changed = (result.affected ?? 0) > 0;
    if (changed) await this.updates.userUpdated(id); // user_updated to everyone who shares a room
    return changed;
  }

  /**
   * Renames a live user. @returns false when the user is gone or the name is taken (case-insensitively).
   * @throws the driver's unique violation on users_username_lower_uq when a concurrent rename took it.
   */
  async updateUsername(id: string, username: string): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(UserEntity)
      .set({ username })
      .where('id = :id AND deleted_at IS NULL', { id })
      // Checked here so the usual refusal is not a failed statement; the unique index still decides races.
      .andWhere('NOT EXISTS (SELECT 1 FROM users o WHERE lower(o.username) = lower(:username) AND o.id <> :id)', { username })
      .execute();
    const changed = (result.affected ?? 0) > 0;
    if (changed) await this.updates.userUpdated(id); // user_updated to everyone who shares a room
    return changed;
  }

  /**
   * Changes a live user's email. @returns false when the user is gone or the address is taken.
   * @throws the driver's unique violation on users_email_lower_uq when a concurrent change took it.
   */
  async updateEmail(id: string, email: string): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(UserEntity)
      .set({ email })
      .where('id = :id AND deleted_at IS NULL', { id })
      .andWhere('NOT EXISTS (SELECT 1 FROM users o WHERE lower(o.email) = lower(:email) AND o.id <> :id)', { email })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Stores a new password hash, only if the hash is still `expectedHash` (no concurrent change won). */
  async updatePasswordHash(id: string, expectedHash: string, newHash: string, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({ passwordHash: newHash })
      .where('id = :id AND deleted_at IS NULL AND password_hash = :expectedHash', { id, expectedHash })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Anonymises a live account in place (see anonymise.ts) and marks it deleted; its messages keep
   * pointing at the row. @returns false when it was already deleted.
   */
  async anonymise(id: string, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({ ...anonymisedFields(id), deletedAt: () => 'now()' })
      .where('id = :id AND deleted_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Stores when the user was last seen online (set on the way offline). */
  async touchLastSeen(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastSeenAt: at });
  }
}
