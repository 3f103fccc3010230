import type { Type } from '@nestjs/common';
import { userInfo } from 'node:os';
import type { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { AppConfig, ConfigError } from '../config/app-config';
import { loadLayeredConfig } from '../config/config-sources';
import { runningEmbeddedUrl, startEmbeddedPostgres } from '../database/embedded-postgres';

// Nest modules, TypeORM and the services load only when a command needs the database (see
// cli-services.ts), so `--help` and `config check` start quickly.

/** An error a command reports as its one-sentence message and exit status 1. */
export class CliError extends Error {}

/** The audit actor of CLI actions: `cli:<operating-system user>`. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/**
 * The validated configuration for a command (same sources and rules as `start`).
 * @throws CliError naming the variable and its source.
 */
export function cliConfig(configFile: string | undefined): AppConfig {
  try {
    return loadLayeredConfig({ configFile }).config;
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`Configuration error: ${err.message}`);
    throw err;
  }
}

/**
 * Runs `fn` with a database URL: DATABASE_URL, else the embedded PostgreSQL of DATA_DIR that a
 * running server (or an earlier run) already started, else the embedded PostgreSQL started for the
 * command's duration and stopped cleanly afterwards.
 */
export async function withDatabase<T>(config: AppConfig, fn: (url: string) => Promise<T>): Promise<T> {
  if (config.databaseUrl) return fn(config.databaseUrl);
  const running = runningEmbeddedUrl(config.dataDir);
  if (running) return fn(running);
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
  try {
    return await fn(embedded.url);
  } finally {
    await embedded.stop();
  }
}

/** A bare DataSource (no migrations applied) for `migrate`; destroyed after `fn`. */
export async function withDataSource<T>(config: AppConfig, fn: (dataSource: DataSource) => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a command needs it
  const { openDataSource } = require('./cli-services') as typeof import('./cli-services');
  return withDatabase(config, async (url) => {
    const dataSource = await openDataSource(url);
    try {
      return await fn(dataSource);
    } finally {
      await dataSource.destroy().catch(() => undefined);
    }
  });
}

/**
 * Boots the real services (against the database chosen by {@link withDatabase}, pending migrations
 * applied first), runs `fn` with a getter for them, and closes everything again.
 */
export async function withServices<T>(config: AppConfig, fn: (get: <S>(type: Type<S>) => S) => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a command needs it
  const { bootServices } = require('./cli-services') as typeof import('./cli-services');
  return withDatabase(config, async (url) => {
    const app = await bootServices({ ...config, databaseUrl: url, adminUsernames: [] });
    try {
      return await fn((type) => app.get(type, { strict: false }));
    } finally {
      await app.close();
    }
  });
}

/** One sentence for an error: an AppError's first detail, or its message. */
export function describeError(err: unknown): string {
  if (err instanceof AppError) {
    const detail = err.details?.[0];
    return detail ? `${detail.field} ${detail.problem}.` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Runs a command body: on failure prints `error: <one sentence>` on stderr and sets exit status 1
 * (the process exits once the command returns, see src/cli/main.ts).
 */
export async function runCommand(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    process.stderr.write(`error: ${describeError(err)}\n`);
    process.exitCode = 1;
  }
}

/** Reads all of stdin (for `--password-stdin`), without the final line break. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Prints rows as an aligned table with a header line. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write([line(headers), ...rows.map(line)].join('\n') + '\n');
}

/** A date as ISO text, or "-". */
export const iso = (d: Date | null | undefined): string => (d ? new Date(d).toISOString() : '-');
