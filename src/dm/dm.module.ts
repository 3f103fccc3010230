import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UsersModule } from '../users/users.module';
import { DmController } from './dm.controller';
import { DmRepository } from './dm.repository';
import { DmService } from './dm.service';

/** Direct messages: one room per pair of users. */
@Module({
  imports: [BlocksModule, RoomsModule, UsersModule],
  controllers: [DmController],
  providers: [DmRepository, DmService],
  exports: [DmService],
})
export class DmModule {}
