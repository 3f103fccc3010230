import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { REDIS_CLIENTS, RedisClients } from '../realtime/redis/redis-clients';

/**
 * At most one push per (user, room) in this many ms. A burst of messages is one buzz on the phone,
 * not twenty; the notification (tagged by room) says "new messages in X" and the client syncs the
 * rest when opened. A constant, not a setting: it is a product decision, the same for every deployment.
 */
export const PUSH_INTERVAL_MS = 30_000;

/** Most (user, room) pairs remembered in memory before expired ones are swept. */
const SWEEP_AT_ENTRIES = 10_000;

/**
 * Decides whether a (user, room) pair may be pushed now, and claims the interval when it may. With
 * REDIS_URL the claim is a `SET NX PX` shared by every instance, so messages of one room committed on
 * different instances still make one push per interval; without Redis (or while it is unreachable)
 * the claim is this process's own.
 */
@Injectable()
export class PushThrottle {
  private readonly logger = new Logger(PushThrottle.name);
  /** `${userId}:${roomId}` → when its interval ends (ms since epoch). */
  private readonly until = new Map<string, number>();

  constructor(@Optional() @Inject(REDIS_CLIENTS) private readonly redis: RedisClients | null) {}

  /** @returns true when no push went to this user for this room in the last {@link PUSH_INTERVAL_MS}; the interval starts now. */
  async claim(userId: string, roomId: string): Promise<boolean> {
    if (this.redis && this.redis.cmd.status === 'ready') {
      try {
        return (await this.redis.cmd.set(`push:throttle:${userId}:${roomId}`, '1', 'PX', PUSH_INTERVAL_MS, 'NX')) === 'OK';
      } catch (err) {
        this.logger.warn(`shared push throttle unavailable, deciding locally: ${(err as Error).message}`);
      }
    }
    return this.claimLocally(`${userId}:${roomId}`);
  }

  private claimLocally(key: string): boolean {
    const now = Date.now();
    if ((this.until.get(key) ?? 0) > now) return false;
    if (this.until.size >= SWEEP_AT_ENTRIES) for (const [k, end] of this.until) if (end <= now) this.until.delete(k);
    this.until.set(key, now + PUSH_INTERVAL_MS);
    return true;
  }
}
