import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** Metadata key of the rate-limit bucket a route belongs to. */
export const RATE_LIMIT_BUCKET_KEY = 'rateLimitBucket';

/**
 * The REST rate-limit buckets other than the per-user default:
 * - `auth`: register and login, per client IP (RATE_LIMIT_AUTH_PER_MINUTE), instead of the default;
 * - `hashing`: the other routes that run bcrypt (change email or password, delete the account): the
 *   per-user default plus a per-IP bucket of RATE_LIMIT_AUTH_PER_MINUTE, so a few accounts cannot fill
 *   the hashing pool and push logins into 503;
 * - `refresh`: token refresh, limited per session (RATE_LIMIT_REFRESH_PER_MINUTE) by the auth service
 *   instead of per IP, so reloads and users behind one NAT do not spend the login budget.
 */
export type RateLimitBucket = 'auth' | 'hashing' | 'refresh';

/** Puts a route in a rate-limit bucket (see {@link RateLimitBucket}). */
export const RateLimit = (bucket: RateLimitBucket): MethodDecorator => SetMetadata(RATE_LIMIT_BUCKET_KEY, bucket);

const reflector = new Reflector();

/** The bucket of the route being handled, if any. */
export function rateLimitBucketOf(context: ExecutionContext): RateLimitBucket | undefined {
  return reflector.get<RateLimitBucket | undefined>(RATE_LIMIT_BUCKET_KEY, context.getHandler());
}
