import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * User blocks. One row per (blocker, blocked) pair: the primary key answers "did the viewer block
 * this sender" (message reads, the blocker's live block set) with one probe, and the reverse index
 * answers "who blocked this user" (a DM between two users is refused when either side blocked the
 * other). Rows go with either account (ON DELETE CASCADE).
 */
export class UserBlocks1764810000000 implements MigrationInterface {
  name = 'UserBlocks1764810000000';

  /** Creates the table and its reverse-lookup index. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE user_blocks (
        blocker_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        blocked_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (blocker_id, blocked_id),
        CONSTRAINT user_blocks_not_self_ck CHECK (blocker_id <> blocked_id)
      )`);
    await q.query(`CREATE INDEX user_blocks_blocked_idx ON user_blocks (blocked_id, blocker_id)`);
  }

  /** Drops the table (and its index). */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE user_blocks`);
  }
}
