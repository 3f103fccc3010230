import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BlocksService } from '../blocks/blocks.service';
import { isUniqueViolation } from '../common/errors/postgres';
import { RoomsRepository } from '../rooms/rooms.repository';
import { kindOfMime } from '../uploads/file-inspector';
import { UploadsRepository } from '../uploads/uploads.repository';
import { MessageType } from './dto/message.dto';
import { PendingSend, SendOutcome, SingleSendStrategy } from './message-send';
import { MessagesRepository } from './messages.repository';

/**
 * The single-send strategy: one transaction per send, holding the room row lock (the same lock the
 * group-commit statement takes, so a room's seqs stay in commit order across both). Every check is
 * made under the lock, so a kick or a twin that committed a moment ago wins.
 */
@Injectable()
export class SingleMessageSender implements SingleSendStrategy {
  constructor(
    private readonly dataSource: DataSource,
    private readonly messages: MessagesRepository,
    private readonly rooms: RoomsRepository,
    private readonly uploads: UploadsRepository,
    private readonly blocks: BlocksService,
  ) {}

  /** See {@link SingleSendStrategy.storeOne}. Checks that find a problem write nothing. */
  async storeOne(send: PendingSend): Promise<SendOutcome> {
    const { roomId, senderId, clientMsgId, replyToId } = send;
    const attachmentIds = send.attachmentIds ?? [];
    try {
      return await this.dataSource.transaction(async (tx): Promise<SendOutcome> => {
        const room = await this.rooms.lockForUser(tx, roomId, senderId);
        if (!room) return { outcome: 'no_room' };
        if (room.role === null) return { outcome: 'not_member', room_type: room.type };
        if (room.type === 'dm' && (await this.blocks.dmBlocked(roomId, tx))) return { outcome: 'blocked' };
        // Checked after taking the room lock, so a racing twin of this request sees the first commit.
        if (clientMsgId) {
          const existing = await this.messages.findByClientMsgId(tx, senderId, roomId, clientMsgId);
          if (existing) return { outcome: 'existing', message: existing };
        }
        if (replyToId && !(await this.messages.existsInRoom(tx, replyToId, roomId))) return { outcome: 'bad_reply' };
        const type = await this.attachmentType(tx, senderId, attachmentIds);
        if (type === null) return { outcome: 'bad_attachments' };
        if (send.claimedType !== undefined && send.claimedType !== type) return { outcome: 'wrong_type', claimed_type: send.claimedType, actual_type: type };
        const seq = await this.messages.nextSeq(tx, roomId);
        const content = send.content.length > 0 ? send.content : null;
        const id = await this.messages.insert(tx, { roomId, seq, senderId, type, content, replyToId, clientMsgId });
        await this.messages.attach(tx, id, attachmentIds);
        return { outcome: 'stored', message: (await this.messages.findById(tx, id, senderId))! };
      });
    } catch (err) {
      // A twin of this send committed first (another instance's batch): the first one wins.
      if (clientMsgId && isUniqueViolation(err, 'messages_sender_room_client_msg_uq')) {
        const existing = await this.messages.findByClientMsgId(this.dataSource, senderId, roomId, clientMsgId);
        if (existing) return { outcome: 'existing', message: existing };
      }
      throw err;
    }
  }

  /**
   * The message type for a set of attachments (text when none): the kind of the first upload.
   * @returns null when an id is unknown or someone else's (not told apart).
   */
  private async attachmentType(tx: Parameters<UploadsRepository['findOwned']>[0], senderId: string, ids: string[]): Promise<MessageType | null> {
    if (ids.length === 0) return 'text';
    const owned = await this.uploads.findOwned(tx, senderId, ids);
    if (owned.length !== ids.length) return null;
    const first = owned.find((u) => u.id.toLowerCase() === ids[0].toLowerCase())!;
    return kindOfMime(first.mime);
  }
}
