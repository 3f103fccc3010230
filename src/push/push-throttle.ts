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

/** A (user, room) pair a push may go to. */
export interface PushPair {
  userId: string;
  roomId: string;
}

/**
 * Decides whether (user, room) pairs may be pushed now, and claims the interval for those that may.
 * With REDIS_URL the claims are `SET NX PX` commands shared by every instance, sent as one pipeline
 * per decision (one round trip however many pairs), so messages of one room committed on different
 * instances still make one push per interval; without Redis (or while it is unreachable) the claim
 * is this process's own.
 */
@Injectable()
export class PushThrottle {
  private readonly logger = new Logger(PushThrottle.name);
  /** `${userId}:${roomId}` → when its interval ends (ms since epoch). */
  private readonly until = new Map<string, number>();

  constructor(@Optional() @Inject(REDIS_CLIENTS) private readonly redis: RedisClients | null) {}

  /**
   * Claims the interval of every pair that had no push in the last {@link PUSH_INTERVAL_MS}; each
   * claimed interval starts now. A pair listed twice is claimed once (its first place). A Redis
   * command that fails (or a pipeline that does) is decided locally instead, and logged; never throws.
   * @returns one boolean per pair, in order: true when that pair may be pushed now
   */
  async claimAll(pairs: readonly PushPair[]): Promise<boolean[]> {
    if (pairs.length === 0) return [];
    if (this.redis && this.redis.cmd.status === 'ready') {
      try {
        const pipeline = this.redis.cmd.pipeline();
        for (const { userId, roomId } of pairs) pipeline.set(`push:throttle:${userId}:${roomId}`, '1', 'PX', PUSH_INTERVAL_MS, 'NX');
        const replies = (await pipeline.exec()) ?? [];
        const claimed: boolean[] = [];
        let failure: Error | undefined;
        for (const [i, pair] of pairs.entries()) {
          const [err, reply] = replies[i] ?? [new Error('no reply from Redis'), null];
          failure ??= err ?? undefined;
          claimed.push(err ? this.claimLocally(pair) : reply === 'OK');
        }
        if (failure) this.warnLocal(failure);
        return claimed;
      } catch (err) {
        this.warnLocal(err as Error);
      }
    }
    return pairs.map((pair) => this.claimLocally(pair));
  }

  private warnLocal(err: Error): void {
    this.logger.warn(`shared push throttle unavailable, deciding locally: ${err.message}`);
  }

  private claimLocally({ userId, roomId }: PushPair): boolean {
    const key = `${userId}:${roomId}`;
    const now = Date.now();
    if ((this.until.get(key) ?? 0) > now) return false;
    if (this.until.size >= SWEEP_AT_ENTRIES) for (const [k, end] of this.until) if (end <= now) this.until.delete(k);
    this.until.set(key, now + PUSH_INTERVAL_MS);
    return true;
  }
}
