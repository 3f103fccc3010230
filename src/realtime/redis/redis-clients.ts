import type { Redis } from 'ioredis';

/** Injection token of the {@link RedisClients} (null without REDIS_URL). */
export const REDIS_CLIENTS = Symbol('REDIS_CLIENTS');

/** The Redis connections of one instance: commands/publish, and a subscriber connection. */
export interface RedisClients {
  cmd: Redis;
  sub: Redis;
  /** Random id of this process, naming its heartbeat and presence entries. */
  instanceId: string;
}
