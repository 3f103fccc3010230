// The WebSocket protocol (API.md "WebSocket gateway"), written once: every server → client event with
// its payload, and every client request with its payload and answer. Payload objects reuse the
// generated REST types, and test/browser/frames-contract.ts checks these names and shapes against the
// server's own `ServerEvents` at type level, so a contract change breaks `npm run typecheck`.
import type { Message, Room, User } from './types';

export type RoleName = 'owner' | 'admin' | 'member';

/** Server → client events and their payloads. */
export interface ServerEvents {
  auth_required: undefined;
  auth_ok: { user: unknown };
  ack: unknown;
  error: { code: string; message: string; details?: unknown; retry_after_ms?: number };
  new_message: Message;
  edit_message: Message;
  /** The tombstone: content null, attachments and reactions empty, deleted_at set. */
  delete_message: Message;
  reaction: {
    room_id: string;
    message_id: string;
    user_id: string;
    emoji: string;
    action: 'added' | 'removed';
    updated_seq: number;
    reactions: { emoji: string; count: number; me: boolean }[];
  };
  user_joined: { room_id: string; user: User };
  user_left: { room_id: string; user_id: string };
  member_added: { room_id: string; user: User; role: RoleName; added_by: string };
  member_removed: { room_id: string; user_id: string; removed_by: string };
  room_updated: {
    room_id: string;
    name: string | null;
    description: string | null;
    owner_id: string | null;
    member_count: number;
    updated_by: string;
    role_changes: { user_id: string; role: RoleName }[];
  };
  room_deleted: { room_id: string; deleted_by: string };
  user_online: { user_id: string };
  user_offline: { user_id: string; last_seen_at: string };
  typing: { room_id: string; user_id: string };
  stop_typing: { room_id: string; user_id: string };
  messages_read: { room_id: string; user_id: string; last_read_seq: number };
  /** The DM room as the recipient sees it (`peer` is the user who opened it). */
  dm_created: Room;
  /** A profile changed (display name, avatar, status, username): the public User. */
  user_updated: User;
  sync_result: SyncResult;
  pong: { ts: number };
}

/** One room's answer to `sync`: its changes after the given seq, or why it cannot be read. */
export type SyncRoomAnswer =
  | { room_id: string; messages: Message[]; has_more: boolean; last_seq: number }
  | { room_id: string; error: { code: string; message: string } };

export interface SyncResult {
  rooms: SyncRoomAnswer[];
}

/** A frame as received. */
export type ServerFrame = { [K in keyof ServerEvents]: { type: K; id?: string; payload: ServerEvents[K] } }[keyof ServerEvents];

/** Client → server requests: payload sent and answer received (ack payload, or sync_result). */
export interface ClientRequests {
  send_message: {
    payload: { room_id: string; content?: string; reply_to_id?: string; attachment_ids?: string[]; client_msg_id?: string };
    answer: Message;
  };
  typing: { payload: { room_id: string }; answer: { room_id: string } };
  sync: { payload: { rooms: Record<string, number> }; answer: SyncResult };
}

/** Client frames sent without waiting for an answer. */
export interface ClientNotices {
  stop_typing: { room_id: string };
}
