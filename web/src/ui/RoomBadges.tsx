// The badges beside a room in the list: mentions of me (always loud) and unread messages (loud,
// quiet or hidden by the room's notification level, see state/levels.ts).
import type { JSX } from 'preact';
import type { Room } from '../api/types';
import { unreadBadge } from '../state/levels';

function count(n: number): string {
  return n > 99 ? '99+' : String(n);
}

/** Words for screen readers, appended to the room link's label (", 3 unread, 1 mention"). */
export function badgeLabel(room: Room): string {
  const unread = room.unread_count ?? 0;
  const mentions = room.mention_count ?? 0;
  return `${unread ? `, ${unread} unread` : ''}${mentions ? `, ${mentions} mention${mentions === 1 ? '' : 's'}` : ''}`;
}

/** Mention badge ("@2") then the unread badge styled by level. */
export function RoomBadges({ room }: { room: Room }): JSX.Element {
  const mentions = room.mention_count ?? 0;
  const style = unreadBadge(room);
  return (
    <>
      {mentions && style !== 'hidden' ? (
        <span class="badge mention-badge" aria-hidden="true" title={`${mentions} mention${mentions === 1 ? '' : 's'}`}>
          @{count(mentions)}
        </span>
      ) : null}
      {style !== 'hidden' ? (
        <span class={`badge${style === 'quiet' ? ' quiet' : ''}`} aria-hidden="true">
          {count(room.unread_count ?? 0)}
        </span>
      ) : null}
    </>
  );
}
