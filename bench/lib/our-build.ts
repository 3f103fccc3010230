/**
 * Pieces of our server that the database peers reuse, loaded from its build (dist/ under the working
 * directory; the runner builds it before starting them): the embedded PostgreSQL and migrations (so
 * a peer's schema is ours), and for raw-rest the repositories and message mapper (so its answers are
 * the same SQL results in the same JSON shape). The bench does not compile src/, hence these small
 * local interfaces instead of the real types.
 */
import { join } from 'node:path';

/** Our embedded PostgreSQL, migrations and TypeORM options. */
export interface OurDatabaseModules {
  startEmbeddedPostgres(options: { dataDir: string }): Promise<{ url: string; stop(): Promise<void> }>;
  runMigrationsLocked(dataSource: unknown): Promise<string[]>;
  typeormOptions(url: string): object;
}

/** Something with TypeORM's `query(sql, params)` face, which our repositories call. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  /** The `pg` pool our repositories' prepared statements run on (TypeORM's PostgresDriver.master). */
  driver?: { master: unknown };
}

/** Our repositories and mappers that the REST peer calls. */
export interface OurDataLayer {
  MessagesRepository: new (db: Queryable) => {
    findPage(roomId: string, viewerId: string, opts: { limit: number; offset: number }): Promise<{ rows: object[]; hasMore: boolean }>;
  };
  RoomsRepository: new (db: Queryable) => {
    findMyRooms(userId: string, limit: number, after: null): Promise<Array<Record<string, unknown>>>;
  };
  toMessageDto(row: object): object;
  encodeCursor(parts: string[]): string;
  effectiveNotificationLevel(type: string, level: string | null): string;
  /** PostgreSQL session settings of the server's connections (undefined in builds older than session 8). */
  SESSION_OPTIONS?: string;
}

function dist(...parts: string[]): string {
  return join(process.cwd(), 'dist', 'src', ...parts);
}

/* eslint-disable @typescript-eslint/no-require-imports */
/** Loads {@link OurDatabaseModules} from dist/. */
export function ourDatabaseModules(): OurDatabaseModules {
  return {
    ...(require(dist('database', 'embedded-postgres.js')) as Pick<OurDatabaseModules, 'startEmbeddedPostgres'>),
    ...(require(dist('database', 'migrations.js')) as Pick<OurDatabaseModules, 'runMigrationsLocked'>),
    ...(require(dist('database', 'typeorm-options.js')) as Pick<OurDatabaseModules, 'typeormOptions'>),
  };
}

/** Loads {@link OurDataLayer} from dist/. */
export function ourDataLayer(): OurDataLayer {
  require('reflect-metadata');
  return {
    ...(require(dist('messages', 'messages.repository.js')) as Pick<OurDataLayer, 'MessagesRepository'>),
    ...(require(dist('rooms', 'rooms.repository.js')) as Pick<OurDataLayer, 'RoomsRepository'>),
    ...(require(dist('messages', 'message.mapper.js')) as Pick<OurDataLayer, 'toMessageDto'>),
    ...(require(dist('common', 'pagination', 'pagination.js')) as Pick<OurDataLayer, 'encodeCursor'>),
    ...(require(dist('rooms', 'notification-level.js')) as Pick<OurDataLayer, 'effectiveNotificationLevel'>),
    ...(require(dist('database', 'typeorm-options.js')) as Pick<OurDataLayer, 'SESSION_OPTIONS'>),
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */
