import type { AppConfig } from '../config/app-config';

/** Outcome of one {@link WsRateLimiter.take}. */
export interface RateDecision {
  allowed: boolean;
  /** When refused: ms until one token is available again. */
  retryAfterMs: number;
  /** When refused: true once the user keeps going far past the limit (the socket gets 4429). */
  abusive: boolean;
}

/** Refusals are counted in windows of this length, in ms; a window starts at its first refusal. */
export const ABUSE_WINDOW_MS = 5_000;
/** Refusals must have gone on for at least this long before they can count as abuse, in ms. */
export const ABUSE_MIN_SPAN_MS = 2_000;

/** Refusals in one window that are abuse however fast they came, as a multiple of burst + rate. */
export const ABUSE_FLOOD_FACTOR = 10;

/**
 * Abuse is sustained excess, not a burst: refusals have gone on for at least ABUSE_MIN_SPAN_MS and
 * outnumber the burst plus what the refill rate allows over that span (the client sends at more than
 * twice the allowed rate). A client that fires a burst of frames at once is only
 * refused; one that keeps going for seconds is closed with 4429, and so is a flood of more than
 * ABUSE_FLOOD_FACTOR × (burst + rate) refused frames, so no client can draw unbounded error frames.
 * @param refused refusals in the current window; @param sinceMs when the window's first refusal was
 */
export function isAbusive(refused: number, sinceMs: number, nowMs: number, config: Pick<AppConfig, 'wsMessagesPerSecond' | 'wsMessagesBurst'>): boolean {
  if (refused > ABUSE_FLOOD_FACTOR * (config.wsMessagesBurst + config.wsMessagesPerSecond)) return true;
  const spanMs = nowMs - sinceMs;
  return spanMs >= ABUSE_MIN_SPAN_MS && refused > config.wsMessagesBurst + (spanMs / 1000) * config.wsMessagesPerSecond;
}

/**
 * Per-user token bucket over all of a user's connections: WS_MESSAGES_PER_SECOND refill,
 * WS_MESSAGES_BURST capacity; {@link isAbusive} says when refusals become abuse. In-process for one instance, Redis-backed for several.
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
    if (bucket.refused === 0 || nowMs - bucket.windowStartMs > ABUSE_WINDOW_MS) {
      bucket.windowStartMs = nowMs;
      bucket.refused = 0;
    }
    bucket.refused += 1;
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / rate) * 1000), abusive: isAbusive(bucket.refused, bucket.windowStartMs, nowMs, this.config) };
  }

  /** Drops full, idle buckets now and then so memory follows active users only. */
  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    const idleMs = (this.config.wsMessagesBurst / this.config.wsMessagesPerSecond) * 1000 + ABUSE_WINDOW_MS;
    for (const [userId, bucket] of this.buckets) if (nowMs - bucket.updatedMs > idleMs) this.buckets.delete(userId);
  }
}
