import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/errors/app-error';
import { ConnectionRegistry, ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';

const ROOM_SCOPED_KEY = 'wsRoomScoped';

/** Marks a gateway handler whose `payload.room_id` must be a room the caller belongs to. */
export const RoomScoped = (): MethodDecorator => SetMetadata(ROOM_SCOPED_KEY, true);

/**
 * Gateway guard for `@RoomScoped()` handlers (typing, stop_typing): checks membership against the
 * in-memory routing table, so high-frequency frames cost no database query. A malformed room_id is
 * left for the validation pipe to refuse.
 */
@Injectable()
export class WsRoomMemberGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ConnectionRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.reflector.get<boolean>(ROOM_SCOPED_KEY, context.getHandler())) return true;
    const client = context.switchToWs().getClient<ChatSocket>();
    const roomId = context.switchToWs().getData<ClientFrame>().payload?.room_id;
    if (typeof roomId !== 'string' || !/^[0-9a-f-]{36}$/i.test(roomId)) return true;
    if (client.chat.userId && this.registry.roomsOf(client.chat.userId).has(roomId)) return true;
    throw new AppError('NOT_A_MEMBER');
  }
}
