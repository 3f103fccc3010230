import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConnectionLifecycle } from './connection-lifecycle';
import type { ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';

/**
 * First gateway guard: asks {@link ConnectionLifecycle.admit} whether the frame may be handled given
 * the socket's auth stage. {@link WsDispatcher} runs it synchronously as the frame arrives, so an
 * `auth` frame marks the socket as authenticating before any later frame is looked at.
 */
@Injectable()
export class WsAuthGuard implements CanActivate {
  constructor(private readonly lifecycle: ConnectionLifecycle) {}

  /**
   * @returns true to go on, false to drop the frame unanswered (the socket is closing), or a promise
   *   of either for a frame that waits for the socket's authentication.
   * @throws AppError BAD_REQUEST for an `auth` frame while authenticating.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const ws = context.switchToWs();
    return this.lifecycle.admit(ws.getClient<ChatSocket>(), ws.getData<ClientFrame>());
  }
}
