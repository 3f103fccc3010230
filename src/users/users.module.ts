import { Module } from '@nestjs/common';
import { RealtimeCoreModule } from '../realtime/realtime-core.module';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users and their public profiles. */
@Module({
  imports: [RealtimeCoreModule],
  controllers: [UsersController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
