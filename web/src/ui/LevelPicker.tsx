// The per-room notification level selector in the conversation header (all / mentions / nothing);
// PATCH /rooms/:id/notifications, then the answered Room replaces ours so badges follow at once.
import type { JSX } from 'preact';
import type { Room } from '../api/types';
import type { Chat } from '../state/chat';
import { LEVEL_LABELS, LEVELS, levelOf, type NotificationLevel } from '../state/levels';

/** A labelled <select> of the caller's notification level in `room`. */
export function LevelPicker({ chat, room }: { chat: Chat; room: Room }): JSX.Element {
  const change = async (level: NotificationLevel) => {
    try {
      chat.upsertRoom(await chat.http.call('patch', '/rooms/{id}/notifications', { path: { id: room.id }, body: { level } }));
    } catch (err) {
      chat.fail(err, 'Could not change notifications');
    }
  };
  return (
    <label class="level-picker" title="Notifications for this conversation">
      <span class="visually-hidden">Notify me of</span>
      <select aria-label="Notifications" value={levelOf(room)} onChange={(e) => void change(e.currentTarget.value as NotificationLevel)}>
        {LEVELS.map((l) => (
          <option key={l} value={l}>
            {LEVEL_LABELS[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
