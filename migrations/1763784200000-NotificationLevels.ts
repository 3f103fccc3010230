import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-member notification level of a room (`PATCH /rooms/:id/notifications`). NULL means "the default
 * for the room's type" (DMs `all`, rooms `mentions`, see src/rooms/notification-level.ts), so existing
 * memberships need no backfill and the default stays in one place.
 */
export class NotificationLevels1763784200000 implements MigrationInterface {
  name = 'NotificationLevels1763784200000';

  /** Adds the nullable, checked column. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE room_members ADD COLUMN notification_level varchar(8)
        CHECK (notification_level IN ('all', 'mentions', 'none'))`);
  }

  /** Drops the column (every member falls back to the default). */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE room_members DROP COLUMN notification_level`);
  }
}
