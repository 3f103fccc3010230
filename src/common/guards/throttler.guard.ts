import { ExecutionContext, Injectable } from '@nestjs/common';
import { normalizeIp, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { AppError } from '../errors/app-error';

/**
 * The tracker of a client address: `ip:<address>`, IPv6 grouped by /64 (the library default), since
 * one subscriber usually owns a whole prefix. The address is Fastify's `request.ip`: the socket
 * address, or the X-Forwarded-For hop chosen by the proxies named in TRUST_PROXY, so a client cannot
 * pick its bucket with a forged header.
 */
export function ipTracker(req: Record<string, unknown>): string {
  return `ip:${normalizeIp(typeof req.ip === 'string' ? req.ip : '')}`;
}

/**
 * Rate limits (API.md: 429 RATE_LIMITED with Retry-After), buckets chosen by `@RateLimit()`:
 * - the `auth` throttler (register, login) counts per client IP, one bucket over both;
 * - the `hashing` throttler counts per client IP over the other password-checking routes;
 * - the `default` throttler counts per authenticated user over every other route together (per IP for
 *   the few public ones); refresh is limited per session by the auth service instead.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  /** `user:<id>` for authenticated requests, else `ip:<address>`. */
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as { userId?: string } | undefined;
    if (user?.userId) return `user:${user.userId}`;
    return ipTracker(req);
  }

  /** One bucket per throttler and tracker, shared by every route (the library default is per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  /** A 429 in the API's shape whose Retry-After is the seconds until the bucket lets requests through. */
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new AppError('RATE_LIMITED', 'Too many requests; retry after the number of seconds in Retry-After.', undefined, Math.max(1, detail.timeToBlockExpire));
  }
}
