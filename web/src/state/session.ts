// The session: the access token in memory, the refresh token in localStorage, silent refresh before
// expiry (serialized across tabs with the Web Locks API, because presenting an already-used refresh
// token revokes the whole session), and the signed-in user as a signal.
import { signal } from '@preact/signals-core';
import { ApiError, Http, type TokenSource } from '../api/http';
import type { AuthResponse, Me } from '../api/types';

export const REFRESH_KEY = 'chat.refresh_token';

/** Why the session is not usable right now: shown on the sign-in screen or the boot screen. */
export type SessionNotice = { kind: 'ended' | 'limited' | 'unreachable'; text: string; retryAt?: number } | null;

/**
 * When to refresh, in ms after an access token with `ttlSeconds` of life was received: a minute
 * before expiry, or at three quarters of a short lifetime.
 */
export function refreshDelayMs(ttlSeconds: number): number {
  return (ttlSeconds > 240 ? ttlSeconds - 60 : Math.max(1, ttlSeconds * 0.75)) * 1000;
}

/** The signed-in state and every account-level call (login, register, refresh, logout). */
export class Session implements TokenSource {
  /** The signed-in user, or null (the sign-in screen shows). */
  readonly user = signal<Me | null>(null);
  /** Shown where the user can see it: why the session ended, or that refresh is being rate-limited. */
  readonly notice = signal<SessionNotice>(null);
  private accessToken: string | null = null;
  private expiresAtMs = 0;
  private marginMs = 30_000;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<void> | null = null;
  private loggingOut = false;

  constructor(readonly http: Http) {
    http.tokens = this;
    // Another tab logged out: the shared refresh token is gone, so this tab ends too.
    window.addEventListener('storage', (e) => {
      if (e.key === REFRESH_KEY && e.newValue === null && this.user.value) this.end('You were logged out in another tab.');
    });
  }

  /** True while a session exists or may be restored from storage. */
  active(): boolean {
    return !this.loggingOut && Boolean(localStorage.getItem(REFRESH_KEY));
  }

  private adopt(auth: AuthResponse): void {
    this.accessToken = auth.access_token;
    const ttl = Number(auth.expires_in) || 900;
    this.expiresAtMs = Date.now() + ttl * 1000;
    this.marginMs = Math.min(30_000, ttl * 250);
    localStorage.setItem(REFRESH_KEY, auth.refresh_token);
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh().catch(() => undefined), refreshDelayMs(ttl));
    this.notice.value = null;
    this.user.value = auth.user;
  }

  /** Creates an account (`invite_code` where the server registers by invite only). @throws ApiError */
  async register(body: { username: string; email: string; password: string; display_name?: string; invite_code?: string }): Promise<void> {
    this.adopt(await this.http.call('post', '/auth/register', { body, auth: false }));
  }

  async login(login: string, password: string): Promise<void> {
    this.adopt(await this.http.call('post', '/auth/login', { body: { login, password }, auth: false }));
  }

  /**
   * Restores the session after a reload from the stored refresh token.
   * @returns true when signed in. @throws ApiError status 0 (unreachable) or 429 (rate-limited):
   * the stored session is kept, and the caller retries.
   */
  async restore(): Promise<boolean> {
    if (!localStorage.getItem(REFRESH_KEY)) return false;
    try {
      await this.refresh();
    } catch (err) {
      if (err instanceof ApiError && (err.status === 0 || err.status === 429)) throw err;
      return false;
    }
    return this.user.value !== null;
  }

  /**
   * Rotates the refresh token. A 401/400 ends the session; a 429 keeps it (the refresh token is
   * still good) and says so, retrying after the server's wait.
   * @throws ApiError
   */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    const run = async (): Promise<void> => {
      const token = localStorage.getItem(REFRESH_KEY);
      if (!token) throw new ApiError(401, 'TOKEN_INVALID', 'Your session has ended. Please log in again.');
      try {
        this.adopt(await this.http.call('post', '/auth/refresh', { body: { refresh_token: token }, auth: false }));
      } catch (err) {
        if (err instanceof ApiError && err.code === 'ACCOUNT_DISABLED') this.end(err.message);
        else if (err instanceof ApiError && (err.status === 401 || err.status === 400)) this.end('Your session has ended. Please log in again.');
        else if (err instanceof ApiError && err.status === 429) {
          const wait = err.retryAfterSeconds ?? 10;
          this.notice.value = { kind: 'limited', text: `The server is limiting sign-in requests from this network. Still signed in; trying again in ${wait} s.`, retryAt: Date.now() + wait * 1000 };
          clearTimeout(this.refreshTimer);
          if (this.user.value) this.refreshTimer = setTimeout(() => void this.refresh().catch(() => undefined), wait * 1000);
        }
        throw err;
      }
    };
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    const attempt: Promise<void> = (locks ? locks.request('chat-refresh', run).then(() => undefined) : run()).finally(() => {
      this.refreshing = null;
    });
    this.refreshing = attempt;
    return attempt;
  }

  /** TokenSource: a valid access token, refreshing first when it is about to expire. */
  async token(): Promise<string> {
    if (!this.accessToken || Date.now() > this.expiresAtMs - this.marginMs) await this.refresh();
    if (!this.accessToken) throw new ApiError(401, 'TOKEN_INVALID', 'Please log in.');
    return this.accessToken;
  }

  /** TokenSource: the server said TOKEN_EXPIRED. */
  refreshed(): Promise<void> {
    return this.refresh();
  }

  /** TokenSource: the server said TOKEN_REVOKED / TOKEN_INVALID. */
  revoked(): void {
    this.end('Your session has ended. Please log in again.');
  }

  /** Socket: a 4401 close. Refreshes unless logging out. */
  refreshAfterRefusal(): Promise<void> {
    return this.refresh();
  }

  /** Replaces the shown profile (after an edit or a user_updated about oneself). */
  setUser(user: Me): void {
    if (this.user.value) this.user.value = { ...this.user.value, ...user };
  }

  /**
   * Logs out on the server (best effort) and forgets everything locally. The refresh token goes
   * first, so the socket the server closes meanwhile (4401) does not refresh its way back.
   */
  async logout(): Promise<void> {
    this.loggingOut = true;
    localStorage.removeItem(REFRESH_KEY);
    try {
      if (this.accessToken) await this.http.call('post', '/auth/logout', {});
    } catch {}
    this.end(null);
    this.loggingOut = false;
  }

  /** Forgets tokens; `reason` is shown on the sign-in screen. */
  end(reason: string | null): void {
    clearTimeout(this.refreshTimer);
    this.accessToken = null;
    localStorage.removeItem(REFRESH_KEY);
    this.notice.value = reason ? { kind: 'ended', text: reason } : null;
    this.user.value = null;
  }
}
