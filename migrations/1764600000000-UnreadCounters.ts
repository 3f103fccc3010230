import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unread counts without counting the backlog. A member's unread count — other people's live
 * messages after the read pointer — becomes `rooms.live_count - room_members.read_live -
 * room_members.own_unread`: the room's live messages, minus the live ones at or before the member's
 * pointer, minus the member's own live ones after it. A send touches only the room row (already
 * updated for its seq) and the sender's membership; a read, a delete and a join adjust the rest.
 */
export class UnreadCounters1764600000000 implements MigrationInterface {
  name = 'UnreadCounters1764600000000';

  /** Adds the three counters and fills them with today's exact values. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rooms ADD COLUMN live_count bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE room_members ADD COLUMN read_live bigint NOT NULL DEFAULT 0, ADD COLUMN own_unread bigint NOT NULL DEFAULT 0`);
    await q.query(`UPDATE rooms r SET live_count = (SELECT count(*) FROM messages u WHERE u.room_id = r.id AND u.deleted_at IS NULL)`);
    await q.query(`
      UPDATE room_members m SET
        read_live = (SELECT count(*) FROM messages u WHERE u.room_id = m.room_id AND u.seq <= m.last_read_seq AND u.deleted_at IS NULL),
        own_unread = (SELECT count(*) FROM messages u
                      WHERE u.room_id = m.room_id AND u.seq > m.last_read_seq AND u.deleted_at IS NULL AND u.sender_id = m.user_id)`);
  }

  /** Drops the counters; unread counts are then computed from messages again. */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE room_members DROP COLUMN read_live, DROP COLUMN own_unread`);
    await q.query(`ALTER TABLE rooms DROP COLUMN live_count`);
  }
}
