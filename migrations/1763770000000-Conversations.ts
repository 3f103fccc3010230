import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations complete: reactions, uploads and message attachments, full-text search over message
 * content, and the partial index that makes unread counts and "last message" cheap.
 */
export class Conversations1763770000000 implements MigrationInterface {
  name = 'Conversations1763770000000';

  /** Adds the tables, the generated search column and the indexes. */
  public async up(q: QueryRunner): Promise<void> {
    // Full-text search. The 'simple' configuration (no stemming, no stop words) because a chat carries
    // every language; a generated column keeps the GIN index and the queries on one expression.
    await q.query(`
      ALTER TABLE messages ADD COLUMN search_tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(content, ''))) STORED`);
    await q.query(`CREATE INDEX messages_search_tsv_idx ON messages USING gin (search_tsv)`);
    // Unread counts (seq above the read pointer, not deleted, not mine) and the last live message of a
    // room: an index-only range scan per room instead of visiting every message row.
    await q.query(`CREATE INDEX messages_room_live_seq_idx ON messages (room_id, seq) INCLUDE (sender_id) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE message_reactions (
        message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        emoji varchar(32) NOT NULL,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (message_id, emoji, user_id)
      )`);

    await q.query(`
      CREATE TABLE uploads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        uploader_id uuid REFERENCES users(id) ON DELETE SET NULL,
        storage_key varchar(200) NOT NULL,
        mime varchar(100) NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        name varchar(255) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX uploads_uploader_idx ON uploads (uploader_id)`);

    await q.query(`
      CREATE TABLE message_attachments (
        message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        upload_id uuid NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        position smallint NOT NULL,
        PRIMARY KEY (message_id, upload_id)
      )`);
    // "Which rooms was this upload posted in?" when serving it.
    await q.query(`CREATE INDEX message_attachments_upload_idx ON message_attachments (upload_id)`);
  }

  /** Drops everything {@link up} created. */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_attachments`);
    await q.query(`DROP TABLE uploads`);
    await q.query(`DROP TABLE message_reactions`);
    await q.query(`DROP INDEX messages_room_live_seq_idx`);
    await q.query(`DROP INDEX messages_search_tsv_idx`);
    await q.query(`ALTER TABLE messages DROP COLUMN search_tsv`);
  }
}
