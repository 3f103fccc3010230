import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { returnedRows } from '../common/errors/postgres';

/** Who can query: the data source, or the manager of a running transaction. */
type Queryable = DataSource | EntityManager;

/**
 * The `password_resets` table: one-time password reset tokens, keyed by the SHA-256 hex of the token
 * (the token itself is never stored).
 */
@Injectable()
export class PasswordResetsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores a new token for a user, retiring the user's unused ones first (only the newest link works).
   * @param ttlSeconds lifetime from now, in seconds
   * @returns when it expires (database clock)
   */
  async replaceForUser(manager: EntityManager, userId: string, tokenHash: string, createdBy: string, ttlSeconds: number): Promise<Date> {
    await manager.query(`DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL`, [userId]);
    const rows = (await manager.query(
      `INSERT INTO password_resets (token_hash, user_id, created_by, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4::int)) RETURNING expires_at`,
      [tokenHash, userId, createdBy, ttlSeconds],
    )) as { expires_at: Date }[];
    return rows[0]!.expires_at;
  }

  /** The user a live (unused, unexpired) token belongs to; null otherwise. */
  async findLiveUserId(tokenHash: string, q: Queryable = this.dataSource): Promise<string | null> {
    const rows = (await q.query(`SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`, [
      tokenHash,
    ])) as { user_id: string }[];
    return rows[0]?.user_id ?? null;
  }

  /**
   * Marks a live token used, atomically: of two concurrent redemptions only one gets true.
   * @returns false when the token is unknown, used, expired or not the user's
   */
  async consume(manager: EntityManager, tokenHash: string, userId: string): Promise<boolean> {
    const result = await manager.query(
      `UPDATE password_resets SET used_at = now() WHERE token_hash = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > now() RETURNING token_hash`,
      [tokenHash, userId],
    );
    return returnedRows(result).length === 1;
  }
}
