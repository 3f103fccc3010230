import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { RoomAccess } from './room-access';
import { RoomsController } from './rooms.controller';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

/** Rooms and their members. */
@Module({
  imports: [UsersModule],
  controllers: [RoomsController],
  providers: [RoomsRepository, RoomAccess, RoomsService],
  exports: [RoomsService, RoomsRepository, RoomAccess],
})
export class RoomsModule {}
