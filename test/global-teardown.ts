import { rmSync } from 'node:fs';
import type { EmbeddedDatabase } from '../src/database/embedded-postgres';

/** Stops the run's embedded PostgreSQL and deletes the run's temporary root (see global-setup). */
export default async function globalTeardown(): Promise<void> {
  const db = (globalThis as { __EMBEDDED_DB__?: EmbeddedDatabase }).__EMBEDDED_DB__;
  if (db) await db.stop();
  if (process.env.TEST_TMP_ROOT) rmSync(process.env.TEST_TMP_ROOT, { recursive: true, force: true });
}
