import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts and sessions done properly: every refresh token a session has ever rotated away is kept
 * (as a hash) until the session is purged, so presenting ANY used token, not only the last one, is
 * detected as a reuse. Replaces `sessions.previous_refresh_token_hash`. Also indexes the sessions
 * list (a user's live sessions, most recently used first).
 */
export class Accounts1763760000000 implements MigrationInterface {
  name = 'Accounts1763760000000';

  /** Creates used_refresh_tokens, moves the previous hashes into it and drops the old column. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE used_refresh_tokens (
        token_hash varchar(64) PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        used_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX used_refresh_tokens_session_idx ON used_refresh_tokens (session_id)`);
    await q.query(`
      INSERT INTO used_refresh_tokens (token_hash, session_id, used_at)
      SELECT previous_refresh_token_hash, id, last_used_at FROM sessions WHERE previous_refresh_token_hash IS NOT NULL
      ON CONFLICT DO NOTHING`);
    await q.query(`DROP INDEX sessions_previous_refresh_token_hash_idx`);
    await q.query(`ALTER TABLE sessions DROP COLUMN previous_refresh_token_hash`);
    // GET /auth/sessions: live sessions of one user, most recently used first (keyset on last_used_at, id).
    await q.query(`CREATE INDEX sessions_user_last_used_idx ON sessions (user_id, last_used_at DESC, id DESC) WHERE revoked_at IS NULL`);
  }

  /** Restores the single previous-hash column (keeping each session's latest used hash). */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sessions_user_last_used_idx`);
    await q.query(`ALTER TABLE sessions ADD COLUMN previous_refresh_token_hash varchar(64)`);
    await q.query(`
      UPDATE sessions s SET previous_refresh_token_hash = u.token_hash
      FROM (SELECT DISTINCT ON (session_id) session_id, token_hash FROM used_refresh_tokens ORDER BY session_id, used_at DESC) u
      WHERE u.session_id = s.id`);
    await q.query(`CREATE INDEX sessions_previous_refresh_token_hash_idx ON sessions (previous_refresh_token_hash) WHERE previous_refresh_token_hash IS NOT NULL`);
    await q.query(`DROP TABLE used_refresh_tokens`);
  }
}
