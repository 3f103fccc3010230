import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unread counts (`rooms/me`, `GET /dm`, `mark_read`) count a room's live messages after the read
 * pointer and skip the reader's own. This partial index carries `sender_id`, so the count is an
 * index-only scan instead of one heap visit per unread message.
 */
export class UnreadCountIndex1763780000000 implements MigrationInterface {
  name = 'UnreadCountIndex1763780000000';

  /** Adds the covering partial index. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX messages_room_live_seq_idx ON messages (room_id, seq) INCLUDE (sender_id) WHERE deleted_at IS NULL`);
  }

  /** Drops it. */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messages_room_live_seq_idx`);
  }
}
