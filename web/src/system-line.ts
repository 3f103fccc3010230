// System lines (joins, leaves, removals, renames) in this client's own words, from the
// machine-readable `system` payload the server stores (never from any text it might send): the
// message log, the room list's preview and anything else that shows a line use this one function.
import type { Message } from './api/types';

/** The payload of a `type: "system"` message. */
export type SystemLine = NonNullable<Message['system']>;

/**
 * One system line as a sentence: "Alice joined", "Bob added Carol", "Alice left", "Bob removed
 * Carol", "Alice renamed the room to Ops". The signed-in user is "You"/"you".
 * @param line the message's `system` payload
 * @param actorName the display name of the message's sender (who did it)
 * @param nameOf display name of any other user id (e.g. from the member list)
 */
export function describeSystemLine(line: SystemLine, senderId: string | null, actorName: string, myId: string | undefined, nameOf: (userId: string) => string): string {
  const who = (userId: string | null | undefined, start: boolean): string => {
    if (!userId) return start ? 'Someone' : 'someone';
    if (userId === myId) return start ? 'You' : 'you';
    return userId === senderId ? actorName : nameOf(userId);
  };
  const actor = line.actor_id ?? line.user_id;
  switch (line.event) {
    case 'member_joined':
      return actor === line.user_id ? `${who(line.user_id, true)} joined` : `${who(actor, true)} added ${who(line.user_id, false)}`;
    case 'member_left':
      return `${who(line.user_id, true)} left`;
    case 'member_removed':
      return `${who(actor, true)} removed ${who(line.user_id, false)}`;
    case 'room_renamed':
      return `${who(actor, true)} renamed the room to ${line.name ?? ''}`.trimEnd();
    default:
      // An event this client does not know yet (a newer server): still a line, never a blank.
      return `${who(actor, true)} changed the room`;
  }
}
