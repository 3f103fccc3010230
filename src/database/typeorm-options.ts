import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

/**
 * No entities: the repositories run their own SQL as named statements (src/database/sql.ts); TypeORM
 * provides the DataSource, its pool, transactions and the migrations.
 */
export const ENTITIES = [];

/** Pool settings from the configuration (DB_POOL_SIZE, DB_STATEMENT_TIMEOUT_MS). */
export interface PoolTuning {
  /** Connections in the pool. */
  poolSize: number;
  /** statement_timeout of every pool connection, in ms; 0 = none. */
  statementTimeoutMs: number;
}

/**
 * TypeORM options shared by the app and the CLI's DataSource (ormconfig.ts). The schema changes
 * only through the committed migrations (`synchronize` stays off).
 * @param url a postgres:// connection URL
 * @param tuning pool size and statement timeout (defaults: 20 connections, no timeout)
 */
export function typeormOptions(url: string, tuning: PoolTuning = { poolSize: 20, statementTimeoutMs: 0 }): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    // Compiled migrations live in dist/migrations; ts-jest and ts-node load the .ts sources.
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{js,ts}').replace(/\\/g, '/')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Failed queries are logged by the exception filters without their parameters (which may hold
    // hashes or tokens); TypeORM's own error log would print them.
    logging: false,
    extra: poolSettings(tuning, 'chat-server'),
  };
}

/**
 * PostgreSQL settings of every connection of the server:
 * - every named statement is planned once per connection, as a generic plan, and re-planned only
 *   when its tables' statistics or definitions change. Under the default (`auto`) PostgreSQL plans a
 *   statement anew for each execution for as long as it estimates the generic plan dearer than the
 *   custom ones; the history page was planned on every request, and planning cost more than running
 *   it (docs/performance.md, "Session 8");
 * - no parallel workers: a generic plan does not know its LIMIT and counts on a tenth of the rows,
 *   which made the history page of a 10,000-message room start a worker process per request. The
 *   server's reads are many small statements at once, where a worker only adds a process start.
 * docs/queries.md shows the generic plans (`npm run seed -- --explain`).
 */
export const SESSION_OPTIONS = '-c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0';

/**
 * The `pg` pool settings of every pool of the server (TypeORM's and the group-commit one). Idle
 * connections stay open: a new backend costs authentication and cold catalog caches (tens of ms on a
 * small machine), which showed up as latency spikes when the pool shrank after 10 s idle.
 * @param applicationName shown in pg_stat_activity, to tell the pools apart
 */
export function poolSettings(tuning: PoolTuning, applicationName: string) {
  return {
    options: SESSION_OPTIONS,
    max: tuning.poolSize,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 10_000,
    application_name: applicationName,
    ...(tuning.statementTimeoutMs > 0 ? { statement_timeout: tuning.statementTimeoutMs } : {}),
  };
}
