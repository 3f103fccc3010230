import { AttachmentDto, MessageDto, MessageType } from './dto/message.dto';
import type { AttachmentRow, MessageRow } from './messages.repository';

/** The path under which an upload is served (GET, members of rooms it was posted in and its uploader). */
export function uploadUrl(uploadId: string): string {
  return `/api/v1/uploads/${uploadId}`;
}

/** Renders an upload as a message attachment. */
export function toAttachmentDto(row: AttachmentRow): AttachmentDto {
  return { id: row.id, url: uploadUrl(row.id), mime: row.mime, size: row.size, name: row.name };
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
    seq: row.seq,
    updated_seq: row.updated_seq,
    sender: senderGone
      ? { id: row.sender_id, ...DELETED_USER, avatar_url: null, deactivated: true }
      : {
          id: row.sender_id,
          username: row.sender_username!,
          display_name: row.sender_display_name!,
          avatar_url: row.sender_avatar_url,
          deactivated: Boolean(row.sender_disabled_at),
        },
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
    reactions: deleted ? [] : (row.reactions ?? []).map((r) => ({ emoji: r.emoji, count: r.count, me: r.me === true })),
    mentions: deleted ? [] : (row.mentions ?? []),
    system: row.system ?? null,
    client_msg_id: row.client_msg_id,
    created_at: iso(row.created_at),
    edited_at: row.edited_at ? iso(row.edited_at) : null,
    deleted_at: row.deleted_at ? iso(row.deleted_at) : null,
    deleted_by: row.deleted_at ? (row.deleted_by ?? null) : null,
    blocked: row.blocked === true,
  };
}
