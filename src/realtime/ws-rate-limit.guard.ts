import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import type { ChatSocket } from './connection-registry';
import { CloseCode } from './events';
import { WsRateLimiter } from './ws-rate-limiter';

/**
 * Gateway guard: every frame of an authenticated user takes a token from the user's bucket (shared
 * by all their connections). Refused frames get `error` RATE_LIMITED with `retry_after_ms`; a user
 * who keeps going is closed with 4429.
 */
@Injectable()
export class WsRateLimitGuard implements CanActivate {
  constructor(private readonly limiter: WsRateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const client = context.switchToWs().getClient<ChatSocket>();
    const userId = client.chat.userId;
    if (!userId) return true; // only `auth` gets here unauthenticated (WsAuthGuard runs first)
    const decision = await this.limiter.take(userId);
    if (decision.allowed) return true;
    if (decision.abusive) {
      client.close(CloseCode.RATE_LIMITED, 'rate limit exceeded');
      return false;
    }
    throw new AppError('RATE_LIMITED', 'Too many frames; slow down.', undefined, decision.retryAfterMs / 1000);
  }
}
