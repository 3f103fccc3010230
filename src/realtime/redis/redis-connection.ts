import type { Redis, RedisOptions } from 'ioredis';

/** How long start-up waits for Redis before refusing to start, in ms. */
export const REDIS_CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens a Redis connection for the backplane. Commands fail fast while disconnected (no offline
 * queue), so a send never waits on a lost Redis; ioredis reconnects by itself with backoff.
 * ioredis is loaded here only, so a single instance without REDIS_URL never loads it.
 */
export function openRedis(url: string, name: string, extra: RedisOptions = {}): Redis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: IORedis } = require('ioredis') as typeof import('ioredis');
  return new IORedis(url, {
    connectionName: name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

/**
 * Connects and pings, or throws one clear sentence: with REDIS_URL set the server refuses to start
 * without Redis rather than run as a silently split instance.
 */
export async function connectOrFail(redis: Redis, url: string): Promise<void> {
  const safeUrl = url.replace(/\/\/[^@/]*@/, '//***@');
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), REDIS_CONNECT_TIMEOUT_MS).unref()),
    ]);
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis at REDIS_URL (${safeUrl}) is not reachable: ${(err as Error).message}. Start Redis or unset REDIS_URL to run a single instance.`);
  }
}
