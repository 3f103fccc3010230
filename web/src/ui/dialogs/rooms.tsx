// Finding and making conversations: browse public rooms, create a room, start a direct message.
import { useState } from 'preact/hooks';
import type { Room, User } from '../../api/types';
import { type Chat, displayName } from '../../state/chat';
import { Avatar } from '../Avatar';
import { ErrorLine, Field, openDialog } from '../Dialog';
import { Icon } from '../icons';
import { go } from '../Shell';
import { ActionButton, SearchList } from './common';

/**
 * What tells rooms with the same name apart: member count, owner and description.
 */
export function roomFacts(chat: Chat, room: Room): string {
  const owner = room.owner ?? (room.owner_id ? chat.userById(null, room.owner_id) : undefined);
  return [`${room.member_count} member${room.member_count === 1 ? '' : 's'}`, owner ? `owner ${displayName(owner)}` : null, room.description].filter(Boolean).join(' · ');
}

/** Public rooms with Join / Open; rooms sharing a name are told apart by their facts. */
export function browseRoomsDialog(chat: Chat): void {
  openDialog('Browse public rooms', (close) => (
    <SearchList<Room>
      placeholder="Search rooms"
      label="Search public rooms"
      search={async (q) => (await chat.browseRooms(q)).items}
      emptyText="No public rooms match."
      row={(room) => {
        const member = chat.rooms.value.has(room.id) || Boolean(room.my_role);
        return (
          <div class="result" data-room-id={room.id}>
            <span class="avatar" aria-hidden="true">
              <Icon name="hash" />
            </span>
            <span class="result-main">
              <strong dir="auto">{room.name}</strong>
              <span class="muted" dir="auto">
                {roomFacts(chat, room)}
              </span>
            </span>
            <ActionButton
              label={member ? 'Open' : 'Join'}
              ariaLabel={`${member ? 'Open' : 'Join'} ${room.name}`}
              action={async () => {
                if (!member) await chat.joinRoom(room.id);
                close();
                go(room.id);
              }}
            />
          </div>
        );
      }}
    />
  ));
}

function CreateRoomForm({ chat, close }: { chat: Chat; close: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="form"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const get = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value;
        setBusy(true);
        try {
          const description = get('description').trim();
          const type = (form.elements.namedItem('type') as RadioNodeList).value === 'private' ? 'private' : 'public';
          const room = await chat.createRoom({ name: get('name'), type, ...(description ? { description } : {}) });
          close();
          go(room.id);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <Field label="Room name">
        <input name="name" required maxLength={80} autocomplete="off" dir="auto" />
      </Field>
      <Field label="Description (optional)">
        <textarea name="description" rows={2} maxLength={500} dir="auto" />
      </Field>
      <fieldset class="fieldset">
        <legend>Who can join</legend>
        <label class="radio">
          <input type="radio" name="type" value="public" checked />
          <span>
            <strong>Public</strong>
            <span class="muted"> anyone can find and join it</span>
          </span>
        </label>
        <label class="radio">
          <input type="radio" name="type" value="private" />
          <span>
            <strong>Private</strong>
            <span class="muted"> only people you add</span>
          </span>
        </label>
      </fieldset>
      <ErrorLine error={error} />
      <div class="dialog-actions">
        <button type="button" class="button" onClick={close}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={busy}>
          Create room
        </button>
      </div>
    </form>
  );
}

/** Name, description, public/private. */
export function createRoomDialog(chat: Chat): void {
  openDialog('Create a room', (close) => <CreateRoomForm chat={chat} close={close} />);
}

/** One person in a search result. */
export function PersonRow({ chat, user, children }: { chat: Chat; user: User; children?: preact.ComponentChildren }) {
  return (
    <div class="result" data-user-id={user.id}>
      <Avatar user={user} online={chat.isOnline(user.id) || user.online} />
      <span class="result-main">
        <strong dir="auto">{displayName(user)}</strong>
        <span class="muted">@{user.username}</span>
      </span>
      {children}
    </div>
  );
}

/** Finds a person and opens (or creates) the DM with them. */
export function newDmDialog(chat: Chat): void {
  openDialog('New direct message', (close) => (
    <SearchList<User>
      placeholder="Search people by name"
      label="Search people"
      search={(q) => chat.findPeople(q)}
      emptyText="Type a name to find people."
      row={(user) => (
        <PersonRow chat={chat} user={user}>
          {user.id === chat.me?.id ? (
            <span class="muted">you</span>
          ) : (
            <ActionButton
              label="Message"
              ariaLabel={`Message ${displayName(user)}`}
              action={async () => {
                const room = await chat.startDm(user.id);
                close();
                go(room.id);
              }}
            />
          )}
        </PersonRow>
      )}
    />
  ));
}
