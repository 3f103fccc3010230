import { Logger, OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { LocalThrottlerStorage } from './local-throttler-storage';

/**
 * REST rate-limit counters for several instances: kept in Redis by @nest-lab/throttler-storage-redis
 * so instances share each bucket, falling back to this process's memory ({@link LocalThrottlerStorage},
 * which counts the same way) while Redis is unreachable (REST keeps working through a Redis outage,
 * with per-instance limits meanwhile).
 * Loaded only when REDIS_URL is set.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger(SharedThrottlerStorage.name);
  private readonly redisStorage: ThrottlerStorage & OnModuleDestroy;
  private readonly local = new LocalThrottlerStorage();
  private readonly redis: { status: string };

  constructor(redisUrl: string) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openRedis } = require('../../realtime/redis/redis-connection') as typeof import('../../realtime/redis/redis-connection');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ThrottlerStorageRedisService } = require('@nest-lab/throttler-storage-redis') as typeof import('@nest-lab/throttler-storage-redis');
    const redis = openRedis(redisUrl, 'chat-throttler', { lazyConnect: false });
    redis.on('error', () => undefined); // reported by the realtime connections and /health/ready
    this.redis = redis;
    this.redisStorage = new ThrottlerStorageRedisService(redis);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (this.redis.status === 'ready') {
      try {
        return await this.redisStorage.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (err) {
        this.logger.warn(`shared rate-limit storage failed, counting locally: ${(err as Error).message}`);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onModuleDestroy(): void {
    this.redisStorage.onModuleDestroy();
    this.local.onApplicationShutdown();
  }
}
