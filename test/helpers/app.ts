import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { connectAuthed, WsTestClient } from './ws-client';

/** A running instance of the real application on 127.0.0.1 and an ephemeral port. */
export interface TestApp {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** origin + /api/v1 */
  api: string;
  /** ws://127.0.0.1:41234/api/v1/ws */
  wsUrl: string;
  close(): Promise<void>;
}

/** Environment every test app starts with; suites override single values (small rate limits, ...). */
export const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  JWT_SECRET: 'test-only-signing-key-0123456789abcdefghijklmnop',
  BCRYPT_COST: '4',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_PER_MINUTE: '100000',
  RATE_LIMIT_REFRESH_PER_MINUTE: '100000',
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000',
  WS_MESSAGES_PER_SECOND: '1000',
  WS_MESSAGES_BURST: '2000',
  // Every test client connects from 127.0.0.1 and suites keep sockets open until they end.
  WS_MAX_CONNECTIONS_PER_IP: '1000',
  LOG_LEVEL: 'silent',
};

/**
 * Boots the real AppModule (same factory as main.ts) against the run's embedded PostgreSQL and
 * listens on 127.0.0.1, on an ephemeral port unless `env.PORT` is given.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set: run the tests through jest (global setup)');
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-app-'));
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...env });
  const app = await createApp(config);
  // An ephemeral port unless the suite chose one (browser tests: the page's origin must be listed
  // in ALLOWED_ORIGINS before the app starts).
  await app.listen({ port: env.PORT ? config.port : 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    app,
    origin,
    api: `${origin}/api/v1`,
    wsUrl: `ws://127.0.0.1:${address.port}/api/v1/ws`,
    close: () => app.close(),
  };
}

/** What {@link useTestApp} gives a suite. */
export interface TestSuite {
  /** The running app; its fields are filled in by the suite's beforeAll. */
  t: TestApp;
  /** Sockets closed after the suite (push any you open yourself). */
  sockets: WsTestClient[];
  /** Opens a header-authenticated connection for the user, waits for auth_ok, and tracks it. */
  ws(user: { token: string }): Promise<WsTestClient>;
}

/**
 * Registers the usual suite lifecycle: one real app started before the suite's tests and closed
 * after them, together with every socket the suite tracked.
 */
export function useTestApp(env: Record<string, string> = {}): TestSuite {
  const t = {} as TestApp;
  const sockets: WsTestClient[] = [];
  beforeAll(async () => {
    Object.assign(t, await startTestApp(env));
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t.close?.();
  });
  return {
    t,
    sockets,
    ws: async (user) => {
      const client = await connectAuthed(t.wsUrl, user.token);
      sockets.push(client);
      return client;
    },
  };
}
