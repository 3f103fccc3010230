import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors/app-error';
import { ConnectionRegistry, ChatSocket } from './connection-registry';
import type { ClientFrame } from './ws-frame';

/**
 * Gateway guard for room-scoped routes (typing, stop_typing; `roomScoped` in the gateway's route
 * table): checks membership against the in-memory routing table, so high-frequency frames cost no
 * database query. A malformed room_id is left for the validation pipe to refuse.
 */
@Injectable()
export class WsRoomMemberGuard {
  constructor(private readonly registry: ConnectionRegistry) {}

  /** @throws AppError NOT_A_MEMBER when `payload.room_id` is a well-formed id of a room the caller is not in. */
  check(client: ChatSocket, frame: ClientFrame): void {
    const roomId = frame.payload.room_id;
    if (typeof roomId !== 'string' || !/^[0-9a-f-]{36}$/i.test(roomId)) return;
    if (client.chat.userId && this.registry.roomsOf(client.chat.userId).has(roomId)) return;
    throw new AppError('NOT_A_MEMBER');
  }
}
