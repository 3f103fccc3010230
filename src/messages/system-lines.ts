import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { FanoutService } from '../realtime/fanout.service';
import { MessageDto } from './dto/message.dto';
import { toMessageDto } from './message.mapper';
import { MessagesRepository } from './messages.repository';
import { SystemEvent, SystemLineDto } from './system-line.dto';

/** What happened, as the room's services report it to {@link SystemLines.record}. */
export interface SystemLineInput {
  event: SystemEvent;
  /** The member the line is about (the renamer for room_renamed). */
  userId: string;
  /** Who did it (the message's sender): the user themselves for joins, leaves and renames. */
  actorId: string;
  /** room_renamed: the new name. */
  name?: string;
}

/**
 * System lines (joins, leaves, removals, renames): the one way they are stored and announced. The
 * rooms service calls {@link record} inside the transaction that changes the membership or the name,
 * holding the room lock, so the line takes the room's next seq in the order of the events, and
 * {@link announce} after that transaction commits. Lives with the messages table, not with the rooms
 * service, and depends on nothing of rooms, so the rooms module can use it without a cycle.
 *
 * A system line is a message of type `system` with `content` null and `system` set; it is never
 * unread and mentions nobody (see MessagesRepository.insertSystemLine), nobody may edit, delete,
 * react to or reply to it (MessagesService refuses), it has no text to search, and it is never pushed.
 */
@Injectable()
export class SystemLines {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly fanout: FanoutService,
  ) {}

  /**
   * Stores a system line in the caller's transaction (which must hold the room lock).
   * @returns the line as every member sees it (for {@link announce} after commit).
   */
  async record(manager: EntityManager, roomId: string, input: SystemLineInput): Promise<MessageDto> {
    const payload: SystemLineDto = { event: input.event, user_id: input.userId };
    // actor_id only when someone else did it: a join, leave or rename is its own actor (the sender).
    if (input.actorId !== input.userId) payload.actor_id = input.actorId;
    if (input.name !== undefined) payload.name = input.name;
    const id = await this.messages.insertSystemLine(manager, roomId, input.actorId, payload);
    return toMessageDto((await this.messages.findById(manager, id, null))!);
  }

  /**
   * Fans committed lines out as `new_message` to the room's members, in seq order with the room's
   * other events. `departedUserId`: a member who just left or was removed still sees the line about
   * them (as Element shows "You were removed"): it goes to them directly, since their connections
   * stop receiving the room at once; call this before FanoutService.memberLeft.
   */
  announce(lines: readonly MessageDto[], departedUserId?: string): void {
    for (const line of lines) {
      this.fanout.toRoom(line.room_id, 'new_message', line, departedUserId);
      if (departedUserId) this.fanout.toUser(departedUserId, 'new_message', line);
    }
  }
}
