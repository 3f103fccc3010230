import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ConnectionLifecycle } from './connection-lifecycle';
import type { ChatSocket } from './connection-registry';
import { CloseCode } from './events';
import { WsRateLimiter } from './ws-rate-limiter';

/**
 * Gateway guard: every frame of an authenticated user takes a token from the user's bucket (shared
 * by all their connections). Every refused frame gets its `error` RATE_LIMITED with `retry_after_ms`;
 * once the refusals amount to sustained abuse (see isAbusive) the connection is also closed with 4429,
 * after the answers to the frames it already sent (acks of accepted sends included) have gone out.
 */
@Injectable()
export class WsRateLimitGuard implements CanActivate {
  constructor(
    private readonly limiter: WsRateLimiter,
    private readonly lifecycle: ConnectionLifecycle,
  ) {}

  /**
   * @returns true to go on; false to drop the frame unanswered (its socket is closing).
   * @throws AppError RATE_LIMITED (with retry_after_ms) for a frame over the user's rate.
   */
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const client = context.switchToWs().getClient<ChatSocket>();
    const userId = client.chat.userId;
    if (!userId) return true; // only the `auth` frame that starts authentication gets here unauthenticated
    if (this.closing(client)) return false;
    const decision = await this.limiter.take(userId);
    // Frames that arrived in the same read as the one found abusive are dropped without an answer.
    if (this.closing(client)) return false;
    if (decision.allowed) return true;
    if (decision.abusive) this.lifecycle.closeWhenAnswered(client, CloseCode.RATE_LIMITED, 'rate limit exceeded');
    throw new AppError('RATE_LIMITED', 'Too many frames; slow down.', undefined, decision.retryAfterMs / 1000);
  }

  /** True once the socket is closed or waiting to close (4429): its frames get no more answers. */
  private closing(client: ChatSocket): boolean {
    return client.chat.closing !== null || client.readyState !== 1;
  }
}
