import { Module } from '@nestjs/common';
import { BlocksModule } from '../blocks/blocks.module';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { GroupCommitPool } from '../database/group-commit-pool';
import { PushModule } from '../push/push.module';
import { RoomsModule } from '../rooms/rooms.module';
import { UploadsModule } from '../uploads/uploads.module';
import { MessageActionsController } from './message-actions.controller';
import { MAX_FLUSHES_IN_FLIGHT, MessageBatchWriter } from './message-batch-writer';
import { SINGLE_SEND_STRATEGY } from './message-send';
import { MessageStorageModule } from './message-storage.module';
import { MessagesController } from './messages.controller';
import { GROUP_COMMIT_SESSION_OPTIONS } from './messages.repository';
import { MessagesService } from './messages.service';
import { ReadController } from './read.controller';
import { SingleMessageSender } from './single-message-sender';

/** Messages of rooms: sending, history, edits, deletes, reactions, read pointers, sync and search. */
@Module({
  imports: [MessageStorageModule, BlocksModule, RoomsModule, UploadsModule, PushModule],
  controllers: [MessagesController, MessageActionsController, ReadController],
  providers: [
    {
      provide: GroupCommitPool,
      inject: [APP_CONFIG],
      // One connection per batch in flight; URL and statement timeout as the main pool's.
      useFactory: (config: AppConfig) =>
        new GroupCommitPool(config.databaseUrl!, { poolSize: MAX_FLUSHES_IN_FLIGHT, statementTimeoutMs: config.dbStatementTimeoutMs }, GROUP_COMMIT_SESSION_OPTIONS),
    },
    { provide: SINGLE_SEND_STRATEGY, useClass: SingleMessageSender },
    MessageBatchWriter,
    MessagesService,
  ],
  exports: [MessagesService],
})
export class MessagesModule {}
