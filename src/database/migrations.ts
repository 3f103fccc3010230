import type { DataSource } from 'typeorm';

/** Advisory lock key held while migrations run ("chat" in ASCII), so concurrent starts take turns. */
const MIGRATION_LOCK_KEY = 0x63686174;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock: several instances starting at
 * once (docker compose with replicas) run them one at a time instead of racing on CREATE TABLE.
 * @returns the names of the migrations applied by this call.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/**
 * Reverts the last applied migration under the same advisory lock as {@link runMigrationsLocked}.
 * @returns the name of the reverted migration, or undefined when none was applied.
 */
export async function undoLastMigrationLocked(dataSource: DataSource): Promise<string | undefined> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const rows = (await runner.query(`SELECT name FROM typeorm_migrations ORDER BY timestamp DESC, id DESC LIMIT 1`).catch(() => [])) as { name: string }[];
      if (rows.length === 0) return undefined;
      await dataSource.undoLastMigration({ transaction: 'each' });
      return rows[0]!.name;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** The names of the migrations applied to this database; empty before the first (no migrations table yet). */
export async function appliedMigrationNames(dataSource: DataSource): Promise<string[]> {
  const rows = (await dataSource.query(`SELECT name FROM typeorm_migrations`).catch(() => [])) as { name: string }[];
  return rows.map((r) => r.name);
}
