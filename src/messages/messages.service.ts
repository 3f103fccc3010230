import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/postgres';
import { DEFAULT_LIMIT } from '../common/pagination/pagination';
import { FanoutService } from '../realtime/fanout.service';
import { RoomsService } from '../rooms/rooms.service';
import { CONTENT_MAX_CHARS, HistoryPageDto, HistoryQueryDto, SendMessageBodyDto } from './dto/messages.dto';
import { MessageDto, toMessageDto } from './message.presenter';
import { MessagesRepository } from './messages.repository';

/** Result of a send: the stored message and whether this call created it (false for a retry). */
export interface SendResult {
  message: MessageDto;
  created: boolean;
}

/**
 * Messages: the one send path shared by REST and the WebSocket gateway, and history pages.
 * A message gets its seq from the room's counter inside the insert transaction and is broadcast
 * only after that transaction has committed.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
    private readonly rooms: RoomsService,
    private readonly fanout: FanoutService,
  ) {}

  /**
   * Stores a message and fans it out as `new_message` to every live connection of every member.
   * A repeated `client_msg_id` from the same sender returns the first message and stores nothing.
   * @throws AppError VALIDATION_FAILED (empty or too long content, bad reply target),
   *   NOT_A_MEMBER (403), ROOM_NOT_FOUND (404).
   */
  async send(userId: string, roomId: string, dto: SendMessageBodyDto): Promise<SendResult> {
    const content = dto.content?.trim() ?? '';
    const hasAttachments = (dto.attachment_ids?.length ?? 0) > 0;
    if (hasAttachments) {
      // Uploads are not part of this slice yet: refuse rather than silently drop them.
      throw new AppError('VALIDATION_FAILED', 'attachment_ids are not supported yet.', [{ field: 'attachment_ids', problem: 'are not supported yet' }]);
    }
    if (content.length === 0) {
      throw new AppError('VALIDATION_FAILED', 'content must not be empty.', [{ field: 'content', problem: 'must not be empty' }]);
    }
    if (content.length > CONTENT_MAX_CHARS) {
      throw new AppError('VALIDATION_FAILED', `content must be at most ${CONTENT_MAX_CHARS} characters.`, [
        { field: 'content', problem: `must be at most ${CONTENT_MAX_CHARS} characters` },
      ]);
    }
    await this.rooms.getAsMember(roomId, userId);
    const clientMsgId = dto.client_msg_id ?? null;

    let result: SendResult;
    try {
      result = await this.dataSource.transaction(async (manager) => {
        if (!(await this.messages.lockRoom(manager, roomId))) throw new AppError('ROOM_NOT_FOUND');
        // Checked after taking the room lock, so a racing twin of this request sees the first commit.
        if (clientMsgId) {
          const existing = await this.messages.findByClientMsgId(manager, userId, clientMsgId);
          if (existing) return { message: toMessageDto(existing), created: false };
        }
        if (dto.reply_to_id && !(await this.messages.existsInRoom(manager, dto.reply_to_id, roomId))) {
          throw new AppError('VALIDATION_FAILED', 'reply_to_id must name a message of this room.', [
            { field: 'reply_to_id', problem: 'must name a message of this room' },
          ]);
        }
        const seq = await this.messages.nextSeq(manager, roomId);
        const row = await this.messages.insert(manager, {
          roomId,
          seq,
          senderId: userId,
          content,
          replyToId: dto.reply_to_id ?? null,
          clientMsgId,
        });
        return { message: toMessageDto(row), created: true };
      });
    } catch (err) {
      // The same client_msg_id raced into another room: the first one wins, this call returns it.
      if (clientMsgId && isUniqueViolation(err, 'messages_sender_client_msg_uq')) {
        const existing = await this.messages.findByClientMsgId(this.dataSource, userId, clientMsgId);
        if (existing) return { message: toMessageDto(existing), created: false };
      }
      throw err;
    }
    if (result.created) this.fanout.toRoom(roomId, 'new_message', result.message);
    return result;
  }

  /**
   * A page of history for a member, ascending seq, deleted messages left out.
   * @throws AppError VALIDATION_FAILED (before and after together), NOT_A_MEMBER, ROOM_NOT_FOUND.
   */
  async history(userId: string, roomId: string, query: HistoryQueryDto): Promise<HistoryPageDto> {
    const given = [query.before, query.after, query.page].filter((v) => v !== undefined).length;
    if (given > 1) {
      throw new AppError('VALIDATION_FAILED', 'use only one of before, after and page.', [
        { field: 'before', problem: 'cannot be combined with after or page' },
      ]);
    }
    await this.rooms.getAsMember(roomId, userId);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const { rows, hasMore } = await this.messages.findPage(roomId, {
      before: query.before,
      after: query.after,
      limit,
      offset: query.page ? (query.page - 1) * limit : 0,
    });
    return { items: rows.map(toMessageDto), has_more: hasMore };
  }
}
