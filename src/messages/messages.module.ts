import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module';
import { PushModule } from '../push/push.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UploadsModule } from '../uploads/uploads.module';
import { MessageActionsController } from './message-actions.controller';
import { MessageBatchWriter } from './message-batch-writer';
import { MessageStorageModule } from './message-storage.module';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { ReadController } from './read.controller';

/** Messages of rooms: sending, history, edits, deletes, reactions, read pointers, sync and search. */
@Module({
  imports: [MessageStorageModule, BlocksModule, RoomsModule, UploadsModule, PushModule],
  controllers: [MessagesController, MessageActionsController, ReadController],
  providers: [MessageBatchWriter, MessagesService],
  exports: [MessagesService],
})
export class MessagesModule {}
