import 'reflect-metadata';
import pino from 'pino';
import { AppConfig, ConfigError } from './config/app-config';
import { loadLayeredConfig } from './config/config-sources';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';

/** Longest a graceful shutdown may take before the process exits anyway, in ms. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Options of {@link runServer}. */
export interface RunServerOptions {
  /** `--config FILE`: the YAML file (else CONFIG_PATH, else ./config.yaml when present). */
  configFile?: string;
}

/**
 * Reads and validates every configuration source (see config-sources.ts); a bad value prints
 * `Configuration error: <variable> from <source>: <problem>` on stderr and exits with status 1.
 */
export function loadConfigForStart(options: RunServerOptions = {}): AppConfig {
  try {
    return loadLayeredConfig({ configFile: options.configFile }).config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** The value of `--config FILE` / `--config=FILE` in argv, if any. */
function configFlag(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice('--config='.length) : argv[i + 1];
}

/**
 * Boots the server: validates the configuration, starts the embedded PostgreSQL when DATABASE_URL is
 * unset, builds the app (migrations run during start-up), listens, and on SIGTERM/SIGINT closes
 * sockets, HTTP and the database in that order, exiting 0.
 */
export async function runServer(options: RunServerOptions = {}): Promise<void> {
  let config: AppConfig = loadConfigForStart(options);
  const log = pino({ level: config.logLevel, base: { context: 'bootstrap' } });

  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) {
    log.info({ data_dir: config.dataDir }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log: (line) => log.debug({ postgres: line }) });
    log.info({ port: embedded.port }, 'embedded PostgreSQL is ready');
    config = { ...config, databaseUrl: embedded.url };
  }

  // The application (every module) loads after the configuration is known to be good, so a bad
  // value is reported at once rather than after loading the whole server.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require('./app.factory') as typeof import('./app.factory');
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let shuttingDown = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    try {
      await app?.close();
      await embedded?.stop();
      log.info('stopped');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    app = await createApp(config);
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    log.error({ err }, 'start-up failed');
    await embedded?.stop().catch(() => undefined);
    process.exit(1);
  }
  log.info({ url: `http://${config.host}:${config.port}`, docs: `http://${config.host}:${config.port}/docs` }, 'chat server listening');
}

if (require.main === module) void runServer({ configFile: configFlag(process.argv.slice(2)) });
