import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People and rooms found by any part of their name, not only its start: pg_trgm (a contrib extension
 * shipped with PostgreSQL and with the embedded server; trusted, so a database owner may install it)
 * and GIN trigram indexes on exactly the lower() expressions the searches compare, which serve
 * `lower(x) LIKE '%part%'`. Also the user directory's order (`GET /users`: lower(username), id), and
 * the display-name prefix index drops out: no query uses it once the search is by substring.
 */
export class SubstringSearch1763784100000 implements MigrationInterface {
  name = 'SubstringSearch1763784100000';

  /** Installs pg_trgm and creates the trigram and directory indexes. */
  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    // fastupdate off: names change rarely, and with GIN's pending list on, new rows wait unsorted
    // until a vacuum; every search scans that list and the planner, pricing it, falls back to a
    // sequential scan that runs lower() over every row (figures in README, "Users").
    await q.query(`CREATE INDEX users_username_trgm_idx ON users USING gin (lower(username) gin_trgm_ops) WITH (fastupdate = off)`);
    await q.query(`CREATE INDEX users_display_name_trgm_idx ON users USING gin (lower(display_name) gin_trgm_ops) WITH (fastupdate = off)`);
    await q.query(`CREATE INDEX rooms_public_name_trgm_idx ON rooms USING gin (lower(name) gin_trgm_ops) WITH (fastupdate = off) WHERE type = 'public'`);
    // GET /users without q: live users in username order, keyset-paginated on (lower(username), id).
    await q.query(`CREATE INDEX users_directory_idx ON users (lower(username), id) WHERE deleted_at IS NULL`);
    await q.query(`DROP INDEX users_display_name_lower_idx`);
  }

  /** Drops the indexes and the extension, and restores the prefix index. */
  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX users_display_name_lower_idx ON users (lower(display_name) text_pattern_ops)`);
    await q.query(`DROP INDEX users_directory_idx`);
    await q.query(`DROP INDEX rooms_public_name_trgm_idx`);
    await q.query(`DROP INDEX users_display_name_trgm_idx`);
    await q.query(`DROP INDEX users_username_trgm_idx`);
    // Without CASCADE: if anything else came to depend on pg_trgm, this fails instead of dropping it.
    await q.query(`DROP EXTENSION IF EXISTS pg_trgm`);
  }
}
