// Room administration: members with presence and roles; owners and admins add and remove people,
// owners change roles and hand the room over; room settings (rename, description, delete).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Member, User } from '../../api/types';
import { type Chat, displayName, roomTitle } from '../../state/chat';
import { Avatar } from '../Avatar';
import { confirmDialog, ErrorLine, Field, openDialog } from '../Dialog';
import { ActionButton, SearchList } from './common';
import { PersonRow } from './rooms';

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 } as const;

function MemberRow({ chat, roomId, m }: { chat: Chat; roomId: string; m: Member }): JSX.Element {
  const room = chat.room(roomId);
  const myRole = room?.my_role;
  const me = m.user.id === chat.me?.id;
  const name = displayName(m.user);
  const online = chat.isOnline(m.user.id);
  // Owners manage everyone but themselves; admins remove plain members.
  const canKick = !me && (myRole === 'owner' || (myRole === 'admin' && m.role === 'member'));
  const canSetRole = !me && myRole === 'owner';
  return (
    <li class="result member-row" data-user-id={m.user.id} data-role={m.role}>
      <Avatar user={m.user} online={online} />
      <span class="result-main">
        <strong dir="auto">
          {name}
          {me ? ' (you)' : ''}
        </strong>
        <span class="muted">{`@${m.user.username} · ${m.role}${m.user.deactivated ? ' · deactivated' : online ? ' · online' : ''}`}</span>
      </span>
      {canSetRole && m.role === 'member' ? <ActionButton className="button" label="Make admin" ariaLabel={`Make ${name} admin`} action={() => chat.setRole(roomId, m.user.id, 'admin')} /> : null}
      {canSetRole && m.role === 'admin' ? <ActionButton className="button" label="Make member" ariaLabel={`Make ${name} member`} action={() => chat.setRole(roomId, m.user.id, 'member')} /> : null}
      {canKick ? (
        <ActionButton
          className="button danger"
          label="Remove"
          ariaLabel={`Remove ${name}`}
          action={async () => {
            if (await confirmDialog(`Remove ${name} from ${roomTitle(room)}?`, 'Remove', true)) await chat.kick(roomId, m.user.id);
          }}
        />
      ) : null}
    </li>
  );
}

function MembersPanel({ chat, roomId }: { chat: Chat; roomId: string }): JSX.Element {
  const room = chat.room(roomId);
  useEffect(() => {
    chat.loadMembers(roomId).catch(() => undefined);
  }, [roomId]);
  const members = [...(chat.members.value.get(roomId)?.values() ?? [])].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || displayName(a.user).localeCompare(displayName(b.user)));
  const canAdd = room && room.type !== 'dm' && (room.my_role === 'owner' || room.my_role === 'admin');
  if (!room) return <p class="muted">You are no longer in this room.</p>;
  return (
    <>
      <ul class="result-list">
        {members.map((m) => (
          <MemberRow key={m.user.id} chat={chat} roomId={roomId} m={m} />
        ))}
      </ul>
      {canAdd ? (
        <>
          <h3>Add people</h3>
          <SearchList<User>
            placeholder="Add people by name"
            label="Search people to add"
            search={(q) => chat.findPeople(q)}
            emptyText="Type a name to find people."
            row={(user) => <AddRow chat={chat} roomId={roomId} user={user} />}
          />
        </>
      ) : null}
    </>
  );
}

function AddRow({ chat, roomId, user }: { chat: Chat; roomId: string; user: User }): JSX.Element {
  const already = chat.members.value.get(roomId)?.has(user.id) ?? false;
  const [added, setAdded] = useState(false);
  const name = displayName(user);
  return (
    <PersonRow chat={chat} user={user}>
      {added ? (
        <button type="button" class="button" disabled aria-label={`${name} added`}>
          Added
        </button>
      ) : (
        <ActionButton
          label={already ? 'Member' : 'Add'}
          ariaLabel={`Add ${name}`}
          disabled={already}
          action={async () => {
            await chat.addMembers(roomId, [user.id]);
            setAdded(true);
          }}
        />
      )}
    </PersonRow>
  );
}

