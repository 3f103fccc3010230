import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { returnedRows } from '../common/errors/postgres';
import { SessionEntity } from './session.entity';

/** A session row as the sessions list shows it, with a full-precision keyset value. */
export interface SessionRow {
  id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  /** last_used_at as PostgreSQL text (microseconds kept), for the cursor. */
  last_used_key: string;
}

/** A session found through one of its already-used refresh tokens. */
export interface ReusedSession {
  id: string;
  userId: string;
  revoked: boolean;
}

/** How long revoked or expired sessions are kept before the purge deletes them (and their used hashes). */
export const STALE_SESSION_RETENTION = '1 day';

/** SQL of the sessions and used_refresh_tokens tables. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectRepository(SessionEntity) private readonly repo: Repository<SessionEntity>) {}

  /** Creates a session for a new login (in the caller's transaction when given). */
  create(
    fields: Pick<SessionEntity, 'userId' | 'refreshTokenHash' | 'userAgent' | 'ip' | 'expiresAt'>,
    manager?: EntityManager,
  ): Promise<SessionEntity> {
    const repo = manager ? manager.getRepository(SessionEntity) : this.repo;
    return repo.save(repo.create({ ...fields, lastUsedAt: new Date() }));
  }

  /**
   * Atomically swaps the refresh token of a live session and records the old hash as used, in one
   * statement: of two concurrent refreshes with the same token only one can win (the other then
   * finds the token used, which is a reuse).
   * @returns the session, or null when the token is not the current token of a live session.
   */
  async rotate(oldHash: string, newHash: string, expiresAt: Date, ip: string | null): Promise<{ id: string; userId: string } | null> {
    const rows = (await this.repo.query(
      `WITH rotated AS (
         UPDATE sessions SET refresh_token_hash = $2, last_used_at = now(), expires_at = $3, ip = COALESCE($4, ip)
         WHERE refresh_token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
         RETURNING id, user_id
       ), used AS (
         INSERT INTO used_refresh_tokens (token_hash, session_id) SELECT $1, id FROM rotated
       )
       SELECT id, user_id FROM rotated`,
      [oldHash, newHash, expiresAt, ip],
    )) as { id: string; user_id: string }[];
    return rows[0] ? { id: rows[0].id, userId: rows[0].user_id } : null;
  }

  /** The id of the live session whose current refresh token has this hash, if any (read only, before rotating). */
  async findLiveIdByRefreshHash(hash: string): Promise<string | null> {
    const rows = (await this.repo.query(`SELECT id FROM sessions WHERE refresh_token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`, [hash])) as {
      id: string;
    }[];
    return rows[0]?.id ?? null;
  }

  /** The session that already rotated this refresh token away, if any: presenting it again is a reuse. */
  async findByUsedHash(hash: string): Promise<ReusedSession | null> {
    const rows = (await this.repo.query(
      `SELECT s.id, s.user_id, s.revoked_at IS NOT NULL AS revoked
       FROM used_refresh_tokens u JOIN sessions s ON s.id = u.session_id
       WHERE u.token_hash = $1`,
      [hash],
    )) as { id: string; user_id: string; revoked: boolean }[];
    return rows[0] ? { id: rows[0].id, userId: rows[0].user_id, revoked: rows[0].revoked } : null;
  }

  /**
   * One page of a user's live sessions (not revoked, not expired), most recently used first; uses
   * sessions_user_last_used_idx. `after` is the last row of the previous page.
   */
  async findLivePage(userId: string, limit: number, after?: { lastUsedKey: string; id: string }): Promise<SessionRow[]> {
    return (await this.repo.query(
      `SELECT id, user_agent, ip, created_at, last_used_at, expires_at, last_used_at::text AS last_used_key
       FROM sessions
       WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
         AND ($2::timestamptz IS NULL OR (last_used_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY last_used_at DESC, id DESC
       LIMIT $4`,
      [userId, after?.lastUsedKey ?? null, after?.id ?? null, limit],
    )) as SessionRow[];
  }

  /** Marks one live session of this user revoked. @returns false when there is no such live session. */
  async revokeOfUser(id: string, userId: string): Promise<boolean> {
    const rows = returnedRows<{ id: string }>(
      await this.repo.query(
        `UPDATE sessions SET revoked_at = now()
         WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now()
         RETURNING id`,
        [id, userId],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Marks every live session of a user revoked, except `keepId` when given (in the caller's
   * transaction when given). @returns the ids revoked.
   */
  async revokeAllOfUser(userId: string, keepId: string | null, manager?: EntityManager): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await (manager ?? this.repo.manager).query(
        `UPDATE sessions SET revoked_at = now()
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND ($2::uuid IS NULL OR id <> $2::uuid)
         RETURNING id`,
        [userId, keepId],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Deletes sessions expired or revoked more than STALE_SESSION_RETENTION ago (their used hashes cascade). */
  async purgeStale(): Promise<number> {
    const rows = returnedRows<{ id: string }>(
      await this.repo.query(
        `DELETE FROM sessions
         WHERE expires_at < now() - interval '${STALE_SESSION_RETENTION}' OR revoked_at < now() - interval '${STALE_SESSION_RETENTION}'
         RETURNING id`,
      ),
    );
    return rows.length;
  }
}
