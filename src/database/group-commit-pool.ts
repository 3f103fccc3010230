import { Logger } from '@nestjs/common';
import { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { PoolTuning, poolSettings } from './typeorm-options';

/**
 * The group-commit statement's own connections (MessageBatchWriter), the one `pg` pool besides
 * TypeORM's, built from the same settings ({@link poolSettings}: URL, statement timeout, idle and
 * connect timeouts). It stays separate because its connections are not like the others:
 * - they run with a session option no other statement should get: on top of the server's own
 *   (SESSION_OPTIONS: a generic plan made once), sequential scans off, so that cached plan is made
 *   of index probes whatever the table statistics said when it was made (see
 *   GROUP_COMMIT_SESSION_OPTIONS and test/batch-plan.e2e-spec.ts, where a plan made on an empty
 *   table scanned all of `messages`);
 * - there is exactly one per batch in flight (MAX_FLUSHES_IN_FLIGHT, one), always open, keeping the
 *   statement prepared, so a batch never waits behind a history page for a connection and is never
 *   planned again (planning took longer than running it).
 */
export class GroupCommitPool {
  private readonly logger = new Logger(GroupCommitPool.name);
  private readonly pool: Pool;

  /**
   * @param url postgres:// connection URL of the server's database
   * @param tuning `poolSize`: connections (one per batch in flight); statement timeout as DB_STATEMENT_TIMEOUT_MS
   * @param sessionOptions PostgreSQL `options` of every connection (`-c name=value …`)
   */
  constructor(url: string, tuning: PoolTuning, sessionOptions: string) {
    this.pool = new Pool({ connectionString: url, ...poolSettings(tuning, 'chat-server group commit'), options: sessionOptions });
    // An idle connection that breaks (database restart) is dropped by the pool and reopened on use.
    this.pool.on('error', (err) => this.logger.warn(`group-commit connection lost: ${err.message}`));
  }

  /** Runs one statement on a free connection of the pool (waits for one when all are busy). */
  query<R extends QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>> {
    return this.pool.query<R>(config);
  }

  /** Closes the connections (after shutdown has drained the sends in flight). */
  end(): Promise<void> {
    return this.pool.end();
  }
}
