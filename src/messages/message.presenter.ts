import { ApiProperty } from '@nestjs/swagger';
import { UserSummaryDto } from '../users/user.presenter';
import { SystemLineDto } from './system-line.dto';

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
  /** JSON array from {@link messageColumns}; null or empty when there are none. */
  attachments?: AttachmentRow[] | null;
  /** JSON array from {@link messageColumns}, `me` relative to the viewer given there. */
  reactions?: ReactionRow[] | null;
  /** Ids of the mentioned members (messages.mentions); absent or null reads as none. */
  mentions?: string[] | null;
  /** messages.system: the payload of a system line, null (or absent) for other messages. */
  system?: SystemLineDto | null;
}

/** An attachment as the message queries return it. */
export interface AttachmentRow {
  id: string;
  mime: string;
  size: string | number;
  name: string;
}

/** One emoji's reactions as the message queries return them. */
export interface ReactionRow {
  emoji: string;
  count: string | number;
  me: boolean | null;
}

/**
 * The columns every message query selects, aliased as {@link MessageRow}; `m` is messages. Attachments
 * and reactions are aggregated per message by correlated subqueries on their primary keys, so a page
 * of N messages costs N small index scans, not N round trips.
 * @param viewer SQL expression of the viewing user's id (a bind parameter like `$2`), or `NULL`
 *   when `reactions[].me` should be false for everyone (broadcasts personalise it afterwards).
 */
export function messageColumns(viewer: string): string {
  return `
  m.id, m.room_id, m.seq, m.updated_seq, m.type, m.content, m.client_msg_id, m.created_at, m.edited_at, m.deleted_at,
  m.sender_id, su.username AS sender_username, su.display_name AS sender_display_name,
  su.avatar_url AS sender_avatar_url, su.deleted_at AS sender_deleted_at,
  m.reply_to_id, rm.sender_id AS reply_sender_id, rm.content AS reply_content, rm.deleted_at AS reply_deleted_at, m.mentions, m.system,
  (SELECT json_agg(json_build_object('id', up.id, 'mime', up.mime, 'size', up.size, 'name', up.name) ORDER BY ma.position)
     FROM message_attachments ma JOIN uploads up ON up.id = ma.upload_id WHERE ma.message_id = m.id) AS attachments,
  (SELECT json_agg(json_build_object('emoji', x.emoji, 'count', x.n, 'me', x.me) ORDER BY x.first_at, x.emoji)
     FROM (SELECT mr.emoji, count(*) AS n, coalesce(bool_or(mr.user_id = ${viewer}::uuid), false) AS me, min(mr.created_at) AS first_at
           FROM message_reactions mr WHERE mr.message_id = m.id GROUP BY mr.emoji) x) AS reactions`;
}

/** The joins {@link messageColumns} needs. */
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
/** A message's kind (API.md), as the Swagger enum says. */
export type MessageType = 'text' | 'image' | 'file' | 'audio' | 'system';

export class MessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) room_id: string;
  @ApiProperty({ description: 'Position in the room, +1 per message' }) seq: number;
  @ApiProperty({ description: 'Room counter value of the latest change (sync cursor)' }) updated_seq: number;
  @ApiProperty({ type: UserSummaryDto }) sender: UserSummaryDto;
  @ApiProperty({ enum: ['text', 'image', 'file', 'audio', 'system'] }) type: MessageType;
  @ApiProperty({ nullable: true, type: String }) content: string | null;
  @ApiProperty({ type: ReplyToDto, nullable: true }) reply_to: ReplyToDto | null;
  @ApiProperty({ type: [AttachmentDto] }) attachments: AttachmentDto[];
  @ApiProperty({ type: [ReactionDto] }) reactions: ReactionDto[];
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description:
      'Ids of the room members named as `@username` in the content (resolved by the server on send and edit, in order of first appearance, at most 50; empty when deleted)',
  })
  mentions: string[];
  @ApiProperty({
    type: SystemLineDto,
    nullable: true,
    description: 'For `type: "system"` (joins, leaves, removals, renames; sender = who did it, content null): what happened; null for every other message',
  })
  system: SystemLineDto | null;
  @ApiProperty({ nullable: true, type: String }) client_msg_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) edited_at: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) deleted_at: string | null;
}

/** The path under which an upload is served (GET, members of rooms it was posted in and its uploader). */
export function uploadUrl(uploadId: string): string {
  return `/api/v1/uploads/${uploadId}`;
}

/** Renders an upload as a message attachment. */
export function toAttachmentDto(row: AttachmentRow): AttachmentDto {
  return { id: row.id, url: uploadUrl(row.id), mime: row.mime, size: Number(row.size), name: row.name };
}

/**
 * A copy of a message whose `reactions[].me` is set for one viewer, from the set of emojis that
 * viewer reacted with (used to personalise one broadcast per reacting user).
 */
export function withMyReactions(message: MessageDto, myEmojis: ReadonlySet<string>): MessageDto {
  return { ...message, reactions: message.reactions.map((r) => ({ ...r, me: myEmojis.has(r.emoji) })) };
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
    type: row.type as MessageType,
    content: deleted ? null : row.content,
    reply_to: row.reply_to_id
      ? {
          id: row.reply_to_id,
          sender_id: row.reply_sender_id,
          content_preview: row.reply_deleted_at || row.reply_content === null ? null : row.reply_content.slice(0, 100),
        }
      : null,
    attachments: deleted ? [] : (row.attachments ?? []).map(toAttachmentDto),
    reactions: deleted ? [] : (row.reactions ?? []).map((r) => ({ emoji: r.emoji, count: Number(r.count), me: r.me === true })),
    mentions: deleted ? [] : (row.mentions ?? []),
    system: row.system ?? null,
    client_msg_id: row.client_msg_id,
    created_at: iso(row.created_at),
    edited_at: row.edited_at ? iso(row.edited_at) : null,
    deleted_at: row.deleted_at ? iso(row.deleted_at) : null,
  };
}
