import { createHash } from 'node:crypto';
import { escapeLiteral, type Pool, type PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { CursorPart } from '../common/pagination/pagination';
import { installPgTypeParsers } from './pg-types';

/**
 * The one data-access style of the repositories (see docs/queries.md, "Data access"): SQL is written
 * out in the repository that owns the table, runs as a named (prepared) statement on the `pg`
 * connection underneath TypeORM, and comes back as typed rows that a mapper turns into DTOs. This
 * file is the small helper that style needs: bind parameters numbered for you ({@link SqlParams}),
 * optional conditions ({@link and}), keyset-cursor conditions ({@link keyset}), and the functions
 * that run a {@link Statement} on the data source or inside a transaction.
 */

// Set once, when the data-access layer is loaded: every pg connection of the process (TypeORM's pool,
// the group-commit pool, tools that use the repositories) then reads int8 and numeric as numbers.
installPgTypeParsers();

/** Who runs a statement: the data source (its pool), or the manager of a running transaction. */
export type Queryable = DataSource | EntityManager;

/** A statement ready to run: its name (one prepared statement per connection), text and bind values. */
export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

/** Casts a placeholder may carry; the cast makes PostgreSQL type the parameter the same way on every call. */
export type PgCast = 'uuid' | 'uuid[]' | 'text' | 'text[]' | 'int' | 'bigint' | 'timestamptz' | 'boolean' | 'jsonb';

/**
 * The bind parameters of one statement being assembled. Each {@link bind} appends a value and returns
 * its placeholder, so SQL fragments take placeholders from here instead of counting `$n` by hand.
 */
export class SqlParams {
  /** The bind values, in placeholder order. */
  readonly values: unknown[] = [];

  /**
   * Appends a value.
   * @param cast type of the placeholder, when PostgreSQL cannot infer it from the context
   * @returns its placeholder: `$n` or `$n::cast`.
   */
  bind(value: unknown, cast?: PgCast): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }

  /**
   * The finished statement, named `<name>_<hash of the text>` so that each shape of a dynamic
   * statement is its own prepared statement (a shape's name never changes within a process or
   * between processes).
   * @param name what the statement does (`messages_page`): shows in pg_prepared_statements and logs
   */
  statement(name: string, text: string): Statement {
    return { name: statementName(name, text), text, values: this.values };
  }
}

/** Statement names by text, so each distinct text is hashed once per process. */
const names = new Map<string, string>();

/**
 * `<name>_<first 12 hex digits of sha1(text)>`. PostgreSQL keeps the first 63 bytes of a name, so the
 * readable part is cut to 50 characters.
 */
export function statementName(name: string, text: string): string {
  let hashed = names.get(text);
  if (hashed === undefined) {
    hashed = createHash('sha1').update(text).digest('hex').slice(0, 12);
    names.set(text, hashed);
  }
  return `${name.slice(0, 50)}_${hashed}`;
}

/**
 * A statement whose text never changes (no optional parts): `values` bind to `$1..$n` in order.
 * @param name what the statement does (see {@link SqlParams.statement})
 */
export function statement(name: string, text: string, values: unknown[]): Statement {
  return { name: statementName(name, text), text, values };
}

/**
 * The conditions that are given, joined with AND; skipped: `false`, `null`, `undefined`, `''`. Each
 * condition must bind at least as tightly as AND (put an OR in parentheses).
 * @returns `true` (SQL) when none is given, so `WHERE ${and(...)}` is always valid.
 */
export function and(...conditions: (string | false | null | undefined)[]): string {
  const given = conditions.filter((c): c is string => typeof c === 'string' && c.length > 0);
  return given.length === 0 ? 'true' : given.join(' AND ');
}

/** The SQL type of each kind of cursor value (see CursorPart in common/pagination). */
const CURSOR_CASTS: Record<CursorPart, PgCast> = { timestamp: 'timestamptz', uuid: 'uuid', text: 'text' };

/** One column of a keyset: its SQL expression and the kind of value its cursor part holds. */
export interface KeysetColumn {
  expr: string;
  part: CursorPart;
}

/**
 * The condition that starts a keyset page strictly past a cursor position: `(a, b) < ($n::t, $m::u)`
 * for pages in descending order (`direction` `'desc'`), `>` for ascending ones. Row comparison keeps
 * it one index range scan on an index over the same columns in the same order.
 * @param columns the ORDER BY columns, in order (all the same direction)
 * @param key the cursor's values (from decodeCursor), one per column; null: first page
 * @returns the condition, or null for the first page (nothing bound then)
 * @throws Error when the key's length differs from the columns' (a programming error)
 */
