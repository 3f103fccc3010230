/**
 * What travels over the backplane: an already serialized frame plus where it goes, or a routing
 * change. Every instance (the publishing one included) delivers it to its own live connections.
 */
export type FanoutEnvelope =
  | {
      kind: 'room';
      roomId: string;
      /** Frame type, so receivers can react (a new message ends its sender's typing state). */
      type: string;
      data: string;
      exceptUserId?: string;
      /** Room counter value the event carries (seq / updated_seq), for per-room ordering. */
      seq?: number;
      /** Sender of a new_message (typing ends when a user sends). */
      senderId?: string;
      /**
       * The user whose content the event carries (a new or edited message's sender, a typist):
       * members who blocked them do not get it.
       */
      authorId?: string;
      /** Per-user variants of the frame (e.g. `reactions[].me`), by user id; others get `data`. */
      overrides?: Record<string, string>;
    }
  | {
      kind: 'rooms';
      roomIds: string[];
      data: string;
      exceptUserId?: string;
      /** Users who get the frame too, whether or not they are in one of the rooms (each user once). */
      alsoUserIds?: string[];
    }
  | { kind: 'users'; userIds: string[]; data: string }
  | { kind: 'membership'; op: 'join' | 'leave'; roomId: string; userId: string }
  | { kind: 'room-deleted'; roomId: string }
  /** A user blocked (op 'block') or unblocked another: updates the blocker's live block set. */
  | { kind: 'block'; op: 'block' | 'unblock'; blockerId: string; blockedId: string }
  | { kind: 'presence'; userId: string; online: boolean };
