import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * System lines: joins, leaves, kicks and renames stored as messages of type `system` whose
 * machine-readable payload is `messages.system` (`{event, user_id, actor_id?, name?}`, see
 * SystemLines). A CHECK keeps the payload present exactly on system lines, so no reader has to
 * guess. System lines are not "live" messages for the unread counters (rooms.live_count never counts
 * them), so nothing else changes.
 */
export class SystemLines1764860000000 implements MigrationInterface {
  name = 'SystemLines1764860000000';

  /**
   * Adds the column and the CHECK. The CHECK is added NOT VALID and validated separately, so the scan
   * of existing rows does not hold the lock that blocks sends (no earlier code wrote system lines).
   */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN system jsonb`);
    await q.query(
      `ALTER TABLE messages ADD CONSTRAINT messages_system_payload_ck CHECK ((type = 'system') = (system IS NOT NULL)) NOT VALID`,
    );
    await q.query(`ALTER TABLE messages VALIDATE CONSTRAINT messages_system_payload_ck`);
  }

  /**
   * Drops the CHECK and the column. System lines are deleted first: without their payload they would
   * be empty messages, and the code before this migration counts every non-deleted message in a
   * member's read count, which would no longer match rooms.live_count.
   */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM messages WHERE type = 'system'`);
    await q.query(`ALTER TABLE messages DROP CONSTRAINT messages_system_payload_ck`);
    await q.query(`ALTER TABLE messages DROP COLUMN system`);
  }
}
