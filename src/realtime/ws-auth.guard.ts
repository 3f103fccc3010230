import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { ChatSocket } from './connection-registry';
import { CloseCode } from './events';
import type { ClientFrame } from './ws-frame';

/** Per-connection promise of the header authentication still running, if any. */
export const pendingAuth = new WeakMap<object, Promise<unknown>>();

/**
 * Gateway guard: until a connection has authenticated, the only frame accepted is `auth`; any other
 * frame closes it with 4401 (API.md). Waits for a header authentication that is still in flight.
 */
@Injectable()
export class WsAuthGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const client = context.switchToWs().getClient<ChatSocket>();
    const frame = context.switchToWs().getData<ClientFrame>();
    const pending = pendingAuth.get(client);
    if (pending) await pending.catch(() => undefined);
    if (client.chat.userId) return true;
    if (frame.type === 'auth') return true;
    client.close(CloseCode.UNAUTHORIZED, 'authentication required');
    return false;
  }
}
