import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { decodeKeysetCursor, DEFAULT_LIMIT, encodeCursor, Page } from '../common/pagination/pagination';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { PushService } from '../push/push.service';
import { FanoutService } from '../realtime/fanout.service';
import type { ServerEvents } from '../realtime/events';
import { RoomAccess } from '../rooms/room-access';
import { RoomRole, RoomType } from '../rooms/room.types';
import { RoomsRepository } from '../rooms/rooms.repository';
import { RoomsService } from '../rooms/rooms.service';
import {
  HistoryPageDto,
  HistoryQueryDto,
  ReactionEventPayload,
  SearchHitDto,
  SearchQueryDto,
  SendMessageBodyDto,
} from './dto/messages.dto';
import { canonicalEmoji } from './emoji';
import { MessageDto } from './dto/message.dto';
import { toMessageDto, withMyReactions } from './message.mapper';
import { MessageBatchWriter } from './message-batch-writer';
import { SendResult, typeMismatch } from './message-send';
import { MessageMeta, MessagesRepository } from './messages.repository';
import { recorder } from '../metrics/recorder';

export type { SendResult } from './message-send';

/** Answer of `POST /rooms/:id/read` and WS `mark_read`. */
export interface ReadResult {
  room_id: string;
  last_read_seq: number;
  unread_count: number;
  /** Mentions of the caller in other people's live messages after the pointer. */
  mention_count: number;
}

/** Answer of WS `sync` for one room. */
export interface ChangesResult {
  room_id: string;
  messages: MessageDto[];
  has_more: boolean;
  /** The seq to sync from next time: the last change returned, or the room's counter when complete. */
  last_seq: number;
}

/** Most changes one `sync` answers per room. */
export const SYNC_MAX_LIMIT = 500;

