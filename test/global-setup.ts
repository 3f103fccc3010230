import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * Gives the run one temporary root and starts one throwaway embedded PostgreSQL inside it (unless
 * TEST_DATABASE_URL is set), exposed to the suites through DATABASE_URL. Migrations run when each
 * suite boots the app.
 *
 * TMPDIR is pointed at the run's root so every `os.tmpdir()` of the suites (data directories, CLI
 * working directories, Redis and browser profiles) and of the programs they start lands inside it;
 * the global teardown deletes the root, so a run leaves nothing behind in /tmp, even when a suite
 * fails before its own clean-up.
 */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'chat-test-'));
  // The embedded PostgreSQL runs as its own user when the tests run as root: it must reach its
  // directory inside the root.
  if (process.getuid?.() === 0) chmodSync(root, 0o755);
  process.env.TEST_TMP_ROOT = root;
  process.env.TMPDIR = root;
  if (process.env.TEST_DATABASE_URL) {
    process.env.DATABASE_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const db = await startEmbeddedPostgres({ dataDir: join(root, 'postgres'), persistent: false });
  process.env.DATABASE_URL = db.url;
  (globalThis as { __EMBEDDED_DB__?: typeof db }).__EMBEDDED_DB__ = db;
}
