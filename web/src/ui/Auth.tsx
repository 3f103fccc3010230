// Log in / create account. The sign-up form follows the server's registration mode, read before
// anyone submits (GET /auth/registration): an invite code field in `invite` mode, no sign-up at all
// in `closed` mode. An invite link (#/register?invite=CODE) opens sign-up with the code filled in.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError } from '../api/http';
import type { Session } from '../state/session';
import { Field } from './Dialog';

type RegistrationMode = 'open' | 'invite' | 'closed';

/** The invite code of an invite link (`#/register?invite=CODE`), or null. */
export function inviteFromHash(hash: string): string | null {
  const match = /^#\/register\?(.*)$/.exec(hash);
  return match ? new URLSearchParams(match[1]).get('invite') : null;
}

/** The sign-in screen; `notice` (e.g. "Your session has ended") is shown above the forms. */
export function Auth({ session }: { session: Session }): JSX.Element {
  const [invite] = useState(() => inviteFromHash(location.hash));
  const [mode, setMode] = useState<'login' | 'register'>(invite ? 'register' : 'login');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // null until the server said (or when it could not say: then the form is shown, and an
  // INVITE_REQUIRED / REGISTRATION_CLOSED answer to a submit sets it).
  const [registration, setRegistration] = useState<RegistrationMode | null>(invite ? 'invite' : null);
  const notice = session.notice.value;
  const invalid = new Set(error instanceof ApiError ? error.details.map((d) => d.field) : []);
  if (error instanceof ApiError && (error.code === 'INVITE_REQUIRED' || error.code === 'INVITE_INVALID')) invalid.add('invite_code');

  useEffect(() => {
    let live = true;
    session.http.call('get', '/auth/registration', { auth: false }).then(
      (r) => live && setRegistration(r.mode),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => {
    if (registration === 'closed') setMode('login');
  }, [registration]);

  const submit = async (e: Event, action: (form: HTMLFormElement) => Promise<void>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action(e.currentTarget as HTMLFormElement);
    } catch (err) {
      setError(err);
      setBusy(false);
      if (err instanceof ApiError && err.code === 'INVITE_REQUIRED') setRegistration('invite');
      if (err instanceof ApiError && err.code === 'REGISTRATION_CLOSED') setRegistration('closed');
    }
  };
  const value = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
  const errorLine = (
    <p class="form-error" role="alert" hidden={!error}>
      {error ? describeError(error) : ''}
    </p>
  );
  const tab = (which: 'login' | 'register', label: string) => (
    <button
      type="button"
      role="tab"
      class="tab"
      aria-selected={mode === which ? 'true' : 'false'}
      onClick={() => {
        setMode(which);
        setError(null);
      }}
    >
      {label}
    </button>
  );

  return (
    <main class="auth">
      <div class="auth-card">
        <h1 class="brand">Chat</h1>
        {notice && (
          <p class="notice" role="status">
            {notice.text}
          </p>
        )}
        {registration === 'closed' ? (
          <p class="muted" role="status">
            Sign-up is closed on this server. Ask its administrator for an account.
          </p>
        ) : (
          <div role="tablist" class="tabs" aria-label="Account">
            {tab('login', 'Log in')}
            {tab('register', 'Create account')}
          </div>
        )}
        {mode === 'login' ? (
          <form class="form" aria-label="Log in" noValidate onSubmit={(e) => submit(e, (f) => session.login(value(f, 'login').trim(), value(f, 'password')))}>
            <Field label="Username or email">
              <input name="login" autocomplete="username" required autofocus aria-invalid={invalid.has('login') ? 'true' : undefined} />
            </Field>
            <Field label="Password">
              <input name="password" type="password" autocomplete="current-password" required />
            </Field>
            {errorLine}
            <button type="submit" class="button primary wide" disabled={busy}>
              Log in
            </button>
          </form>
        ) : (
          <form
            class="form"
            aria-label="Create account"
            noValidate
            onSubmit={(e) =>
              submit(e, (f) => {
                const displayName = value(f, 'display_name').trim();
                const inviteCode = registration === 'invite' ? value(f, 'invite_code').trim() : '';
                return session.register({
                  username: value(f, 'username').trim(),
                  email: value(f, 'email').trim(),
                  password: value(f, 'password'),
                  ...(displayName ? { display_name: displayName } : {}),
                  ...(inviteCode ? { invite_code: inviteCode } : {}),
                });
              })
            }
          >
            {registration === 'invite' ? (
              <>
                <p class="muted">This server registers by invitation: enter the invite code an administrator gave you.</p>
                <Field label="Invite code">
                  <input name="invite_code" autocomplete="off" required maxLength={64} defaultValue={invite ?? ''} aria-invalid={invalid.has('invite_code') ? 'true' : undefined} />
                </Field>
              </>
            ) : null}
            <Field label="Username (3–32 letters, digits, . _ -)">
              <input name="username" autocomplete="username" required autofocus maxLength={32} aria-invalid={invalid.has('username') ? 'true' : undefined} />
            </Field>
            <Field label="Email">
              <input name="email" type="email" autocomplete="email" required aria-invalid={invalid.has('email') ? 'true' : undefined} />
            </Field>
            <Field label="Display name (optional)">
              <input name="display_name" autocomplete="name" maxLength={64} />
            </Field>
            <Field label="Password (at least 8 characters)">
              <input name="password" type="password" autocomplete="new-password" required aria-invalid={invalid.has('password') ? 'true' : undefined} />
            </Field>
            {errorLine}
            <button type="submit" class="button primary wide" disabled={busy}>
              Create account
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
