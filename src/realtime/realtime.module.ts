import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BlocksModule } from '../blocks/blocks.module';
import { MessagesModule } from '../messages/messages.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ChatGateway } from './chat.gateway';
import { ConnectionLifecycle } from './connection-lifecycle';
import { WsAuthGuard } from './ws-auth.guard';
import { WsDispatcher } from './ws-dispatcher';
import { WsDrain } from './ws-drain';
import { WsExceptionFilter } from './ws-exception.filter';
import { WsRateLimitGuard } from './ws-rate-limit.guard';
import { WsRoomMemberGuard } from './ws-room-member.guard';
import { WsSync } from './ws-sync';

/** The WebSocket gateway, wired to the same services as the REST controllers. */
@Module({
  imports: [AuthModule, BlocksModule, UsersModule, RoomsModule, MessagesModule],
  providers: [ChatGateway, ConnectionLifecycle, WsDispatcher, WsAuthGuard, WsRateLimitGuard, WsRoomMemberGuard, WsExceptionFilter, WsDrain, WsSync],
})
export class RealtimeModule {}
