import { AppError } from '../common/errors/app-error';
import { MessageDto, MessageType } from './dto/message.dto';
import { toMessageDto } from './message.mapper';
import type { MessageRow } from './messages.repository';

/**
 * One send on its way to storage, already validated: content trimmed (1..4000 characters, or empty
 * with attachments), attachment ids distinct, a claimed `type` consistent with having attachments.
 */
export interface PendingSend {
  roomId: string;
  senderId: string;
  content: string;
  replyToId: string | null;
  /** Idempotency key, scoped to sender and room. */
  clientMsgId: string | null;
  /** Upload ids in display order; absent or empty for a text message (those go through group commit). */
  attachmentIds?: string[];
  /** The `type` the client named (the original ChatApp client's field), checked against the uploads. */
  claimedType?: MessageType;
}

/**
 * What storing a send came to, on either path (group commit or single send), checked in this order:
 * `no_room`, `not_member` (room_type says which error to show), `blocked` (a DM whose users blocked
 * one another, see BlocksService), `existing` (the sender stored this
 * client_msg_id in this room before: `message` is that one), `bad_reply` (reply target not in this
 * room), `bad_attachments` (an upload that is not the sender's), `wrong_type` (the claimed type is
 * not what the uploads make it: `actual_type`), `stored` (`message` is the new one).
 */
export type SendOutcome =
  | { outcome: 'stored' | 'existing'; message: MessageRow }
  | { outcome: 'no_room' | 'blocked' | 'bad_reply' | 'bad_attachments' }
  | { outcome: 'not_member'; room_type: string | null }
  | { outcome: 'wrong_type'; claimed_type: MessageType; actual_type: MessageType };

/** Result of a send: the stored message and whether this call created it (false for a retry). */
export interface SendResult {
  message: MessageDto;
  created: boolean;
}

/**
 * The one mapping of a send's outcome to its answer, for both paths.
 * @throws AppError ROOM_NOT_FOUND (unknown room, or a private room or DM of others), NOT_A_MEMBER
 *   (public room not joined), BLOCKED (403, a DM whose users blocked one another), VALIDATION_FAILED (bad reply target, foreign uploads, wrong type).
 */
export function sendResult(o: SendOutcome): SendResult {
  switch (o.outcome) {
    case 'stored':
      return { message: toMessageDto(o.message), created: true };
    case 'existing':
      return { message: toMessageDto(o.message), created: false };
    case 'no_room':
      throw new AppError('ROOM_NOT_FOUND');
    case 'not_member':
      // A public room answers 403 to a non-member; any other room stays invisible (404).
      throw new AppError(o.room_type === 'public' ? 'NOT_A_MEMBER' : 'ROOM_NOT_FOUND');
    case 'blocked':
      throw new AppError('BLOCKED');
    case 'bad_reply':
      throw new AppError('VALIDATION_FAILED', 'reply_to_id must name a message of this room.', [{ field: 'reply_to_id', problem: 'must name a message of this room' }]);
    case 'bad_attachments':
      throw new AppError('VALIDATION_FAILED', 'attachment_ids must name your own uploads.', [{ field: 'attachment_ids', problem: 'must name your own uploads' }]);
    case 'wrong_type':
      throw typeMismatch(o.claimed_type, o.actual_type);
  }
}

/**
 * The 400 for a `type` that is not the type the message gets.
 * @param actual the type the attachments give, when known
 */
export function typeMismatch(claimed: MessageType, actual?: MessageType): AppError {
  const problem = actual
    ? `is "${claimed}" but the attachments make it "${actual}"`
    : claimed === 'text'
      ? 'is "text" but attachments were given'
      : `is "${claimed}" but no attachments were given (a message without attachments is "text")`;
  return new AppError('VALIDATION_FAILED', `type ${problem}.`, [{ field: 'type', problem }]);
}

/**
 * Stores one send in its own transaction: messages with attachments, and the sends of a group
 * commit that could not commit as a whole. The group-commit writer calls it; it must not call back.
 */
export interface SingleSendStrategy {
  /**
   * Locks the room, checks the send as the batch statement does (plus its uploads), stores it and
   * answers its outcome. A twin committed meanwhile by another instance is answered as `existing`.
   */
  storeOne(send: PendingSend): Promise<SendOutcome>;
}

/** Injection token of the {@link SingleSendStrategy} the group-commit writer uses. */
export const SINGLE_SEND_STRATEGY = Symbol('SINGLE_SEND_STRATEGY');
