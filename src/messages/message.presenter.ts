import { ApiProperty } from '@nestjs/swagger';
import { UserSummaryDto } from '../users/user.presenter';

/** A row of the message queries: the message joined with its sender and reply target. */
export interface MessageRow {
  id: string;
  room_id: string;
  seq: string | number;
  updated_seq: string | number;
  type: string;
  content: string | null;
  client_msg_id: string | null;
  created_at: Date | string;
  edited_at: Date | string | null;
  deleted_at: Date | string | null;
  sender_id: string | null;
  sender_username: string | null;
  sender_display_name: string | null;
  sender_avatar_url: string | null;
  sender_deleted_at: Date | string | null;
  reply_to_id: string | null;
  reply_sender_id: string | null;
  reply_content: string | null;
  reply_deleted_at: Date | string | null;
}

/** The columns every message query selects, aliased as {@link MessageRow}; `m` is messages. */
export const MESSAGE_COLUMNS = `
  m.id, m.room_id, m.seq, m.updated_seq, m.type, m.content, m.client_msg_id, m.created_at, m.edited_at, m.deleted_at,
  m.sender_id, su.username AS sender_username, su.display_name AS sender_display_name,
  su.avatar_url AS sender_avatar_url, su.deleted_at AS sender_deleted_at,
  m.reply_to_id, rm.sender_id AS reply_sender_id, rm.content AS reply_content, rm.deleted_at AS reply_deleted_at`;

/** The joins {@link MESSAGE_COLUMNS} needs. */
export const MESSAGE_JOINS = `
  LEFT JOIN users su ON su.id = m.sender_id
  LEFT JOIN messages rm ON rm.id = m.reply_to_id`;

/** The quoted part of a reply. */
export class ReplyToDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) sender_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'First 100 characters; null when deleted' }) content_preview: string | null;
}

/** A file attached to a message. */
export class AttachmentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty() mime: string;
  @ApiProperty({ description: 'bytes' }) size: number;
  @ApiProperty() name: string;
}

/** Reactions of one emoji on a message. */
export class ReactionDto {
  @ApiProperty() emoji: string;
  @ApiProperty() count: number;
  @ApiProperty({ description: 'Whether the caller reacted with it' }) me: boolean;
}

/** A message as clients see it (API.md "Message"). */
export class MessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) room_id: string;
  @ApiProperty({ description: 'Position in the room, +1 per message' }) seq: number;
  @ApiProperty({ description: 'Room counter value of the latest change (sync cursor)' }) updated_seq: number;
  @ApiProperty({ type: UserSummaryDto }) sender: UserSummaryDto;
  @ApiProperty({ enum: ['text', 'image', 'file', 'audio', 'system'] }) type: string;
  @ApiProperty({ nullable: true, type: String }) content: string | null;
  @ApiProperty({ type: ReplyToDto, nullable: true }) reply_to: ReplyToDto | null;
  @ApiProperty({ type: [AttachmentDto] }) attachments: AttachmentDto[];
  @ApiProperty({ type: [ReactionDto] }) reactions: ReactionDto[];
  @ApiProperty({ nullable: true, type: String }) client_msg_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) edited_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deleted_at: string | null;
}

/** ISO 8601 UTC from a driver Date or a JSON timestamp string (row_to_json). */
function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

const DELETED_USER = { username: 'deleted-user', display_name: 'Deleted user' };

/** Renders a message row; deleted messages keep id and seq with null content. */
export function toMessageDto(row: MessageRow): MessageDto {
  const senderGone = row.sender_id === null || row.sender_deleted_at !== null;
  const deleted = row.deleted_at !== null;
  return {
    id: row.id,
    room_id: row.room_id,
    seq: Number(row.seq),
    updated_seq: Number(row.updated_seq),
    sender: senderGone
      ? { id: row.sender_id, ...DELETED_USER, avatar_url: null }
      : { id: row.sender_id, username: row.sender_username!, display_name: row.sender_display_name!, avatar_url: row.sender_avatar_url },
    type: row.type,
    content: deleted ? null : row.content,
    reply_to: row.reply_to_id
      ? {
          id: row.reply_to_id,
          sender_id: row.reply_sender_id,
          content_preview: row.reply_deleted_at || row.reply_content === null ? null : row.reply_content.slice(0, 100),
        }
      : null,
    attachments: [],
    reactions: [],
    client_msg_id: row.client_msg_id,
    created_at: iso(row.created_at),
    edited_at: row.edited_at ? iso(row.edited_at) : null,
    deleted_at: row.deleted_at ? iso(row.deleted_at) : null,
  };
}
