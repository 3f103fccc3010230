import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppError } from '../common/errors/app-error';
import { ipTracker } from '../common/guards/throttler.guard';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

const MINUTE_MS = 60_000;
/** Most addresses whose block is remembered locally; older entries are dropped first. */
const MAX_REMEMBERED_BLOCKS = 10_000;

/**
 * The authentication limits that the route-level throttlers cannot express, counted in the same
 * storage as the throttlers (shared through Redis when several instances run):
 * - refreshes per session (refresh-token family), RATE_LIMIT_REFRESH_PER_MINUTE: refresh is not under
 *   the per-IP login budget, so reloads and people behind one NAT stay signed in;
 * - REST requests refused 401 for a bad, expired or revoked token (or refresh token) per client IP,
 *   RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: past it, the IP's authenticated requests get 429 until the
 *   window ends, so tokens cannot be guessed at request rate.
 */
@Injectable()
export class AuthLimiter {
  /** Blocked trackers and when their block ends (epoch ms): checked without a storage round trip. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Counts one refresh of a session.
   * @throws AppError RATE_LIMITED (429, Retry-After) when the session refreshed too often this minute
   */
  async countRefresh(sessionId: string): Promise<void> {
    const r = await this.storage.increment(`refresh:session:${sessionId}`, MINUTE_MS, this.config.rateLimitRefreshPerMinute, MINUTE_MS, 'refresh');
    if (r.isBlocked) throw this.limited('Too many token refreshes for this session', r.timeToBlockExpire);
  }

  /**
   * Refuses a request from an address that failed authentication too often; costs one map lookup.
   * @param ip the client address (Fastify's request.ip)
   * @throws AppError RATE_LIMITED (429, Retry-After)
   */
  assertNotBlocked(ip: string | undefined): void {
    const key = this.failureKey(ip);
    const until = this.blockedUntil.get(key);
    if (until === undefined) return;
    const left = until - Date.now();
    if (left <= 0) {
      this.blockedUntil.delete(key);
      return;
    }
    throw this.limited('Too many requests with an invalid token from this address', Math.ceil(left / 1000));
  }

  /**
   * Counts one authentication failure (401) of an address.
   * @throws AppError RATE_LIMITED (429) instead of the 401 once the address is over the limit
   */
  async countFailure(ip: string | undefined): Promise<void> {
    const key = this.failureKey(ip);
    const r = await this.storage.increment(key, MINUTE_MS, this.config.rateLimitAuthFailuresPerMinute, MINUTE_MS, 'auth-failures');
    if (!r.isBlocked) return;
    if (this.blockedUntil.size >= MAX_REMEMBERED_BLOCKS) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    this.blockedUntil.set(key, Date.now() + Math.max(1, r.timeToBlockExpire) * 1000);
    throw this.limited('Too many requests with an invalid token from this address', r.timeToBlockExpire);
  }

  private failureKey(ip: string | undefined): string {
    return `auth-failures:${ipTracker({ ip: ip ?? '' })}`;
  }

  private limited(what: string, retryAfterSeconds: number): AppError {
    return new AppError('RATE_LIMITED', `${what}; retry after the number of seconds in Retry-After.`, undefined, Math.max(1, retryAfterSeconds));
  }
}
