// Notification levels (PATCH /rooms/:id/notifications): what a room's unread badge looks like and
// which incoming messages deserve a desktop notification. One place decides both.
import type { Message, Room } from '../api/types';
import { mentionsMe } from './unread';

export type NotificationLevel = 'all' | 'mentions' | 'none';
export const LEVELS: readonly NotificationLevel[] = ['all', 'mentions', 'none'];
export const LEVEL_LABELS: Record<NotificationLevel, string> = {
  all: 'All messages',
  mentions: 'Mentions only',
  none: 'Nothing',
};

/** The caller's level in a room; until set, DMs are "all" and rooms "mentions" (the server's default). */
export function levelOf(room: Room): NotificationLevel {
  return (room.notification_level as NotificationLevel | undefined) ?? (room.type === 'dm' ? 'all' : 'mentions');
}

/**
 * How the room list shows a room's unread count: "loud" (accent badge) at level all or when the
 * caller is mentioned, "quiet" (muted outline) at level mentions without mentions, "hidden" at none
 * or when nothing is unread.
 */
export function unreadBadge(room: Room): 'loud' | 'quiet' | 'hidden' {
  const level = levelOf(room);
  if (!room.unread_count || level === 'none') return 'hidden';
  if (level === 'all' || (room.mention_count ?? 0) > 0) return 'loud';
  return 'quiet';
}

/** Whether a brand-new message from someone else should raise a desktop notification. */
export function shouldNotify(room: Room | undefined, m: Message, myId: string | undefined): boolean {
  if (!myId || m.sender.id === myId || m.type === 'system' || m.deleted_at || m.edited_at) return false;
  const level = room ? levelOf(room) : 'mentions';
  if (level === 'none') return false;
  if (level === 'all' || room?.type === 'dm') return true;
  return mentionsMe(m, myId);
}
