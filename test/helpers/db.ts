import { Client } from 'pg';

/**
 * Runs one statement on the suite's database (DATABASE_URL from the global setup) on a connection of
 * its own, for what no API does: making the first admin as the CLI would, ageing a token.
 * @returns the rows
 */
export async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  try {
    return (await db.query(text, params)).rows as T[];
  } finally {
    await db.end();
  }
}
