import type { RoomType } from './room.types';

/** What a member is told about a room's messages: every message, only mentions (and DMs), or nothing. */
export const NOTIFICATION_LEVELS = ['all', 'mentions', 'none'] as const;

/** One of {@link NOTIFICATION_LEVELS}. */
export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

/**
 * The level a member has until they choose one (room_members.notification_level is NULL): a direct
 * message is meant for the reader, so `all`; a room is a crowd, so `mentions`.
 */
export function defaultNotificationLevel(type: RoomType): NotificationLevel {
  return type === 'dm' ? 'all' : 'mentions';
}

/** The level in effect for a member: their own choice, else the default of the room's type. */
export function effectiveNotificationLevel(type: RoomType, chosen: NotificationLevel | null | undefined): NotificationLevel {
  return chosen ?? defaultNotificationLevel(type);
}