/**
 * Messages: the one send path shared by REST and the WebSocket gateway, edits, deletes, reactions,
 * read pointers, history, sync and search. Every new message and every change takes the next value
 * of the room's counter inside a transaction holding the room row lock, and is broadcast only after
 * that transaction has committed.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
    private readonly rooms: RoomsService,
    private readonly access: RoomAccess,
    private readonly roomRows: RoomsRepository,
    private readonly fanout: FanoutService,
    private readonly writer: MessageBatchWriter,
    private readonly push: PushService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Stores a message and fans it out as `new_message` to every live connection of every member.
   * Content arrives trimmed and within 4000 characters (the DTO), and may be empty when attachments
   * are given (only the sender's own uploads; the message type follows the first one). A `type` the
   * client names (the original ChatApp client's field) must be that type: "text" without attachments.
   * A repeated `client_msg_id` from the same sender in the same room returns the first message and
   * stores nothing, also when two such requests race.
   * @throws AppError VALIDATION_FAILED (empty or too long content, bad reply target, foreign or
   *   duplicate attachments, `type` not the message's type), NOT_A_MEMBER (403), BLOCKED (403, a DM
   *   whose users blocked one another), ROOM_NOT_FOUND (404).
   */
  async send(userId: string, roomId: string, dto: SendMessageBodyDto): Promise<SendResult> {
    const content = dto.content?.trim() ?? '';
    const attachmentIds = dto.attachment_ids ?? [];
    if (new Set(attachmentIds).size !== attachmentIds.length) {
      throw new AppError('VALIDATION_FAILED', 'attachment_ids must not repeat an upload.', [{ field: 'attachment_ids', problem: 'must not contain duplicates' }]);
    }
    if (content.length === 0 && attachmentIds.length === 0) {
      throw new AppError('VALIDATION_FAILED', 'content must not be empty.', [{ field: 'content', problem: 'must not be empty' }]);
    }
    // Without attachments a message is text; with them it is never text (the uploads decide which kind).
    if (dto.type !== undefined && (dto.type === 'text') !== (attachmentIds.length === 0)) throw typeMismatch(dto.type);
    // One pipeline for every send (group commit for text, the single-send strategy with attachments);
    // only a message this call created is counted, fanned out and pushed, after its commit.
    const result = await this.writer.write({
      roomId,
      senderId: userId,
      content,
      replyToId: dto.reply_to_id ?? null,
      clientMsgId: dto.client_msg_id ?? null,
      attachmentIds,
      claimedType: dto.type,
    });
    if (result.created) {
      recorder.messageStored();
      this.fanout.toRoom(result.message.room_id, 'new_message', result.message);
      this.push.messageStored(result.message);
    }
    return result;
  }

  /**
   * Edits a message's content (sender only), stamping `edited_at` and a new `updated_seq`; the room
   * gets `edit_message`.
   * @throws AppError MESSAGE_NOT_FOUND (404: unknown, deleted, or in a room the caller is not in),
   *   FORBIDDEN (403, not the sender), EDIT_WINDOW_PASSED (422, past MESSAGE_EDIT_WINDOW_SECONDS),
   *   BUSINESS_RULE (422, a system line), VALIDATION_FAILED (content empty or too long).
   */
  async edit(userId: string, messageId: string, content: string): Promise<MessageDto> {
    const trimmed = (content ?? '').trim();
    if (trimmed.length === 0) throw new AppError('VALIDATION_FAILED', 'content must not be empty.', [{ field: 'content', problem: 'must not be empty' }]);
    const meta = await this.changeableMessage(userId, messageId, 'edited');
    const message = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockMessage(manager, meta, userId);
      if (current.deleted_at) throw new AppError('MESSAGE_NOT_FOUND');
      if (current.sender_id !== userId) throw new AppError('FORBIDDEN', 'Only the sender may edit a message.');
      const window = this.config.messageEditWindowSeconds;
      if (window > 0 && current.age_seconds > window) {
        throw new AppError('EDIT_WINDOW_PASSED', `Messages can be edited for ${window} seconds after sending.`);
      }
      const seq = await this.messages.nextChangeSeq(manager, meta.room_id);
      await this.messages.updateContent(manager, messageId, trimmed, seq);
      return toMessageDto((await this.messages.findById(manager, messageId, null))!);
    });
    await this.broadcastPersonalised(meta.room_id, message.id, message.reactions.length > 0, 'edit_message', (mine) =>
      mine ? withMyReactions(message, mine) : message,
    );
    return withMyReactions(message, (await this.messages.reactorsOf(message.id)).get(userId) ?? new Set());
  }

  /**
   * Deletes a message (its sender, or an owner/admin of the room): it becomes a tombstone with the
   * same id and seq, no content, attachments or reactions, `deleted_by` the caller, and a new
   * `updated_seq`; the room gets `delete_message`. Deleting a tombstone again returns it unchanged.
   * @throws AppError MESSAGE_NOT_FOUND (404), FORBIDDEN (403, another member's message), BUSINESS_RULE (422, a system line).
   */
  async remove(userId: string, messageId: string): Promise<MessageDto> {
    const meta = await this.changeableMessage(userId, messageId, 'deleted');
    return this.tombstone(meta, userId, async (current, room) => {
      // The role is read under the room lock, so a member removed a moment ago can no longer delete.
      if (!room.role) throw new AppError('MESSAGE_NOT_FOUND');
      const mayModerate = room.type !== 'dm' && (room.role === 'owner' || room.role === 'admin');
      if (current.sender_id !== userId && !mayModerate) {
        throw new AppError('FORBIDDEN', 'Only the sender or an owner or admin of the room may delete this message.');
      }
    });
  }

  /**
   * A server administrator's delete of any message, in any room (no membership needed): the same
   * tombstone and `delete_message` event as {@link remove}, with `deleted_by` the administrator.
   * @param inTransaction runs in the delete's transaction (the audit row), also when the message was
   *   already a tombstone
   * @throws AppError MESSAGE_NOT_FOUND (404, unknown id), BUSINESS_RULE (422, a system line: read-only
   *   for everyone, and never counted in the room's live-message counter a delete decrements)
   */
  async removeAsServerAdmin(adminId: string, messageId: string, inTransaction: (manager: EntityManager, alreadyDeleted: boolean) => Promise<void>): Promise<MessageDto> {
    const meta = await this.messages.findMeta(this.dataSource, messageId);
    if (!meta) throw new AppError('MESSAGE_NOT_FOUND');
    if (meta.type === 'system') throw new AppError('BUSINESS_RULE', 'System lines (joins, leaves, removals, renames) cannot be deleted.');
    return this.tombstone(meta, adminId, async (current, _room, manager) => inTransaction(manager, current.deleted_at !== null));
  }

  /**
   * The one delete path: takes the room lock and reads the deleter's role under it, re-reads the
   * message, lets `authorize` refuse (or record), then turns a live message into a tombstone deleted
   * by `deletedBy` and broadcasts `delete_message` after commit.
   */
  private async tombstone(
    meta: MessageMeta,
    deletedBy: string,
    authorize: (current: MessageMeta, room: { type: RoomType; role: RoomRole | null }, manager: EntityManager) => Promise<void>,
  ): Promise<MessageDto> {
    const { message, changed } = await this.dataSource.transaction(async (manager) => {
      // A server administrator needs no membership, so the role is read here and judged by `authorize`.
      const room = await this.roomRows.lockForUser(manager, meta.room_id, deletedBy);
      const current = room && (await this.messages.findMeta(manager, meta.id));
      if (!room || !current) throw new AppError('MESSAGE_NOT_FOUND');
      await authorize(current, room, manager);
      if (current.deleted_at) return { message: toMessageDto((await this.messages.findById(manager, meta.id, null))!), changed: false };
      const seq = await this.messages.nextChangeSeq(manager, meta.room_id);
      await this.messages.markDeleted(manager, meta.id, seq, deletedBy);
      return { message: toMessageDto((await this.messages.findById(manager, meta.id, null))!), changed: true };
    });
    if (changed) this.fanout.toRoom(meta.room_id, 'delete_message', message);
    return message;
  }

  /**
   * Adds (`add`) or removes the caller's reaction with one emoji of the allow-list. A change takes a
   * new `updated_seq` and the room gets `reaction`; repeating it changes nothing and sends nothing.
   * @returns the message with its reactions as the caller sees them.
   * @throws AppError VALIDATION_FAILED (emoji not accepted), MESSAGE_NOT_FOUND (404, also deleted messages),
   *   BUSINESS_RULE (422, a system line).
   */
  async react(userId: string, messageId: string, emojiInput: string, add: boolean): Promise<MessageDto> {
    const emoji = canonicalEmoji(emojiInput);
    if (!emoji) {
      throw new AppError('VALIDATION_FAILED', 'emoji is not one of the accepted reactions.', [{ field: 'emoji', problem: 'is not an accepted reaction' }]);
    }
    const meta = await this.changeableMessage(userId, messageId, 'reacted to');
    const { message, changed } = await this.dataSource.transaction(async (manager) => {
      const current = await this.lockMessage(manager, meta, userId);
      if (current.deleted_at) throw new AppError('MESSAGE_NOT_FOUND');
      const did = add
        ? await this.messages.addReaction(manager, messageId, userId, emoji)
        : await this.messages.removeReaction(manager, messageId, userId, emoji);
      if (did) await this.messages.touch(manager, messageId, await this.messages.nextChangeSeq(manager, meta.room_id));
      return { message: toMessageDto((await this.messages.findById(manager, messageId, null))!), changed: did };
    });
    if (changed) {
      const base: ReactionEventPayload = {
        room_id: meta.room_id,
        message_id: messageId,
        user_id: userId,
        emoji,
        action: add ? 'added' : 'removed',
        updated_seq: message.updated_seq,
        reactions: message.reactions,
      };
      await this.broadcastPersonalised(meta.room_id, messageId, true, 'reaction', (mine) =>
        mine ? { ...base, reactions: withMyReactions(message, mine).reactions } : base,
      );
    }
    return withMyReactions(message, (await this.messages.reactorsOf(messageId)).get(userId) ?? new Set());
  }

  /**
   * Moves the caller's read pointer forward to `seq` (clamped to the room's counter; never
   * backwards) and tells the other members with `messages_read` when it moved.
   * @param seq last seq read; undefined or null: everything (the room's counter when read)
   * @returns the pointer and the caller's unread and mention counts after the call.
   * @throws AppError NOT_A_MEMBER (403), ROOM_NOT_FOUND (404).
   */
  async markRead(userId: string, roomId: string, seq?: number | null): Promise<ReadResult> {
    const room = await this.rooms.getAsMember(roomId, userId);
    const lastSeq = room.last_seq;
    const target = seq === undefined || seq === null ? lastSeq : Math.max(0, Math.min(Math.floor(seq), lastSeq));
    const pointer = await this.messages.advanceReadPointer(roomId, userId, target);
    if (!pointer) throw new AppError('NOT_A_MEMBER');
    if (pointer.moved) this.fanout.toRoom(roomId, 'messages_read', { room_id: roomId, user_id: userId, last_read_seq: pointer.lastReadSeq }, userId);
    return { room_id: roomId, last_read_seq: pointer.lastReadSeq, unread_count: pointer.unreadCount, mention_count: pointer.mentionCount };
  }

  /**
   * For WS `sync`: every message of the room whose `updated_seq` is above `afterSeq` (new, edited,
   * deleted as tombstones, reaction changes), ascending `updated_seq`, at most `limit` (1..500).
   * Read in one REPEATABLE READ snapshot, so `last_seq` never skips a change.
   * @throws AppError NOT_A_MEMBER (403), ROOM_NOT_FOUND (404).
   */
  async changesSince(userId: string, roomId: string, afterSeq: number, limit: number): Promise<ChangesResult> {
    await this.rooms.getAsMember(roomId, userId);
    const bounded = Math.max(1, Math.min(Math.floor(limit) || SYNC_MAX_LIMIT, SYNC_MAX_LIMIT));
    const from = Math.max(0, Math.floor(afterSeq) || 0);
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const rows = await this.messages.findChanges(manager, roomId, userId, from, bounded);
      const roomSeq = (await this.messages.roomLastSeq(manager, roomId)) ?? from;
      const hasMore = rows.length > bounded;
      const messages = rows.slice(0, bounded).map(toMessageDto);
      const lastSeq = hasMore ? messages[messages.length - 1].updated_seq : Math.max(from, roomSeq);
      return { room_id: roomId, messages, has_more: hasMore, last_seq: lastSeq };
    });
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
    const limit = query.limit ?? DEFAULT_LIMIT;
    const { rows, hasMore } = await this.messages.findPage(roomId, userId, {
      before: query.before,
      after: query.after,
      limit,
      offset: query.page ? (query.page - 1) * limit : 0,
    });
    // The page statement answers members only; an empty page may be an empty room or no access.
    if (rows.length === 0) await this.rooms.getAsMember(roomId, userId);
    return { items: rows.map(toMessageDto), has_more: hasMore };
  }

  /**
   * `GET /messages/search`: full-text search over the caller's rooms only (or one of them), newest
   * first, with a highlighted snippet (HTML-escaped, matches in `<mark>`).
   * @throws AppError VALIDATION_FAILED (bad q or cursor), NOT_A_MEMBER / ROOM_NOT_FOUND (room_id not the caller's).
   */
  async search(userId: string, query: SearchQueryDto): Promise<Page<SearchHitDto>> {
    const q = query.q.trim();
    if (query.room_id) await this.rooms.getAsMember(query.room_id, userId);
    const limit = query.limit ?? DEFAULT_LIMIT;
    const after = query.cursor ? decodeKeysetCursor(query.cursor) : null;
    const rows = await this.messages.search(userId, q, { roomId: query.room_id, limit, after });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({ ...toMessageDto(row), snippet: row.snippet })),
      next_cursor: rows.length > limit && last ? encodeCursor([last.created_key, last.id]) : null,
    };
  }

  /**
   * A message the caller may act on (or report): it exists and the caller belongs to its room.
   * @throws AppError MESSAGE_NOT_FOUND otherwise (an outsider cannot tell a foreign message from none).
   */
  async visibleMessage(userId: string, messageId: string): Promise<MessageMeta> {
    const meta = await this.messages.findMeta(this.dataSource, messageId);
    if (!meta) throw new AppError('MESSAGE_NOT_FOUND');
    try {
      await this.rooms.getAsMember(meta.room_id, userId);
    } catch (err) {
      if (err instanceof AppError) throw new AppError('MESSAGE_NOT_FOUND');
      throw err;
    }
    return meta;
  }

  /**
   * A message the caller may act on ({@link visibleMessage}) that is not a system line: those record
   * what the server saw happen, so no member edits, deletes, reacts to or reports them (a message's
   * type never changes, so checking before the transaction is enough).
   * @param action how the refusal words it ("edited", "deleted", "reacted to", "reported")
   * @throws AppError MESSAGE_NOT_FOUND (404, see visibleMessage), BUSINESS_RULE (422, a system line).
   */
  async changeableMessage(userId: string, messageId: string, action: string): Promise<MessageMeta> {
    const meta = await this.visibleMessage(userId, messageId);
    if (meta.type === 'system') throw new AppError('BUSINESS_RULE', `System lines (joins, leaves, removals, renames) cannot be ${action}.`);
    return meta;
  }

  /**
   * Takes the room lock (serializing every change in the room, membership changes included) and
   * re-reads the message and the caller's membership under it, so a member removed a moment ago can
   * no longer change anything.
   * @throws AppError MESSAGE_NOT_FOUND when the message is gone or the caller is no longer a member.
   */
  private async lockMessage(manager: EntityManager, meta: MessageMeta, userId: string): Promise<MessageMeta> {
    await this.access.lock(manager, meta.room_id, userId, 'member').catch((err: unknown) => {
      throw err instanceof AppError ? new AppError('MESSAGE_NOT_FOUND') : err;
    });
    const current = await this.messages.findMeta(manager, meta.id);
    if (!current) throw new AppError('MESSAGE_NOT_FOUND');
    return current;
  }

  /**
   * Broadcasts a message event whose `reactions[].me` depends on the receiver: one room envelope
   * (kept in the room's seq order) carrying a variant for each member who reacted.
   */
  private async broadcastPersonalised<T extends 'edit_message' | 'reaction'>(
    roomId: string,
    messageId: string,
    hasReactions: boolean,
    type: T,
    render: (myEmojis: ReadonlySet<string> | null) => ServerEvents[T],
  ): Promise<void> {
    if (!hasReactions) {
      this.fanout.toRoom(roomId, type, render(null));
      return;
    }
    const reactors = await this.messages.reactorsOf(messageId);
    const variants = new Map<string, ServerEvents[T]>();
    for (const [userId, mine] of reactors) variants.set(userId, render(mine));
    this.fanout.toRoomPersonalised(roomId, type, render(null), variants);
  }
}
