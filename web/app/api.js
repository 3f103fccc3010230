// REST client for /api/v1: keeps the access token in memory and the refresh token in localStorage,
// refreshes silently before expiry and once more on 401 TOKEN_EXPIRED, and turns every failure into
// an ApiError whose message is a sentence for people.

const REFRESH_KEY = 'chat.refresh_token';
export const API_BASE = '/api/v1';

/** A failed request: `status` (0 = network), stable `code`, people-readable `message`, `details`. */
export class ApiError extends Error {
  constructor(status, code, message, details = null, retryAfterSeconds = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const FIELD_NAMES = {
  username: 'Username',
  email: 'Email',
  password: 'Password',
  display_name: 'Display name',
  current_password: 'Current password',
  new_password: 'New password',
  name: 'Name',
  description: 'Description',
  content: 'Message',
  status: 'Status',
  login: 'Username or email',
  file: 'File',
};

/**
 * One sentence (or a few) describing what went wrong, for a toast or an inline form error: the
 * server's own `error` sentence, the field problems it listed, and the wait after a 429.
 */
export function describeError(err) {
  if (!(err instanceof ApiError)) return err?.message ? String(err.message) : 'Something went wrong.';
  if (err.status === 0) return 'Cannot reach the server. Check your connection and try again.';
  if (err.code === 'RATE_LIMITED' || err.status === 429) {
    const wait = err.retryAfterSeconds;
    return wait ? `Too many requests. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.` : 'Too many requests. Please wait a moment and try again.';
  }
  if (err.code === 'ROUTE_NOT_FOUND') return 'This server does not offer that feature yet.';
  let text = err.message || 'The request failed.';
  const problems = (Array.isArray(err.details) ? err.details : [])
    .filter((d) => d && (d.field || d.problem))
    .map((d) => `${FIELD_NAMES[d.field] ?? d.field ?? ''} ${String(d.problem ?? 'is invalid').replace(/\.$/, '')}`.trim());
  // The server's sentence repeats the first problem; the list says it all, with friendly names.
  if (problems.length) text = `${problems.join('; ')}.`;
  if (err.status === 403 && !/not allowed|permission|forbidden/i.test(text)) text = `You are not allowed to do that. ${text}`;
  return text;
}

/** Parses a fetch Response into JSON or an ApiError; never surfaces raw bodies. */
async function parseResponse(res) {
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body;
  const retry = Number(res.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? Math.ceil(retry) : null;
  if (body && typeof body === 'object' && typeof body.code === 'string') {
    throw new ApiError(res.status, body.code, body.error ?? `The server refused the request (HTTP ${res.status}).`, body.details ?? null, retryAfter);
  }
  throw new ApiError(res.status, `HTTP_${res.status}`, `The server answered with an unexpected error (HTTP ${res.status}).`, null, retryAfter);
}

/** Session-aware REST client. Emits `session` (user|null) and `token` through `listeners`. */
export class Api {
  constructor() {
    this.accessToken = null;
    this.accessExpiresAtMs = 0;
    this.user = null;
    this.refreshTimer = null;
    this.refreshing = null;
    this.listeners = { session: new Set(), token: new Set() };
    // Another tab logged out: the shared refresh token is gone, so this tab ends too.
    window.addEventListener('storage', (e) => {
      if (e.key === REFRESH_KEY && e.newValue === null && this.user) this.endSession('You were logged out in another tab.');
    });
  }

  on(event, fn) {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  emit(event, value) {
    for (const fn of this.listeners[event]) fn(value);
  }

  /** True when a refresh token is stored (a session may be restorable). */
  hasStoredSession() {
    return Boolean(localStorage.getItem(REFRESH_KEY));
  }

  /** Applies an auth response `{user, access_token, refresh_token, expires_in}`. */
  adopt(auth) {
    this.accessToken = auth.access_token ?? auth.token;
    this.accessExpiresAtMs = Date.now() + (Number(auth.expires_in) || 900) * 1000;
    this.refreshMarginMs = Math.min(30_000, (Number(auth.expires_in) || 900) * 250);
    if (auth.refresh_token) localStorage.setItem(REFRESH_KEY, auth.refresh_token);
    if (auth.user) this.user = auth.user;
    clearTimeout(this.refreshTimer);
    // A minute before expiry, or at three quarters of a short lifetime.
    const ttlSeconds = Number(auth.expires_in) || 900;
    const inSeconds = ttlSeconds > 240 ? ttlSeconds - 60 : Math.max(1, ttlSeconds * 0.75);
    this.refreshTimer = setTimeout(() => this.refresh().catch(() => undefined), inSeconds * 1000);
    this.emit('token', this.accessToken);
  }

  async register(fields) {
    const auth = await this.request('POST', '/auth/register', { body: fields, auth: false });
    this.adopt(auth);
    this.emit('session', this.user);
    return this.user;
  }

  async login(login, password) {
    const auth = await this.request('POST', '/auth/login', { body: { login, password }, auth: false });
    this.adopt(auth);
    this.emit('session', this.user);
    return this.user;
  }

  /** Restores the session after a reload from the stored refresh token. @returns the user or null. */
  async restore() {
    if (!this.hasStoredSession()) return null;
    try {
      await this.refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 0) throw err;
      return null;
    }
    if (!this.user) this.user = await this.request('GET', '/auth/me');
    this.emit('session', this.user);
    return this.user;
  }

  /**
   * Rotates the refresh token. Serialized across tabs with the Web Locks API and re-reading storage
   * inside the lock, because presenting an already-used refresh token revokes the whole session.
   * @throws ApiError; a 401 also ends the session.
   */
  refresh() {
    if (this.refreshing) return this.refreshing;
    const run = async () => {
      const token = localStorage.getItem(REFRESH_KEY);
      if (!token) throw new ApiError(401, 'TOKEN_INVALID', 'Your session has ended. Please log in again.');
      try {
        const auth = await this.request('POST', '/auth/refresh', { body: { refresh_token: token }, auth: false });
        this.adopt(auth);
        return this.accessToken;
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
          this.endSession('Your session has ended. Please log in again.');
        }
        throw err;
      }
    };
    this.refreshing = (navigator.locks ? navigator.locks.request('chat-refresh', run) : run()).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** A valid access token, refreshing first when it is about to expire (30 s, less for short lifetimes). */
  async freshToken() {
    if (!this.accessToken || Date.now() > this.accessExpiresAtMs - (this.refreshMarginMs ?? 30_000)) await this.refresh();
    return this.accessToken;
  }

  /**
   * Logs out on the server (best effort) and forgets everything locally. The refresh token goes
   * first, so the socket the server closes meanwhile (4401) does not try to refresh its way back.
   */
  async logout() {
    this.loggingOut = true;
    localStorage.removeItem(REFRESH_KEY);
    try {
      if (this.accessToken) await this.request('POST', '/auth/logout', { retry: false });
    } catch {}
    this.endSession(null);
    this.loggingOut = false;
  }

  /** Forgets tokens and tells the app; `reason` is shown on the login screen. */
  endSession(reason) {
    clearTimeout(this.refreshTimer);
    this.accessToken = null;
    this.user = null;
    localStorage.removeItem(REFRESH_KEY);
    this.sessionEndReason = reason;
    this.emit('session', null);
  }

  /**
   * One REST call. `body` is sent as JSON, `form` as multipart. Authenticated unless `auth: false`;
   * a 401 TOKEN_EXPIRED is refreshed and retried once.
   * @throws ApiError (status 0 when the server cannot be reached)
   */
  async request(method, path, { body, form, auth = true, retry = true, query } = {}) {
    const headers = {};
    if (auth) headers.authorization = `Bearer ${await this.freshToken()}`;
    let payload;
    if (form) payload = form;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let url = API_BASE + path;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    let res;
    try {
      res = await fetch(url, { method, headers, body: payload });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server.');
    }
    try {
      return await parseResponse(res);
    } catch (err) {
      if (auth && retry && err instanceof ApiError && err.status === 401 && err.code === 'TOKEN_EXPIRED') {
        await this.refresh();
        return this.request(method, path, { body, form, auth, retry: false, query });
      }
      if (auth && err instanceof ApiError && err.status === 401 && (err.code === 'TOKEN_REVOKED' || err.code === 'TOKEN_INVALID')) {
        this.endSession('Your session has ended. Please log in again.');
      }
      throw err;
    }
  }

  /** GET of an authenticated binary (an upload), as a Blob. */
  async blob(url) {
    const headers = { authorization: `Bearer ${await this.freshToken()}` };
    let res;
    try {
      res = await fetch(url, { headers });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Cannot reach the server.');
    }
    if (!res.ok) await parseResponse(res);
    return res.blob();
  }

  /** Every page of a list endpoint, up to `max` items. */
  async all(path, query = {}, max = 500) {
    const items = [];
    let cursor;
    do {
      const page = await this.request('GET', path, { query: { ...query, limit: 100, cursor } });
      items.push(...(page?.items ?? []));
      cursor = page?.next_cursor;
    } while (cursor && items.length < max);
    return items;
  }
}
