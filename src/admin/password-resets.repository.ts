import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { execute, firstRow, Queryable, statement } from '../database/sql';

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
    await execute(manager, statement('password_resets_retire', `DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL`, [userId]));
    const row = await firstRow<{ expires_at: Date }>(
      manager,
      statement(
        'password_resets_insert',
        `INSERT INTO password_resets (token_hash, user_id, created_by, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4::int)) RETURNING expires_at`,
        [tokenHash, userId, createdBy, ttlSeconds],
      ),
    );
    return row!.expires_at;
  }

  /** The user a live (unused, unexpired) token belongs to; null otherwise. */
  async findLiveUserId(tokenHash: string, q: Queryable = this.dataSource): Promise<string | null> {
    const row = await firstRow<{ user_id: string }>(
      q,
      statement('password_resets_live', `SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`, [tokenHash]),
    );
    return row?.user_id ?? null;
  }

  /**
   * Marks a live token used, atomically: of two concurrent redemptions only one gets true.
   * @returns false when the token is unknown, used, expired or not the user's
   */
  async consume(manager: EntityManager, tokenHash: string, userId: string): Promise<boolean> {
    const used = await execute(
      manager,
      statement(
        'password_resets_consume',
        `UPDATE password_resets SET used_at = now() WHERE token_hash = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > now()`,
        [tokenHash, userId],
      ),
    );
    return used === 1;
  }
}
