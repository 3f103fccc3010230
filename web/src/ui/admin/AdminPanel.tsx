// The server administration panel, for server admins only, at #/admin/<view>: users, registration
// and invites, the audit log. Views are tabs (arrow keys move between them); each keeps its
// place in the address, so Back and reload work.
import type { JSX } from 'preact';
import { useMemo } from 'preact/hooks';
import { AdminApi } from '../../state/admin';
import type { Chat } from '../../state/chat';
import { Icon } from '../icons';
import { go } from '../Shell';
import { AuditTab } from './AuditTab';
import { RegistrationTab } from './RegistrationTab';
import { UsersTab } from './UsersTab';

/** The panel's views, in tab order. */
export const ADMIN_VIEWS = [
  { id: 'users', label: 'Users' },
  { id: 'registration', label: 'Registration' },
  { id: 'audit', label: 'Audit log' },
] as const;

export type AdminView = (typeof ADMIN_VIEWS)[number]['id'];

/** The view of an admin address (`#/admin` → users), or null when the address is not the panel's. */
export function adminViewFromHash(hash: string): AdminView | null {
  const match = /^#\/admin(?:\/([a-z]+))?$/.exec(hash);
  if (!match) return null;
  return ADMIN_VIEWS.find((v) => v.id === match[1])?.id ?? 'users';
}

function Tabs({ view }: { view: AdminView }): JSX.Element {
  const move = (e: KeyboardEvent) => {
    const i = ADMIN_VIEWS.findIndex((v) => v.id === view);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    const to = e.key === 'Home' ? 0 : e.key === 'End' ? ADMIN_VIEWS.length - 1 : step ? (i + step + ADMIN_VIEWS.length) % ADMIN_VIEWS.length : -1;
    if (to < 0) return;
    e.preventDefault();
    location.hash = `#/admin/${ADMIN_VIEWS[to].id}`;
    requestAnimationFrame(() => document.getElementById(`admin-tab-${ADMIN_VIEWS[to].id}`)?.focus());
  };
  return (
    <div role="tablist" class="tabs admin-tabs" aria-label="Administration" onKeyDown={move}>
      {ADMIN_VIEWS.map((v) => (
        <a key={v.id} id={`admin-tab-${v.id}`} role="tab" class="tab" href={`#/admin/${v.id}`} aria-selected={v.id === view ? 'true' : 'false'} aria-controls="admin-view" tabIndex={v.id === view ? 0 : -1}>
          {v.label}
        </a>
      ))}
    </div>
  );
}

/** The panel; people who are not server admins get a sentence instead. */
export function AdminPanel({ chat, view }: { chat: Chat; view: AdminView }): JSX.Element {
  const api = useMemo(() => new AdminApi(chat.http), [chat]);
  const isAdmin = chat.me?.is_admin === true;
  return (
    <div class="admin">
      <header class="conv-header">
        <button type="button" class="icon-button back" aria-label="Back to conversations" onClick={() => go(null)}>
          <Icon name="back" />
        </button>
        <span class="avatar" aria-hidden="true">
          <Icon name="shield" />
        </span>
        <div class="conv-heading">
          <h2 class="conv-title">Server administration</h2>
        </div>
      </header>
      {isAdmin ? (
        <>
          <Tabs view={view} />
          <div id="admin-view" role="tabpanel" class="admin-body" aria-labelledby={`admin-tab-${view}`}>
            {view === 'users' ? <UsersTab api={api} meId={chat.me?.id} /> : null}
            {view === 'registration' ? <RegistrationTab api={api} /> : null}
            {view === 'audit' ? <AuditTab api={api} http={chat.http} /> : null}
          </div>
        </>
      ) : (
        <div class="empty-state">
          <h2>Administrators only</h2>
          <p class="muted">This page is for the server's administrators.</p>
        </div>
      )}
    </div>
  );
}
