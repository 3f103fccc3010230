import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { and, execute, firstRow, keyset, KeysetColumn, Queryable, rows, SqlParams, statement } from '../database/sql';

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

/**
 * A new login on one device. Access tokens carry the session's id as `sid`; the refresh token is
 * stored only as a SHA-256 hash and rotates on every refresh (the hashes it rotated away live in
 * used_refresh_tokens, so any reuse is recognised).
 */
export interface NewSession {
  userId: string;
  refreshTokenHash: string;
  userAgent: string | null;
  ip: string | null;
  expiresAt: Date;
}

/** A session found through one of its already-used refresh tokens. */
export interface ReusedSession {
  id: string;
  userId: string;
  revoked: boolean;
}

/** How long revoked or expired sessions are kept before the purge deletes them (and their used hashes). */
export const STALE_SESSION_RETENTION = '1 day';

/** The order of a user's session list (sessions_user_last_used_idx), newest use first. */
const SESSION_ORDER: readonly KeysetColumn[] = [
  { expr: 'last_used_at', part: 'timestamp' },
  { expr: 'id', part: 'uuid' },
];

/** SQL of the sessions and used_refresh_tokens tables. */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Creates a session for a new login (in the caller's transaction when given). @returns its id. */
  async create(fields: NewSession, tx: Queryable = this.db): Promise<{ id: string }> {
    const row = await firstRow<{ id: string }>(
      tx,
      statement(
        'sessions_create',
        `INSERT INTO sessions (user_id, refresh_token_hash, user_agent, ip, expires_at, last_used_at) VALUES ($1, $2, $3, $4, $5, now()) RETURNING id`,
        [fields.userId, fields.refreshTokenHash, fields.userAgent, fields.ip, fields.expiresAt],
      ),
    );
    return row!;
  }

  /**
   * Atomically swaps the refresh token of a live session and records the old hash as used, in one
   * statement: of two concurrent refreshes with the same token only one can win (the other then
   * finds the token used, which is a reuse).
   * @returns the session, or null when the token is not the current token of a live session.
   */
  async rotate(oldHash: string, newHash: string, expiresAt: Date, ip: string | null): Promise<{ id: string; userId: string } | null> {
    const row = await firstRow<{ id: string; user_id: string }>(
      this.db,
      statement(
        'sessions_rotate',
        `WITH rotated AS (
           UPDATE sessions SET refresh_token_hash = $2, last_used_at = now(), expires_at = $3, ip = COALESCE($4, ip)
           WHERE refresh_token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
           RETURNING id, user_id
         ), used AS (
           INSERT INTO used_refresh_tokens (token_hash, session_id) SELECT $1, id FROM rotated
         )
         SELECT id, user_id FROM rotated`,
        [oldHash, newHash, expiresAt, ip],
      ),
    );
    return row ? { id: row.id, userId: row.user_id } : null;
  }

  /** The id of the live session whose current refresh token has this hash, if any (read only, before rotating). */
  async findLiveIdByRefreshHash(hash: string): Promise<string | null> {
    const row = await firstRow<{ id: string }>(
      this.db,
      statement('sessions_live_by_refresh_hash', `SELECT id FROM sessions WHERE refresh_token_hash = $1 AND revoked_at IS NULL AND expires_at > now()`, [hash]),
    );
    return row?.id ?? null;
  }

  /** The session that already rotated this refresh token away, if any: presenting it again is a reuse. */
  async findByUsedHash(hash: string): Promise<ReusedSession | null> {
    const row = await firstRow<{ id: string; user_id: string; revoked: boolean }>(
      this.db,
      statement(
        'sessions_by_used_hash',
        `SELECT s.id, s.user_id, s.revoked_at IS NOT NULL AS revoked
         FROM used_refresh_tokens u JOIN sessions s ON s.id = u.session_id
         WHERE u.token_hash = $1`,
        [hash],
      ),
    );
    return row ? { id: row.id, userId: row.user_id, revoked: row.revoked } : null;
  }

  /**
   * One page of a user's live sessions (not revoked, not expired), most recently used first; uses
   * sessions_user_last_used_idx. `after` is the last row of the previous page.
   */
  findLivePage(userId: string, limit: number, after?: { lastUsedKey: string; id: string }): Promise<SessionRow[]> {
    const p = new SqlParams();
    const where = and(
      `user_id = ${p.bind(userId, 'uuid')} AND revoked_at IS NULL AND expires_at > now()`,
      keyset(p, SESSION_ORDER, after ? [after.lastUsedKey, after.id] : null, 'desc'),
    );
    return rows<SessionRow>(
      this.db,
      p.statement(
        'sessions_live_page',
        `SELECT id, user_agent, ip, created_at, last_used_at, expires_at, last_used_at::text AS last_used_key
         FROM sessions
         WHERE ${where}
         ORDER BY last_used_at DESC, id DESC
         LIMIT ${p.bind(limit)}`,
      ),
    );
  }

  /** Marks one live session of this user revoked. @returns false when there is no such live session. */
  async revokeOfUser(id: string, userId: string): Promise<boolean> {
    const revoked = await execute(
      this.db,
      statement(
        'sessions_revoke_of_user',
        `UPDATE sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now()`,
        [id, userId],
      ),
    );
    return revoked > 0;
  }

  /**
   * Marks every live session of a user revoked, except `keepId` when given (in the caller's
   * transaction when given). @returns the ids revoked.
   */
  async revokeAllOfUser(userId: string, keepId: string | null, tx: Queryable = this.db): Promise<string[]> {
    const revoked = await rows<{ id: string }>(
      tx,
      statement(
        'sessions_revoke_all_of_user',
        `UPDATE sessions SET revoked_at = now()
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND ($2::uuid IS NULL OR id <> $2::uuid)
         RETURNING id`,
        [userId, keepId],
      ),
    );
    return revoked.map((r) => r.id);
  }

  /**
   * Deletes the used refresh-token hashes of sessions that expired or were revoked (reuse detection
   * is moot there). @returns rows removed.
   */
  purgeUsedTokensOfEndedSessions(): Promise<number> {
    return execute(
      this.db,
      statement(
        'sessions_purge_used_tokens',
        `DELETE FROM used_refresh_tokens u USING sessions s
         WHERE s.id = u.session_id AND (s.expires_at <= now() OR s.revoked_at IS NOT NULL)`,
        [],
      ),
    );
  }

  /** Deletes sessions expired or revoked more than STALE_SESSION_RETENTION ago (their used hashes cascade). */
  purgeStale(): Promise<number> {
    return execute(
      this.db,
      statement(
        'sessions_purge_stale',
        `DELETE FROM sessions
         WHERE expires_at < now() - interval '${STALE_SESSION_RETENTION}' OR revoked_at < now() - interval '${STALE_SESSION_RETENTION}'`,
        [],
      ),
    );
  }
}
