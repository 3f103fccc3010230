import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * Starts one throwaway embedded PostgreSQL for the whole run (unless DATABASE_URL is already set)
 * and exposes it to the suites through DATABASE_URL. Migrations run when each suite boots the app.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-test-'));
  const db = await startEmbeddedPostgres({ dataDir, persistent: false });
  process.env.DATABASE_URL = db.url;
  process.env.TEST_DATA_DIR = dataDir;
  (globalThis as { __EMBEDDED_DB__?: typeof db }).__EMBEDDED_DB__ = db;
}
