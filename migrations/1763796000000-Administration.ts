import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server administration: admins and disabled accounts on `users`, invite codes, server settings
 * (the registration mode set at run time) and the audit log of administrative actions.
 */
export class Administration1763796000000 implements MigrationInterface {
  name = 'Administration1763796000000';

  /** Adds the columns and tables. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE users ADD COLUMN disabled_at timestamptz`);
    // Admin lists of disabled accounts stay cheap however many users there are.
    await q.query(`CREATE INDEX users_disabled_idx ON users (disabled_at) WHERE disabled_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE invites (
        code varchar(64) PRIMARY KEY,
        uses_total integer NOT NULL CHECK (uses_total > 0),
        uses_left integer NOT NULL CHECK (uses_left >= 0 AND uses_left <= uses_total),
        expires_at timestamptz,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE server_settings (
        key varchar(64) PRIMARY KEY,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        actor varchar(100) NOT NULL,
        action varchar(64) NOT NULL,
        target varchar(200),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`);
  }

  /** Drops them again (admin flags, disabled states, invites, settings and the audit log are lost). */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE server_settings`);
    await q.query(`DROP TABLE invites`);
    await q.query(`DROP INDEX users_disabled_idx`);
    await q.query(`ALTER TABLE users DROP COLUMN disabled_at`);
    await q.query(`ALTER TABLE users DROP COLUMN is_admin`);
  }
}
