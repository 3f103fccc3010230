// Another person's profile (from a message's author): who they are, a way to message them, and
// Block / Unblock. The caller's own block list, with Unblock, is in settings (BlockedList).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../api/types';
import { type Chat, displayName } from '../../state/chat';
import { Avatar } from '../Avatar';
import { confirmDialog, ErrorLine, openDialog } from '../Dialog';
import { go } from '../Shell';
import { ActionButton } from './common';

function ProfilePanel({ chat, userId, close }: { chat: Chat; userId: string; close: () => void }): JSX.Element {
  const [user, setUser] = useState<User | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    chat.http.call('get', '/users/{id}', { path: { id: userId } }).then(setUser, setError);
    if (chat.blockedUsers.value === null) chat.loadBlocks().catch(() => undefined);
  }, [userId]);
  if (error) return <ErrorLine error={error} />;
  if (!user) return <p class="muted">Loading…</p>;
  const name = displayName(user);
  const blocked = chat.hasBlocked(user.id);
  const online = chat.isOnline(user.id) || user.online;
  return (
    <div class="profile" data-user-id={user.id}>
      <div class="profile-head">
        <Avatar user={user} online={online} />
        <span class="result-main">
          <strong dir="auto">{name}</strong>
          <span class="muted">{`@${user.username}${online ? ' · online' : ''}`}</span>
        </span>
      </div>
      {user.status ? (
        <p class="profile-status" dir="auto">
          {user.status}
        </p>
      ) : null}
      {user.bio ? (
        <p class="profile-bio" dir="auto">
          {user.bio}
        </p>
      ) : null}
      {blocked ? <p class="muted">You blocked {name}: their messages are collapsed and you cannot message each other.</p> : null}
      <div class="dialog-actions">
        {blocked ? null : (
          <ActionButton
            className="button"
            label="Message"
            ariaLabel={`Message ${name}`}
            action={async () => {
              const room = await chat.startDm(user.id);
              close();
              go(room.id);
            }}
          />
        )}
        {blocked ? (
          <ActionButton className="button" label="Unblock" ariaLabel={`Unblock ${name}`} action={() => chat.unblock(user.id)} />
        ) : (
          <ActionButton
            className="button danger"
            label="Block"
            ariaLabel={`Block ${name}`}
            action={async () => {
              const question = `Block ${name}? Their messages will be collapsed, they will not reach you live or by notification, and neither of you can message the other directly. They are not told.`;
              if (await confirmDialog(question, 'Block', true)) await chat.block(user.id);
            }}
          />
        )}
      </div>
    </div>
  );
}

/** Opens the profile of another user, with Message and Block / Unblock. */
export function profileDialog(chat: Chat, userId: string): void {
  openDialog('Profile', (close) => <ProfilePanel chat={chat} userId={userId} close={close} />, { className: 'profile-dialog' });
}

/** The caller's block list with Unblock per person (shown in settings). */
export function BlockedList({ chat }: { chat: Chat }): JSX.Element {
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    chat.loadBlocks().catch(setError);
  }, []);
  const list = chat.blockedUsers.value;
  if (error) return <ErrorLine error={error} />;
  if (!list) return <p class="muted">Loading…</p>;
  if (list.size === 0) return <p class="muted">You have not blocked anyone.</p>;
  return (
    <ul class="result-list blocked-list">
      {[...list.values()].map((u) => (
        <li key={u.id} class="result" data-user-id={u.id}>
          <Avatar user={u} />
          <span class="result-main">
            <strong dir="auto">{displayName(u)}</strong>
            <span class="muted">{`@${u.username}${u.deactivated ? ' · deactivated' : ''}`}</span>
          </span>
          <ActionButton className="button" label="Unblock" ariaLabel={`Unblock ${displayName(u)}`} action={() => chat.unblock(u.id)} />
        </li>
      ))}
    </ul>
  );
}
