// Account self-service: profile (display name, status, avatar), username, email, theme, password,
// sessions (log out other devices), blocked people, logging out and deleting the account.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../../api/types';
import { type Chat } from '../../state/chat';
import { Avatar } from '../Avatar';
import { confirmDialog, ErrorLine, Field, openDialog } from '../Dialog';
import { formatTime } from '../format';
import { setTheme, type ThemeChoice, themeChoice } from '../theme';
import { ActionButton } from './common';
import { NotificationSettings } from './notifications';
import { BlockedList } from './profile';

/** A form section with its own error and success lines. */
function Section({ title, submit, ok, children, label }: { title: string; submit: (form: HTMLFormElement) => Promise<void>; ok: string; label: string; children: preact.ComponentChildren }): JSX.Element {
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="form"
      onSubmit={async (e) => {
        e.preventDefault();
        setDone(false);
        setBusy(true);
        try {
          await submit(e.currentTarget);
          setError(null);
          setDone(true);
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h3>{title}</h3>
      {children}
      <ErrorLine error={error} />
      <p class="form-ok" role="status">
        {done ? ok : ''}
      </p>
      <div class="dialog-actions">
        <button type="submit" class="button primary" disabled={busy}>
          {label}
        </button>
      </div>
    </form>
  );
}

const val = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;

function Sessions({ chat }: { chat: Chat }): JSX.Element {
  const [items, setItems] = useState<Session[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const load = async () => {
    try {
      setItems((await chat.http.call('get', '/auth/sessions', {})).items);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  return (
    <div class="form">
      <h3>Sessions</h3>
      <ErrorLine error={error} />
      <ul class="result-list">
        {items.map((s) => (
          <li key={s.id} class="result">
            <span class="result-main">
              <strong>
                {s.device || 'Unknown device'}
                {s.current ? ' (this device)' : ''}
              </strong>
              <span class="muted">{[s.ip, s.last_used_at ? `active ${formatTime(s.last_used_at)}` : null].filter(Boolean).join(' · ')}</span>
            </span>
            <ActionButton
              className="button danger"
              label={s.current ? 'Log out' : 'Revoke'}
              action={async () => {
                if (s.current) return chat.session.logout();
                await chat.http.call('delete', '/auth/sessions/{id}', { path: { id: s.id } });
                await load();
              }}
            />
          </li>
        ))}
      </ul>
      <p class="form-ok" role="status">
        {note}
      </p>
      <div class="dialog-actions">
        <ActionButton
          className="button"
          label="Log out everywhere else"
          disabled={items.filter((s) => !s.current).length === 0}
          action={async () => {
            const n = await chat.logoutOthers();
            setNote(`${n} other session${n === 1 ? ' was' : 's were'} logged out.`);
            await load();
          }}
        />
      </div>
    </div>
  );
}

function AvatarPicker({ chat }: { chat: Chat }): JSX.Element {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const me = chat.me;
  return (
    <div class="avatar-picker">
      <Avatar user={me} />
      <label class="button">
        {busy ? 'Uploading…' : 'Upload a picture'}
        <input
          type="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          class="visually-hidden"
          aria-label="Avatar picture"
          onChange={async (e) => {
            const input = e.currentTarget;
            const file = input.files?.[0];
            input.value = '';
            if (!file) return;
            setBusy(true);
            try {
              await chat.setAvatar(file);
              setError(null);
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        />
      </label>
      {me?.avatar_url ? (
        <button type="button" class="button" onClick={() => chat.updateProfile({ avatar_url: null }).catch(setError)}>
          Remove picture
        </button>
      ) : null}
      <ErrorLine error={error} />
    </div>
  );
}

function SettingsPanel({ chat, close }: { chat: Chat; close: () => void }): JSX.Element {
  const me = chat.me;
  const [theme, setThemeState] = useState<ThemeChoice>(themeChoice());
  const [passwordChanged, setPasswordChanged] = useState(0);
  if (!me) return <p />;
  return (
    <>
      <Section title="Profile" label="Save profile" ok="Profile saved." submit={(f) => chat.updateProfile({ display_name: val(f, 'display_name'), status: val(f, 'status') })}>
        <AvatarPicker chat={chat} />
        <Field label="Display name">
          <input name="display_name" defaultValue={me.display_name} maxLength={64} autocomplete="name" dir="auto" />
        </Field>
        <Field label="Status">
          <input name="status" defaultValue={me.status ?? ''} maxLength={140} placeholder="What are you up to?" dir="auto" />
        </Field>
      </Section>
      <Section title="Username" label="Change username" ok="Username changed." submit={(f) => chat.changeUsername(val(f, 'username').trim())}>
        <Field label="New username">
          <input name="username" defaultValue={me.username} maxLength={32} autocomplete="username" />
        </Field>
      </Section>
      <Section title="Email" label="Change email" ok="Email changed." submit={(f) => chat.changeEmail(val(f, 'email').trim(), val(f, 'email_password'))}>
        <Field label="New email">
          <input name="email" type="email" defaultValue={me.email ?? ''} autocomplete="email" />
        </Field>
        <Field label="Your password, to confirm">
          <input name="email_password" type="password" autocomplete="current-password" />
        </Field>
      </Section>
      <NotificationSettings chat={chat} />
      <div class="form">
        <h3>Appearance</h3>
        <Field label="Theme">
          <select
            name="theme"
            value={theme}
            onChange={(e) => {
              const choice = e.currentTarget.value as ThemeChoice;
              setTheme(choice);
              setThemeState(choice);
            }}
          >
            <option value="system">Same as the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </Field>
      </div>
      <Section
        title="Password"
        label="Change password"
        ok="Password changed. Your other sessions were logged out."
        submit={async (f) => {
          // The server revokes every other session; this one stays valid.
          await chat.http.call('patch', '/auth/password', { body: { current_password: val(f, 'current_password'), new_password: val(f, 'new_password') } });
          f.reset();
          setPasswordChanged((n) => n + 1);
        }}
      >
        <Field label="Current password">
          <input type="password" name="current_password" autocomplete="current-password" required />
        </Field>
        <Field label="New password (at least 8 characters)">
          <input type="password" name="new_password" autocomplete="new-password" required />
        </Field>
      </Section>
      <Sessions key={passwordChanged} chat={chat} />
      <div class="form blocked-people">
        <h3>Blocked people</h3>
        <BlockedList chat={chat} />
      </div>
      <Section
        title="Delete account"
        label="Delete my account"
        ok=""
        submit={async (f) => {
          if (!(await confirmDialog('Delete your account? Your messages stay, shown as from a deleted user. This cannot be undone.', 'Delete account', true))) return;
          await chat.deleteAccount(val(f, 'delete_password'));
          close();
        }}
      >
        <p class="muted">Your profile is erased and you are logged out everywhere.</p>
        <Field label="Your password, to delete the account">
          <input type="password" name="delete_password" autocomplete="current-password" />
        </Field>
      </Section>
      <div class="dialog-actions">
        <button
          type="button"
          class="button danger"
          onClick={() => {
            close();
            void chat.session.logout();
          }}
        >
          Log out
        </button>
      </div>
    </>
  );
}

/** Profile, account, theme, password, sessions, blocked people, logout, account deletion. */
export function settingsDialog(chat: Chat): void {
  openDialog('Settings', (close) => <SettingsPanel chat={chat} close={close} />, { className: 'settings' });
}
