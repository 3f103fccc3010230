import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mentions. `messages.mentions` holds the resolved user ids in the order they first appear in the
 * content (what every Message view shows, with no join). `message_mentions` holds one row per
 * mention that counts for someone — a live message, a mentioned user other than its sender — keyed
 * (room_id, user_id, seq), so a member's `mention_count` (mentions after the read pointer) is one
 * index range whose length is the number of unread mentions, never the unread backlog. A read needs
 * no bookkeeping: moving the pointer shortens that range.
 */
export class Mentions1764700000000 implements MigrationInterface {
  name = 'Mentions1764700000000';

  /** Adds the column and the table (empty: no message mentioned anyone before this migration). */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN mentions uuid[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE TABLE message_mentions (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        PRIMARY KEY (room_id, user_id, seq)
      )`);
  }

  /** Drops the table and the column. */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_mentions`);
    await q.query(`ALTER TABLE messages DROP COLUMN mentions`);
  }
}
