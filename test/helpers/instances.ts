import { startTestApp } from './app';
import { startRedis, TestRedis } from './redis-server';
import { ServerProcess, spawnServer } from './server-process';
import { connectAuthed, WsTestClient } from './ws-client';

/** One running server instance, as the multi-instance suites reach it (always on 127.0.0.1). */
export interface Instance {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** origin + /api/v1 */
  api: string;
  /** ws://127.0.0.1:41234/api/v1/ws */
  wsUrl: string;
}

/** What {@link useTwoInstances} gives a suite; the fields are filled in by its beforeAll. */
export interface TwoInstances {
  /** The throwaway redis-server both instances share (tests may stop and restart it). */
  redis: TestRedis;
  a: Instance;
  b: Instance;
  /** The environment every instance got: REDIS_URL and the suite's own values. */
  env: Record<string, string>;
  /** Starts one more server process with the same environment (stopped after the suite unless a test ends it first). */
  spawnAnother(): Promise<ServerProcess>;
  /** Opens a header-authenticated connection to `instance` for `user`, waits for auth_ok, and closes it after the suite. */
  ws(instance: Instance, user: { token: string }): Promise<WsTestClient>;
}

/** Options of {@link useTwoInstances}. */
export interface TwoInstancesOptions {
  /**
   * Run both instances inside the jest process (startTestApp) instead of as two server processes
   * (spawnServer, as `npm start` runs): quicker to start, for suites that never kill an instance.
   */
  inProcess?: boolean;
}

/**
 * Registers the lifecycle of the multi-instance suites: before their tests a redis-server and two
 * server instances sharing it and the run's PostgreSQL, each listening on 127.0.0.1 on a port of its
 * own; after them the tracked sockets are closed, every instance stops (SIGTERM for processes, each
 * awaited) and Redis last.
 * @param env values every instance gets besides REDIS_URL (small rate limits, VAPID keys, ...)
 */
export function useTwoInstances(env: Record<string, string> = {}, options: TwoInstancesOptions = {}): TwoInstances {
  // Filled in place, so a suite may destructure them when it registers its tests.
  const redis = {} as TestRedis;
  const a = {} as Instance;
  const b = {} as Instance;
  const allEnv: Record<string, string> = {};
  const stops: (() => Promise<unknown>)[] = [];
  const sockets: WsTestClient[] = [];
  const spawnAnother = async (): Promise<ServerProcess> => {
    const server = await spawnServer(allEnv);
    stops.push(() => server.stop());
    return server;
  };
  const startInProcess = async (): Promise<Instance> => {
    const app = await startTestApp(allEnv);
    stops.push(() => app.close());
    return app;
  };

  beforeAll(async () => {
    Object.assign(redis, await startRedis());
    Object.assign(allEnv, { REDIS_URL: redis.url, ...env });
    const [first, second] = options.inProcess ? [await startInProcess(), await startInProcess()] : await Promise.all([spawnAnother(), spawnAnother()]);
    Object.assign(a, first);
    Object.assign(b, second);
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await Promise.all(stops.map((stop) => stop()));
    await redis.stop?.();
  }, 30_000);

  return {
    redis,
    a,
    b,
    env: allEnv,
    spawnAnother,
    ws: async (instance, user) => {
      const client = await connectAuthed(instance.wsUrl, user.token);
      sockets.push(client);
      return client;
    },
  };
}
