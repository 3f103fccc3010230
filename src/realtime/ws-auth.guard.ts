import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConnectionLifecycle } from './connection-lifecycle';
import type { ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';

/**
 * First gateway guard: asks {@link ConnectionLifecycle.admit} whether the frame may be handled given
 * the socket's auth stage. It runs synchronously as the frame arrives, so an `auth` frame marks the
 * socket as authenticating before any later frame is looked at.
 */
@Injectable()
export class WsAuthGuard implements CanActivate {
  constructor(private readonly lifecycle: ConnectionLifecycle) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.lifecycle.admit(context.switchToWs().getClient<ChatSocket>(), context.switchToWs().getData<ClientFrame>());
  }
}
