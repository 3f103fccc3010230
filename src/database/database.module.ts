import { Global, Module } from '@nestjs/common';
import { RoomsRepository } from '../rooms/rooms.repository';
import { UsersRepository } from '../users/users.repository';

/**
 * The repositories that more than one layer reads — users and room memberships, needed by the
 * domain modules and by realtime (presence, profile updates, routing), which depends on no domain
 * module — provided once for the whole application. They hold only SQL (see src/database/sql.ts).
 */
@Global()
@Module({
  providers: [UsersRepository, RoomsRepository],
  exports: [UsersRepository, RoomsRepository],
})
export class DatabaseModule {}
