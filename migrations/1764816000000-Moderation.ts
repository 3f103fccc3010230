import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moderation: one-time password reset tokens issued by administrators (stored as SHA-256 hashes,
 * never in clear), reports of messages by members with their resolution, and who deleted a message
 * (`messages.deleted_by`: the sender, a room owner/admin, or a server admin).
 */
export class Moderation1764816000000 implements MigrationInterface {
  name = 'Moderation1764816000000';

  /** Adds the tables and the column. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE password_resets (
        token_hash char(64) PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_by varchar(100) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    // Issuing a new token retires the user's unused ones: one range scan on this index.
    await q.query(`CREATE INDEX password_resets_user_idx ON password_resets (user_id) WHERE used_at IS NULL`);

    await q.query(`
      CREATE TABLE reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        reporter_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        reason varchar(500) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        resolution varchar(32) CHECK (resolution IN ('dismiss', 'delete_message', 'disable_sender')),
        resolved_by uuid REFERENCES users(id) ON DELETE SET NULL,
        resolved_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'open') = (resolution IS NULL))
      )`);
    // One report per member and message (a second one is 409 ALREADY_REPORTED).
    await q.query(`CREATE UNIQUE INDEX reports_message_reporter_uq ON reports (message_id, reporter_id)`);
    // The admin queue: one status, newest first, keyset-paginated.
    await q.query(`CREATE INDEX reports_status_created_idx ON reports (status, created_at DESC, id DESC)`);

    await q.query(`ALTER TABLE messages ADD COLUMN deleted_by uuid REFERENCES users(id) ON DELETE SET NULL`);
    // Tombstones made before this migration keep deleted_by NULL: who deleted them was not recorded,
    // and naming the sender could wrongly blame them for a moderator's delete.
  }

  /** Drops them again (reports, reset tokens and who deleted what are lost). */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN deleted_by`);
    await q.query(`DROP TABLE reports`);
    await q.query(`DROP TABLE password_resets`);
  }
}
