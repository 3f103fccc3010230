import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BlocksModule } from '../blocks/blocks.module';
import { MessagesModule } from '../messages/messages.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { ChatGateway } from './chat.gateway';
import { ConnectionLifecycle } from './connection-lifecycle';
import { WsDrain } from './ws-drain';
import { WsSync } from './ws-sync';

/** The WebSocket gateway, wired to the same services as the REST controllers. */
@Module({
  imports: [AuthModule, BlocksModule, UsersModule, RoomsModule, MessagesModule],
  providers: [ChatGateway, ConnectionLifecycle, WsDrain, WsSync],
})
export class RealtimeModule {}
