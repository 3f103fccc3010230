// The page: restores the session from the stored refresh token, then shows the chat or the sign-in
// screen, switching whenever the session starts or ends. While the server cannot be reached, or is
// rate-limiting refreshes, it says so and retries, keeping the stored session. A password reset link
// (#/reset?token=…) opens the reset page instead, signed in or not.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, describeError, Http } from '../api/http';
import { Chat } from '../state/chat';
import { Session } from '../state/session';
import { Auth, ResetPassword, resetTokenFromHash } from './Auth';
import { closeAllDialogs } from './Dialog';
import { Shell } from './Shell';

const http = new Http();
const session = new Session(http);

type Boot = { phase: 'restoring' } | { phase: 'ready' } | { phase: 'waiting'; text: string; retryInMs: number };

export function App(): JSX.Element {
  const [boot, setBoot] = useState<Boot>({ phase: 'restoring' });
  const [attempt, setAttempt] = useState(0);
  // Kept apart from the address: the signed-in shell clears the hash when it goes away.
  const [resetToken, setResetToken] = useState(() => resetTokenFromHash(location.hash));
  const user = session.user.value;

  useEffect(() => {
    const onHash = () => {
      const token = resetTokenFromHash(location.hash);
      if (token) setResetToken(token);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    session.restore().then(
      () => setBoot({ phase: 'ready' }),
      (err: unknown) => {
        const limited = err instanceof ApiError && err.status === 429;
        const retryInMs = limited ? (err.retryAfterSeconds ?? 5) * 1000 : 5000;
        const text = limited
          ? `The server is limiting sign-in requests from this network, so your session cannot be resumed yet. You are still signed in; trying again in ${Math.ceil(retryInMs / 1000)} s.`
          : `${describeError(err)} Trying again in ${retryInMs / 1000} s.`;
        setBoot({ phase: 'waiting', text, retryInMs });
        timer = setTimeout(() => setAttempt((n) => n + 1), retryInMs);
      },
    );
    return () => clearTimeout(timer);
  }, [attempt]);

  // One Chat per signed-in user: made when the session starts, stopped when it ends.
  const chat = useMemo(() => (user ? new Chat(session, http) : null), [user?.id]);
  useEffect(() => {
    if (!chat) return;
    chat.start();
    return () => {
      chat.stop();
      closeAllDialogs();
    };
  }, [chat]);

  if (resetToken)
    return (
      <ResetPassword
        session={session}
        token={resetToken}
        done={() => {
          history.replaceState(null, '', location.pathname);
          setResetToken(null);
        }}
      />
    );
  if (boot.phase === 'restoring' && !user) return <p class="boot">Loading…</p>;
  if (boot.phase === 'waiting' && !user)
    return (
      <main class="auth">
        <div class="auth-card">
          <h1 class="brand">Chat</h1>
          <p class="notice" role="alert">
            {boot.text}
          </p>
          <button type="button" class="button primary wide" onClick={() => setAttempt((n) => n + 1)}>
            Try again now
          </button>
        </div>
      </main>
    );
  if (!chat) return <Auth session={session} />;
  return <Shell chat={chat} />;
}
