import type { ReactionEventPayload } from '../messages/dto/messages.dto';
import type { MessageDto } from '../messages/dto/message.dto';
import type { RoomDto, RoomUpdatedPayload } from '../rooms/dto/rooms.dto';
import type { UserDto } from '../users/user.presenter';

/**
 * Every server → client frame type and its payload, in one place (API.md "WebSocket gateway").
 * Frames are `{type, id?, payload?}` JSON text objects.
 */
export interface ServerEvents {
  auth_required: undefined;
  auth_ok: { user: unknown };
  ack: unknown;
  error: { code: string; message: string; details?: unknown; retry_after_ms?: number };
  new_message: MessageDto;
  edit_message: MessageDto;
  /** The tombstone: content null, attachments and reactions empty, deleted_at set. */
  delete_message: MessageDto;
  reaction: ReactionEventPayload;
  user_joined: { room_id: string; user: UserDto };
  user_left: { room_id: string; user_id: string };
  member_added: { room_id: string; user: UserDto; role: 'owner' | 'admin' | 'member'; added_by: string };
  member_removed: { room_id: string; user_id: string; removed_by: string };
  room_updated: RoomUpdatedPayload;
  room_deleted: { room_id: string; deleted_by: string };
  user_online: { user_id: string };
  user_offline: { user_id: string; last_seen_at: string };
  typing: { room_id: string; user_id: string };
  stop_typing: { room_id: string; user_id: string };
  messages_read: { room_id: string; user_id: string; last_read_seq: number };
  /** The DM room as the recipient sees it (`peer` is the user who opened it). */
  dm_created: RoomDto;
  /** A user who shares a room or DM with the recipient (or the recipient) changed their public profile. */
  user_updated: UserDto;
  sync_result: unknown;
  pong: { ts: number };
}

/** Name of a server → client frame. */
export type ServerEventType = keyof ServerEvents;

/**
 * JSON of message payloads already serialized for `new_message`, so the sender's ack (same message
 * object) reuses it instead of serializing the message a second time. Weak: gone with the message.
 */
const messageJson = new WeakMap<object, string>();

/**
 * Serializes a frame once; the same string is then sent to every recipient. A `new_message`
 * payload's JSON is remembered for an `ack` of the same object (payloads are not changed after they
 * are broadcast).
 */
export function encodeFrame<T extends ServerEventType>(type: T, payload?: ServerEvents[T], id?: string): string {
  if ((type === 'new_message' || type === 'ack') && typeof payload === 'object' && payload !== null) {
    let json = messageJson.get(payload);
    if (json === undefined) {
      json = JSON.stringify(payload);
      if (type === 'new_message') messageJson.set(payload, json);
    }
    return `{"type":"${type}"${id === undefined ? '' : `,"id":${JSON.stringify(id)}`},"payload":${json}}`;
  }
  const frame: { type: string; id?: string; payload?: unknown } = { type };
  if (id !== undefined) frame.id = id;
  if (payload !== undefined) frame.payload = payload;
  return JSON.stringify(frame);
}

/** WebSocket close codes used by the gateway. */
export const CloseCode = {
  GOING_AWAY: 1001,
  MESSAGE_TOO_BIG: 1009,
  SLOW_CONSUMER: 4008,
  UNAUTHORIZED: 4401,
  FORBIDDEN_ORIGIN: 4403,
  RATE_LIMITED: 4429,
  REPLACED: 4000,
  /** Too many connections from one client IP (WS_MAX_CONNECTIONS_PER_IP). */
  TRY_AGAIN_LATER: 1013,
} as const;
