import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web Push subscriptions (`POST /push/subscriptions`). An endpoint is unique over all users: a
 * browser has one subscription per site, so when another person signs in on the same browser and
 * subscribes, the row moves to them instead of pushing the first person's messages to the second.
 * Each belongs to the session that registered it: a revoked session (logout, logout everywhere,
 * password change, account deletion) gets no pushes, and the row goes when the session row does.
 */
export class PushSubscriptions1763784600000 implements MigrationInterface {
  name = 'PushSubscriptions1763784600000';

  /** Creates the table, the endpoint uniqueness and the per-user index (push fan-out, cap, delete). */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE push_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        endpoint varchar(2048) NOT NULL,
        p256dh varchar(100) NOT NULL,
        auth varchar(32) NOT NULL,
        previews boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX push_subscriptions_endpoint_uq ON push_subscriptions (endpoint)`);
    await q.query(`CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id, updated_at DESC)`);
    // Deleting a session (stale-session cleanup) finds its subscriptions by this index.
    await q.query(`CREATE INDEX push_subscriptions_session_idx ON push_subscriptions (session_id)`);
  }

  /** Drops the table (browsers keep their subscriptions but receive nothing). */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE push_subscriptions`);
  }
}