/** Members with presence and roles, and the admin controls the caller's role allows. */
export function membersDialog(chat: Chat, roomId: string): void {
  openDialog(`Members of ${roomTitle(chat.room(roomId))}`, () => <MembersPanel chat={chat} roomId={roomId} />);
}

function HandoverPanel({ chat, roomId, close }: { chat: Chat; roomId: string; close: () => void }): JSX.Element {
  useEffect(() => {
    chat.loadMembers(roomId).catch(() => undefined);
  }, [roomId]);
  const room = chat.room(roomId);
  const others = [...(chat.members.value.get(roomId)?.values() ?? [])].filter((m) => m.user.id !== chat.me?.id).sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
  if (!room) return <p class="muted">You are no longer in this room.</p>;
  return (
    <>
      <p>You own {roomTitle(room)}. Before you leave, choose who owns it next; you stay an admin until you leave.</p>
      {others.length === 0 ? (
        <>
          <p class="muted">Nobody else is in this room. You can delete it instead.</p>
          <div class="dialog-actions">
            <ActionButton
              className="button danger"
              label="Delete room"
              action={async () => {
                await chat.deleteRoom(roomId);
                close();
              }}
            />
          </div>
        </>
      ) : (
        <ul class="result-list">
          {others.map((m) => (
            <li key={m.user.id} class="result" data-user-id={m.user.id}>
              <Avatar user={m.user} online={chat.isOnline(m.user.id)} />
              <span class="result-main">
                <strong dir="auto">{displayName(m.user)}</strong>
                <span class="muted">{`@${m.user.username} · ${m.role}`}</span>
              </span>
              <ActionButton
                label="Hand over and leave"
                ariaLabel={`Hand over to ${displayName(m.user)} and leave`}
                action={async () => {
                  await chat.setRole(roomId, m.user.id, 'owner');
                  await chat.leaveRoom(roomId);
                  close();
                }}
              />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** An owner leaving: hand the room over first (the server refuses an owner's leave with 422). */
export function handoverDialog(chat: Chat, roomId: string): void {
  openDialog('Hand over the room', (close) => <HandoverPanel chat={chat} roomId={roomId} close={close} />);
}

function RoomSettings({ chat, roomId, close }: { chat: Chat; roomId: string; close: () => void }): JSX.Element {
  const room = chat.room(roomId);
  const [name, setName] = useState(room?.name ?? '');
  const [description, setDescription] = useState(room?.description ?? '');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  if (!room) return <p class="muted">You are no longer in this room.</p>;
  return (
    <>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setSaved(false);
          try {
            await chat.updateRoom(roomId, { name, description });
            setError(null);
            setSaved(true);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field label="Room name">
          <input name="name" value={name} maxLength={80} dir="auto" onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Description">
          <textarea name="description" rows={2} maxLength={500} dir="auto" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </Field>
        <ErrorLine error={error} />
        <p class="form-ok" role="status">
          {saved ? 'Room saved.' : ''}
        </p>
        <div class="dialog-actions">
          <button type="submit" class="button primary">
            Save room
          </button>
        </div>
      </form>
      {room.my_role === 'owner' ? (
        <div class="form danger-zone">
          <h3>Delete the room</h3>
          <p class="muted">Deletes the room and every message in it, for everyone.</p>
          <div class="dialog-actions">
            <ActionButton
              className="button danger"
              label="Delete room"
              action={async () => {
                if (!(await confirmDialog(`Delete ${roomTitle(room)} and all its messages for everyone?`, 'Delete room', true))) return;
                await chat.deleteRoom(roomId);
                close();
              }}
            />
          </div>
        </div>
      ) : null}
    </>
  );
}

/** Rename, describe or delete a room (owner or admin; delete: owner). */
export function roomSettingsDialog(chat: Chat, roomId: string): void {
  openDialog(`Settings of ${roomTitle(chat.room(roomId))}`, (close) => <RoomSettings chat={chat} roomId={roomId} close={close} />);
}
