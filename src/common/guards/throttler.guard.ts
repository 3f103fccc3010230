import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Rate limits: authenticated routes are counted per user, public routes per client IP. The IP is
 * Fastify's `request.ip`, which honours X-Forwarded-For only from proxies named in TRUST_PROXY, so a
 * client cannot choose its own bucket.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as { userId?: string } | undefined;
    if (user?.userId) return `user:${user.userId}`;
    return `ip:${String(req.ip)}`;
  }
}
