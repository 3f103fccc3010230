import { Module } from '@nestjs/common';
import { MessagesModule } from '../messages/messages.module';
import { RoomsModule } from '../rooms/rooms.module';
import { ContentAdminController } from './content-admin.controller';
import { ContentAdminService } from './content-admin.service';

/**
 * Server admins' content routes (messages, rooms). Apart from {@link AdminModule} because it needs
 * the messaging modules, which the admin CLI does not load.
 */
@Module({
  imports: [MessagesModule, RoomsModule],
  controllers: [ContentAdminController],
  providers: [ContentAdminService],
  exports: [ContentAdminService],
})
export class ContentAdminModule {}
