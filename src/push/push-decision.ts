import { previewText } from '../shared/markdown-text';
import type { RoomType } from '../rooms/room.types';
import { effectiveNotificationLevel, NotificationLevel } from '../rooms/notification-level';

/** What the push decision knows about one member of the message's room. */
export interface PushCandidate {
  userId: string;
  roomType: RoomType;
  /** room_members.notification_level: the member's choice, null for the default of the room's type. */
  chosenLevel: NotificationLevel | null;
}

/** What the push decision knows about one stored message. */
export interface PushableMessage {
  senderId: string | null;
  /** Ids of the users the message mentions; undefined while messages carry no mention list. */
  mentions?: readonly string[];
}

/**
 * Whether a message is worth waking a member's device for, by their notification level:
 * never their own message, never at `none`; at `all` every message; at `mentions` a message that
 * mentions them, and every message of a direct message (a DM is addressed to its reader, so it counts
 * as a mention). Presence and throttling are decided elsewhere.
 */
export function shouldPush(candidate: PushCandidate, message: PushableMessage): boolean {
  if (message.senderId === null || message.senderId === candidate.userId) return false;
  const level = effectiveNotificationLevel(candidate.roomType, candidate.chosenLevel);
  if (level === 'none') return false;
  if (level === 'all' || candidate.roomType === 'dm') return true;
  return message.mentions?.includes(candidate.userId) ?? false;
}

/**
 * The JSON a push carries (README "Push notifications"). Ids and names only, unless the subscription
 * allowed previews: then `preview` holds the start of the message's text.
 */
export interface PushPayload {
  room_id: string;
  message_id: string;
  seq: number;
  sender: { id: string; display_name: string };
  /** The room's name; absent for direct messages (the sender is the conversation). */
  room_name?: string;
  /** Up to {@link PREVIEW_MAX_CHARS} characters of the message text; only with `previews: true`. */
  preview?: string;
}

/** Longest preview in characters: a notification shows two or three lines, and a push body is at most 4 KiB. */
export const PREVIEW_MAX_CHARS = 140;

/**
 * A message's preview: its plain text on one line, cut to {@link PREVIEW_MAX_CHARS} characters (see
 * previewText, the rule the web client's notifications and room list use too); undefined when it has no text.
 */
export function previewOf(content: string | null | undefined): string | undefined {
  return previewText(content, PREVIEW_MAX_CHARS) || undefined;
}
