// Unread counts kept on the Room objects between server answers: a new message from someone else
// in a room the person is not looking at adds one; looking at the room's newest message clears it.
import type { Message, Room } from '../api/types';

/**
 * The room after `m` arrived. `mine`: sent by the signed-in user. `watching`: the room is open,
 * scrolled to the newest message, in a visible tab. `fromHistory`: a page load (never counts).
 */
export function roomAfterMessage(room: Room, m: Message, mine: boolean, watching: boolean, fromHistory: boolean, myId?: string): Room {
  const lastSeq = room.last_seq ?? 0;
  const brandNew = m.seq > lastSeq && !m.deleted_at && !m.edited_at && !fromHistory;
  const next: Room = { ...room, last_seq: Math.max(lastSeq, m.seq) };
  if (m.seq >= lastSeq || room.last_message?.id === m.id || !room.last_message) next.last_message = m;
  if (watching) {
    next.unread_count = 0;
    next.mention_count = 0;
  } else if (brandNew && !mine && m.type !== 'system') {
    next.unread_count = (room.unread_count ?? 0) + 1;
    if (mentionsMe(m, myId)) next.mention_count = (room.mention_count ?? 0) + 1;
  }
  return next;
}

/** The room after its member read up to `lastReadSeq` on some device. */
export function roomAfterRead(room: Room, lastReadSeq: number, unreadFromServer?: number): Room {
  if (typeof unreadFromServer === 'number') return { ...room, unread_count: unreadFromServer, mention_count: unreadFromServer === 0 ? 0 : room.mention_count };
  if (lastReadSeq >= (room.last_seq ?? 0)) return { ...room, unread_count: 0, mention_count: 0 };
  return room;
}

/** Sum of unread counts (for the tab title). */
export function totalUnread(rooms: Iterable<Room>): number {
  let n = 0;
  for (const r of rooms) n += r.unread_count ?? 0;
  return n;
}

/**
 * Where the "new messages" divider goes when a room is opened with `unread` unread messages: before
 * the oldest of the last `unread` messages from other people (system lines are never unread, so
 * they are not counted). Null when nothing is unread.
 */
export function firstUnreadId(messages: Message[], unread: number, myId: string | undefined): string | null {
  if (unread <= 0) return null;
  let left = unread;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.sender.id === myId || m.deleted_at || m.system) continue;
    left--;
    if (left === 0) return m.id;
  }
  return messages.find((m) => m.sender.id !== myId && !m.system)?.id ?? null;
}

/** True when `m` names the user `myId` with an @mention (the server's `mentions` list). */
export function mentionsMe(m: Message, myId: string | undefined): boolean {
  return Boolean(myId && m.mentions?.includes(myId));
}
