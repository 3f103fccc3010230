import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfigOrExit } from '../config/app-config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { runMigrationsLocked } from './migrations';
import { typeormOptions } from './typeorm-options';

/**
 * `npm run migration:run`: applies pending migrations to DATABASE_URL, or to the embedded database
 * in DATA_DIR when DATABASE_URL is unset (starting and stopping it around the run).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
    url = embedded.url;
  }
  const dataSource = new DataSource(typeormOptions(url));
  try {
    await dataSource.initialize();
    const applied = await runMigrationsLocked(dataSource);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migrations\n');
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`migration failed: ${err.message}\n`);
  process.exit(1);
});
