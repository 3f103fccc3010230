import { Module } from '@nestjs/common';
import { MessageStorageModule } from '../messages/message-storage.module';
import { UsersModule } from '../users/users.module';
import { RoomsController } from './rooms.controller';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

/** Rooms and their members. */
@Module({
  imports: [UsersModule, MessageStorageModule],
  controllers: [RoomsController],
  providers: [RoomsRepository, RoomsService],
  exports: [RoomsService, RoomsRepository],
})
export class RoomsModule {}