export function keyset(p: SqlParams, columns: readonly KeysetColumn[], key: readonly string[] | null, direction: 'asc' | 'desc'): string | null {
  if (key === null) return null;
  if (key.length !== columns.length) throw new Error(`keyset: ${key.length} cursor values for ${columns.length} columns`);
  const placeholders = key.map((value, i) => p.bind(value, CURSOR_CASTS[columns[i].part]));
  const op = direction === 'desc' ? '<' : '>';
  return `(${columns.map((c) => c.expr).join(', ')}) ${op} (${placeholders.join(', ')})`;
}

/** The `pg` pool under a data source; undefined for a stand-in without one (tools). */
function poolOf(db: DataSource | undefined): Pool | undefined {
  const pool = (db?.driver as unknown as { master?: Pool } | undefined)?.master;
  return pool && typeof pool.query === 'function' ? pool : undefined;
}

/**
 * Where to send a named statement: the transaction's own connection for a manager inside a
 * transaction, else the data source's pool; undefined for a stand-in data source (see
 * scripts/seed.ts). TypeORM's `query()` always sends unnamed statements (parsed and planned on every
 * call), hence the driver underneath it.
 */
async function connectionOf(on: Queryable): Promise<Pick<Pool | PoolClient, 'query'> | undefined> {
  const manager = on as Partial<EntityManager>;
  const runner = manager.queryRunner;
  if (runner && !runner.isReleased) return (await runner.connect()) as PoolClient;
  if (manager.connection && manager.connection !== on) return poolOf(manager.connection);
  return poolOf(on as DataSource);
}

/**
 * Runs a statement as a named (prepared) statement: each connection parses and plans it once and
 * later calls only bind and execute (the hot reads' plans took longer to make than to run; see
 * docs/performance.md). Falls back to TypeORM's `query()` when there is no `pg` connection (a
 * stand-in data source in tools).
 * @returns the rows (for INSERT/UPDATE/DELETE: those of RETURNING, else none).
 */
export async function rows<T>(on: Queryable, stmt: Statement): Promise<T[]> {
  const connection = await connectionOf(on);
  if (!connection) return (on as DataSource).query(stmt.text, stmt.values);
  const result = await connection.query({ name: stmt.name, text: stmt.text, values: stmt.values });
  return result.rows as T[];
}

/**
 * The statement that sets, for one transaction, the plan mode of {@link rowsPlannedForValues}:
 * custom plans, made for the values of each execution.
 */
export const PLAN_FOR_VALUES = 'SET LOCAL plan_cache_mode = force_custom_plan';

/**
 * Runs a read whose best plan depends on its values, planned for those values. The server's
 * connections keep one generic plan per statement, made without values (SESSION_OPTIONS). A
 * substring search needs the value: a rare text is found through its trigram index, a common one by
 * walking the page's own order. So this runs the statement in a read-only transaction of its own,
 * with {@link PLAN_FOR_VALUES} for that transaction only. It costs three more round trips than
 * {@link rows}: meant for searches people type, not for the hot paths. Falls back to TypeORM's
 * `query()` for a stand-in data source without a `pg` pool (tools).
 */
export async function rowsPlannedForValues<T>(on: DataSource, stmt: Statement): Promise<T[]> {
  const pool = poolOf(on);
  if (!pool) return on.query(stmt.text, stmt.values);
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(PLAN_FOR_VALUES);
    const result = await client.query({ name: stmt.name, text: stmt.text, values: stmt.values });
    await client.query('COMMIT');
    return result.rows as T[];
  } catch (err) {
    // A connection that cannot even roll back is not given to the next caller.
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Runs a statement ({@link rows}) and returns its first row, or null when there is none. */
export async function firstRow<T>(on: Queryable, stmt: Statement): Promise<T | null> {
  const found = await rows<T>(on, stmt);
  return found[0] ?? null;
}

/**
 * Runs a statement ({@link rows}) for its effect.
 * @returns how many rows it inserted, updated or deleted (or returned, for SELECT).
 */
export async function execute(on: Queryable, stmt: Statement): Promise<number> {
  const connection = await connectionOf(on);
  if (!connection) {
    await (on as DataSource).query(stmt.text, stmt.values);
    return 0;
  }
  const result = await connection.query({ name: stmt.name, text: stmt.text, values: stmt.values });
  return result.rowCount ?? 0;
}

/**
 * A bind value as the SQL literal `EXECUTE name(…)` takes (EXPLAIN EXECUTE accepts no bind
 * parameters; the literal's type comes from the prepared statement). For the tools and tests that
 * explain the repositories' statements as the server runs them; the server itself binds.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return escapeLiteral(`{${value.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  if (value instanceof Date) return escapeLiteral(value.toISOString());
  if (typeof value === 'object') return escapeLiteral(JSON.stringify(value));
  return escapeLiteral(String(value));
}
