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
 * The `pg` pool settings of every pool of the server (TypeORM's and the group-commit one). Idle
 * connections stay open: a new backend costs authentication and cold catalog caches (tens of ms on a
 * small machine), which showed up as latency spikes when the pool shrank after 10 s idle.
 * @param applicationName shown in pg_stat_activity, to tell the pools apart
 */
export function poolSettings(tuning: PoolTuning, applicationName: string) {
  return {
    max: tuning.poolSize,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: 10_000,
    application_name: applicationName,
    ...(tuning.statementTimeoutMs > 0 ? { statement_timeout: tuning.statementTimeoutMs } : {}),
  };
}
