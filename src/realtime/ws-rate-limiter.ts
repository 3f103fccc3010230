import type { AppConfig } from '../config/app-config';

/** Outcome of one {@link WsRateLimiter.take}. */
export interface RateDecision {
  allowed: boolean;
  /** When refused: ms until one token is available again. */
  retryAfterMs: number;
  /** When refused: true once the user keeps going far past the limit (the socket gets 4429). */
  abusive: boolean;
}

/** Refused frames within this window, beyond which a user counts as abusive (closed with 4429), in ms. */
export const ABUSE_WINDOW_MS = 10_000;

/**
 * Per-user token bucket over all of a user's connections: WS_MESSAGES_PER_SECOND refill,
 * WS_MESSAGES_BURST capacity. A user who keeps sending after being refused (more refused frames than
 * the burst within 10 s) is abusive. In-process for one instance, Redis-backed for several.
 */
export abstract class WsRateLimiter {
  /** Takes one token for the user. */
  abstract take(userId: string): Promise<RateDecision>;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** Refused frames in the current abuse window. */
  refused: number;
  windowStartMs: number;
}

/** The bucket kept in this process's memory. */
export class InProcessWsRateLimiter extends WsRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = Date.now();

  constructor(private readonly config: Pick<AppConfig, 'wsMessagesPerSecond' | 'wsMessagesBurst'>) {
    super();
  }

  async take(userId: string): Promise<RateDecision> {
    return this.takeSync(userId);
  }

  /** Synchronous form, also the fallback of the Redis limiter while Redis is unreachable. */
  takeSync(userId: string, nowMs = Date.now()): RateDecision {
    const rate = this.config.wsMessagesPerSecond;
    const burst = this.config.wsMessagesBurst;
    let bucket = this.buckets.get(userId);
    if (!bucket) {
      bucket = { tokens: burst, updatedMs: nowMs, refused: 0, windowStartMs: nowMs };
      this.buckets.set(userId, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * rate);
    bucket.updatedMs = nowMs;
    this.sweep(nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterMs: 0, abusive: false };
    }
    if (nowMs - bucket.windowStartMs > ABUSE_WINDOW_MS) {
      bucket.windowStartMs = nowMs;
      bucket.refused = 0;
    }
    bucket.refused += 1;
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / rate) * 1000), abusive: bucket.refused > burst };
  }

  /** Drops full, idle buckets now and then so memory follows active users only. */
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    const idleMs = (this.config.wsMessagesBurst / this.config.wsMessagesPerSecond) * 1000 + ABUSE_WINDOW_MS;
    for (const [userId, bucket] of this.buckets) if (nowMs - bucket.updatedMs > idleMs) this.buckets.delete(userId);
  }
}
