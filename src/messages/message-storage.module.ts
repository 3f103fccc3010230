import { Module } from '@nestjs/common';
import { MessagesRepository } from './messages.repository';
import { SystemLines } from './system-lines';

/**
 * The messages table's repository and the system-line writer, with no dependency on rooms: the rooms
 * module imports this to record joins, leaves, removals and renames in its own transactions, while
 * the messages module (which needs the rooms service) builds on it too.
 */
@Module({
  providers: [MessagesRepository, SystemLines],
  exports: [MessagesRepository, SystemLines],
})
export class MessageStorageModule {}
