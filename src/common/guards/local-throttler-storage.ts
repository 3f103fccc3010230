import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/** How often idle counters are dropped, in ms. */
const SWEEP_INTERVAL_MS = 60_000;

/** One bucket: the hits of its current window and when that window and any block end (epoch ms). */
interface Bucket {
  hits: number;
  windowEndsAt: number;
  blockEndsAt: number;
}

/**
 * Rate-limit counters in this process's memory, counted as the shared storage counts them in Redis
 * (@nest-lab/throttler-storage-redis), so one instance and several enforce the same rule: a key's
 * first hit opens a window of `ttl` ms; a hit that takes the window past `limit` blocks the key for
 * `blockDuration` ms; hits go on counting in the window meanwhile. Constant time and memory per key
 * and hit: the library's own in-memory storage keeps a timestamp per hit and filters all of them on
 * every hit, so its cost per request grew with the configured limit (docs/performance.md, "Session 8").
 * Idle buckets are dropped once a minute.
 */
export class LocalThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly buckets = new Map<string, Bucket>();
  private sweeper: NodeJS.Timeout | undefined;

  /**
   * Counts one hit of `key` under `throttlerName`.
   * @param ttl window length in ms
   * @param limit hits a window allows
   * @param blockDuration block length in ms once the limit is passed
   * @returns the window's hits so far, and the seconds (rounded up) until the window and any block end
   */
  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    const id = `${throttlerName}\u0000${key}`;
    let bucket = this.buckets.get(id);
    if (bucket === undefined) {
      bucket = { hits: 0, windowEndsAt: now + ttl, blockEndsAt: 0 };
      this.buckets.set(id, bucket);
      this.sweeper ??= setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS).unref();
    } else if (bucket.windowEndsAt <= now) {
      bucket.hits = 0;
      bucket.windowEndsAt = now + ttl;
    }
    bucket.hits++;
    let isBlocked = bucket.blockEndsAt > now;
    if (!isBlocked && bucket.hits > limit) {
      bucket.blockEndsAt = now + blockDuration;
      isBlocked = true;
    }
    return {
      totalHits: bucket.hits,
      timeToExpire: Math.ceil((bucket.windowEndsAt - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((bucket.blockEndsAt - now) / 1000) : 0,
    };
  }

  /** Drops the buckets whose window and block have both ended by `now` (epoch ms). */
  sweep(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (bucket.windowEndsAt <= now && bucket.blockEndsAt <= now) this.buckets.delete(id);
    }
  }

  /** How many keys are counted now (for tests). */
  get size(): number {
    return this.buckets.size;
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.buckets.clear();
  }
}
