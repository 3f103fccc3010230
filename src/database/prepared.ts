import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** Statement names by SQL text (hashing once per distinct text, not per call). */
const names = new Map<string, string>();

/**
 * Runs a read as a named (prepared) statement on the data source's own `pg` pool, so each pooled
 * connection parses and plans it once and later calls only bind and execute: the hot reads' plans
 * took longer to make than to run (see docs/performance.md). TypeORM's `query()` always sends unnamed
 * statements, hence the pool underneath it. The name is derived from the text, so each shape of a
 * dynamic query is its own statement. Falls back to `db.query()` when the data source has no `pg`
 * pool (a stand-in in tools).
 * @returns the rows.
 */
export async function preparedQuery<T>(db: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const pool = (db.driver as unknown as { master?: Pool } | undefined)?.master;
  if (!pool || typeof pool.query !== 'function') return db.query(text, values);
  let name = names.get(text);
  if (name === undefined) {
    name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  const result = await pool.query({ name, text, values });
  return result.rows as T[];
}
