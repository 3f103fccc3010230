import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/errors/app-error';
import { ConnectionRegistry, ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';
import { ROOM_SCOPED_KEY } from './ws-route';

/**
 * Gateway guard for room-scoped routes (typing, stop_typing: `roomScoped` in the gateway's route
 * table, which marks their handlers with {@link ROOM_SCOPED_KEY}): checks membership against the
 * in-memory routing table, so high-frequency frames cost no database query. A malformed room_id is
 * left for the validation pipe to refuse.
 */
@Injectable()
export class WsRoomMemberGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ConnectionRegistry,
  ) {}

  /** @throws AppError NOT_A_MEMBER when `payload.room_id` is a well-formed id of a room the caller is not in. */
  canActivate(context: ExecutionContext): boolean {
    if (!this.reflector.get<boolean | undefined>(ROOM_SCOPED_KEY, context.getHandler())) return true;
    const ws = context.switchToWs();
    const client = ws.getClient<ChatSocket>();
    const roomId = ws.getData<ClientFrame>().payload?.room_id;
    if (typeof roomId !== 'string' || !/^[0-9a-f-]{36}$/i.test(roomId)) return true;
    if (client.chat.userId && this.registry.roomsOf(client.chat.userId).has(roomId)) return true;
    throw new AppError('NOT_A_MEMBER');
  }
}
