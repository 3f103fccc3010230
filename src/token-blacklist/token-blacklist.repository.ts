import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { execute, Queryable, rows, statement } from '../database/sql';

/** One row to store: what is revoked, whose it is, and until when it matters. */
export interface RevocationRow {
  kind: 'jti' | 'sid';
  id: string;
  userId: string | null;
  expiresAt: Date;
}

/** PostgreSQL notification channel announcing that a user's sessions were revoked elsewhere. */
export const REVOCATION_NOTIFY_CHANNEL = 'chat_revocations';

/**
 * Announces, in the caller's transaction, that the revocations of `userId` changed: PostgreSQL
 * delivers the notification on COMMIT to every server instance listening (see PgRevocationListener;
 * a rollback sends nothing). Used by whatever revokes outside a server's own request path: the admin
 * CLI, the admin API.
 */
export async function notifyRevocations(tx: Queryable, userId: string): Promise<void> {
  await execute(tx, statement('revocations_notify', 'SELECT pg_notify($1, $2)', [REVOCATION_NOTIFY_CHANNEL, JSON.stringify({ user_id: userId })]));
}

/**
 * SQL of the revocation table: the source of truth behind the in-memory blacklist. A row is a revoked
 * access token (`kind = 'jti'`) or a revoked session (`kind = 'sid'`), kept until the last access
 * token it could affect has expired (`expires_at`), then purged.
 */
@Injectable()
export class TokenBlacklistRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores revocations in one statement; revoking the same id twice keeps the later expiry.
   * @param tx the caller's transaction, so a revocation commits with the change that caused it
   */
  async insertMany(revocations: RevocationRow[], tx: Queryable = this.db): Promise<void> {
    if (revocations.length === 0) return;
    await execute(
      tx,
      statement(
        'revocations_insert',
        `INSERT INTO revoked_tokens (id, kind, user_id, expires_at)
         SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::timestamptz[])
         ON CONFLICT (id) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, EXCLUDED.expires_at)`,
        [revocations.map((r) => r.id), revocations.map((r) => r.kind), revocations.map((r) => r.userId), revocations.map((r) => r.expiresAt.toISOString())],
      ),
    );
  }

  /**
   * Every revocation that can still affect a live token (loaded at start, replayed after a lost
   * connection), or only those of one user.
   */
  findActive(userId: string | null = null): Promise<RevocationRow[]> {
    return rows<RevocationRow>(
      this.db,
      statement(
        'revocations_active',
        `SELECT id, kind, user_id AS "userId", expires_at AS "expiresAt" FROM revoked_tokens
         WHERE expires_at > now() AND ($1::uuid IS NULL OR user_id = $1::uuid)`,
        [userId],
      ),
    );
  }

  /** Deletes revocations whose tokens have all expired (uses revoked_tokens_expires_at_idx). @returns rows removed. */
  purgeExpired(): Promise<number> {
    return execute(this.db, statement('revocations_purge_expired', `DELETE FROM revoked_tokens WHERE expires_at <= now()`, []));
  }

}
