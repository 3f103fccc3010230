import { Module } from '@nestjs/common';
import { MessageStorageModule } from '../messages/message-storage.module';
import { UsersModule } from '../users/users.module';
import { RoomAccess } from './room-access';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

/** Rooms and their members. */
@Module({
  imports: [UsersModule, MessageStorageModule],
  controllers: [RoomsController],
  providers: [RoomAccess, RoomsService],
  exports: [RoomsService, RoomAccess],
})
export class RoomsModule {}
