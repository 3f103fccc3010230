import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { Page } from '../common/pagination/pagination';
import { MessageDto } from '../messages/dto/message.dto';
import { MessagesService } from '../messages/messages.service';
import { RoomsRepository } from '../rooms/rooms.repository';
import { RoomsService } from '../rooms/rooms.service';
import { AuditService } from './audit.service';
import { AdminRoomDto } from './content-admin.dto';

/**
 * Content administration by server admins: delete any message or room through the same deletion
 * paths members use (so members see the same tombstones and `delete_message` / `room_deleted`
 * events), and list every room with its sizes. Each deletion writes its audit row in its transaction.
 */
@Injectable()
export class ContentAdminService {
  constructor(
    private readonly messages: MessagesService,
    private readonly rooms: RoomsService,
    private readonly roomsRepo: RoomsRepository,
    private readonly audit: AuditService,
  ) {}

  /**
   * Tombstones any message with `deleted_by` the admin; members get `delete_message`. Deleting a
   * tombstone again returns it unchanged (and is audited with `already_deleted`).
   * @param details more audit details (the report that led to it)
   * @param also runs in the same transaction (resolving that report)
   * @throws AppError MESSAGE_NOT_FOUND (404), BUSINESS_RULE (422, a system line)
   */
  deleteMessage(adminId: string, messageId: string, details: Record<string, unknown> = {}, also?: (manager: EntityManager) => Promise<void>): Promise<MessageDto> {
    return this.messages.removeAsServerAdmin(adminId, messageId, async (manager, alreadyDeleted) => {
      await this.audit.record(`user:${adminId}`, 'message.delete', messageId, { ...details, already_deleted: alreadyDeleted }, manager);
      if (also) await also(manager);
    });
  }

  /**
   * Deletes any room, DMs included, with its messages; members get `room_deleted`.
   * @throws AppError ROOM_NOT_FOUND (404)
   */
  async deleteRoom(adminId: string, roomId: string): Promise<{ room_id: string; deleted: true }> {
    const room = await this.roomsRepo.findRoomForUser(roomId, adminId);
    if (!room) throw new AppError('ROOM_NOT_FOUND');
    await this.rooms.removeAsServerAdmin(adminId, roomId, async (manager) => {
      await this.audit.record(`user:${adminId}`, 'room.delete', roomId, { name: room.name, type: room.type, member_count: Number(room.member_count) }, manager);
    });
    return { room_id: roomId, deleted: true };
  }

  /** Every room, newest first, with sizes. @throws AppError INVALID_CURSOR */
  async listRooms(q: string | undefined, limit?: number, cursor?: string): Promise<Page<AdminRoomDto>> {
    const page = await this.rooms.listForServerAdmin(q, limit, cursor);
    return {
      items: page.items.map((r) => ({
        id: r.id,
        type: r.type,
        name: r.name,
        owner_id: r.owner_id,
        member_count: Number(r.member_count),
        message_count: Number(r.message_count),
        last_activity_at: new Date(r.last_activity_at).toISOString(),
        created_at: new Date(r.created_at).toISOString(),
      })),
      next_cursor: page.next_cursor,
    };
  }
}
