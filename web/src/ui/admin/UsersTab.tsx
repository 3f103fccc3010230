// Admin → Users: search accounts (disabled ones too), disable / enable, promote / demote, with a
// confirmation before each step that takes something away or gives power.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type AdminApi, type AdminUser, Pager } from '../../state/admin';
import { Avatar } from '../Avatar';
import { confirmDialog } from '../Dialog';
import { ActionButton } from '../dialogs/common';
import { formatTime } from '../format';
import { formatDateTime, PagerFooter } from './common';

const nameOf = (u: AdminUser) => u.display_name || u.username;
const sameUser = (a: AdminUser, b: AdminUser) => a.id === b.id;

function UserRow({ api, pager, user, meId }: { api: AdminApi; pager: Pager<AdminUser>; user: AdminUser; meId: string | undefined }): JSX.Element {
  const name = nameOf(user);
  const me = user.id === meId;
  const apply = (next: AdminUser) => pager.update(next, sameUser);
  return (
    <li class="admin-row" data-user-id={user.id} data-disabled={user.disabled_at ? 'true' : 'false'} data-admin={user.is_admin ? 'true' : 'false'}>
      <Avatar user={{ display_name: user.display_name, username: user.username }} />
      <span class="result-main">
        <strong dir="auto">
          {name}
          {me ? ' (you)' : ''}
          {user.is_admin ? <span class="tag">Admin</span> : null}
          {user.disabled_at ? <span class="tag tag-danger">Disabled</span> : null}
        </strong>
        <span class="muted">{[`@${user.username}`, user.email].filter(Boolean).join(' · ')}</span>
        <span class="muted small">
          {user.disabled_at ? `Disabled ${formatDateTime(user.disabled_at)} · ` : ''}
          {user.last_seen_at ? `Last active ${formatTime(user.last_seen_at)}` : 'Never active'} · Joined {formatDateTime(user.created_at)}
        </span>
      </span>
      <span class="admin-actions">
        {me ? null : user.disabled_at ? (
          <ActionButton className="button" label="Enable" ariaLabel={`Enable ${name}`} action={async () => apply(await api.enable(user.id))} />
        ) : (
          <ActionButton
            className="button danger"
            label="Disable"
            ariaLabel={`Disable ${name}`}
            action={async () => {
              if (await confirmDialog(`Disable ${name} (@${user.username})? They are logged out on every device at once and cannot log in until an administrator enables the account again.`, 'Disable account', true)) apply(await api.disable(user.id));
            }}
          />
        )}
        {me ? null : user.is_admin ? (
          <ActionButton
            className="button"
            label="Remove admin"
            ariaLabel={`Remove server admin from ${name}`}
            action={async () => {
              if (await confirmDialog(`Take server administration away from ${name}?`, 'Remove admin', true)) apply(await api.demote(user.id));
            }}
          />
        ) : (
          <ActionButton
            className="button"
            label="Make admin"
            ariaLabel={`Make ${name} server admin`}
            action={async () => {
              if (await confirmDialog(`Make ${name} a server administrator? They can then disable accounts, change registration and read the audit log.`, 'Make admin')) apply(await api.promote(user.id));
            }}
          />
        )}
      </span>
    </li>
  );
}

/** The Users view. */
export function UsersTab({ api, meId }: { api: AdminApi; meId: string | undefined }): JSX.Element {
  const [typed, setTyped] = useState('');
  const [query, setQuery] = useState('');
  const [disabledOnly, setDisabledOnly] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => setQuery(typed.trim()), typed ? 250 : 0);
    return () => clearTimeout(t);
  }, [typed]);
  const pager = useMemo(() => new Pager<AdminUser>((cursor) => api.users(query, disabledOnly, cursor)), [api, query, disabledOnly]);
  useEffect(() => {
    void pager.reload();
  }, [pager]);
  const items = pager.items.value;
  return (
    <>
      <div class="admin-toolbar">
        <input type="search" aria-label="Search users" placeholder="Search by name, username or email" autocomplete="off" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        <label class="check">
          <input type="checkbox" checked={disabledOnly} onChange={(e) => setDisabledOnly(e.currentTarget.checked)} />
          Only disabled accounts
        </label>
      </div>
      <ul class="admin-list" aria-label="Users" aria-busy={pager.loading.value ? 'true' : 'false'}>
        {items.map((u) => (
          <UserRow key={u.id} api={api} pager={pager} user={u} meId={meId} />
        ))}
        {pager.loaded.value && !items.length ? <li class="muted empty">{query || disabledOnly ? 'No account matches.' : 'No accounts yet.'}</li> : null}
      </ul>
      <PagerFooter pager={pager} label="users" />
    </>
  );
}
