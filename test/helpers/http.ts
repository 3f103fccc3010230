import { randomUUID } from 'node:crypto';

/** A response as tests look at it. */
export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Options of {@link http}. */
export interface HttpOptions {
  token?: string;
  body?: unknown;
  /** Raw body string (sent as-is, e.g. invalid JSON). */
  raw?: string;
  headers?: Record<string, string>;
}

/** One real HTTP request against a test app; parses JSON answers. */
export async function http<T = any>(base: string, method: string, path: string, opts: HttpOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** A registered user with its tokens. */
export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** A short unique suffix so suites never collide on usernames or room names. */
export function unique(prefix = 'u'): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`;
}

/** Registers a fresh user. @throws when registration does not return 201. */
export async function registerUser(api: string, overrides: Partial<{ username: string; email: string; password: string; display_name: string }> = {}): Promise<TestUser> {
  const username = overrides.username ?? unique('user');
  const email = overrides.email ?? `${username}@example.test`;
  const password = overrides.password ?? 'correct horse battery';
  const res = await http(api, 'POST', '/auth/register', { body: { username, email, password, ...(overrides.display_name ? { display_name: overrides.display_name } : {}) } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, username, email, password, token: res.body.access_token, refreshToken: res.body.refresh_token };
}

/** Creates a room owned by `owner`. @throws unless 201. */
export async function createRoom(api: string, owner: TestUser, type: 'public' | 'private' = 'public', name = unique('room')): Promise<{ id: string; name: string }> {
  const res = await http(api, 'POST', '/rooms', { token: owner.token, body: { name, type } });
  if (res.status !== 201) throw new Error(`create room failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * The body of a 2xx answer, for steps of a test that must succeed.
 * @param what names the step in the error
 * @throws with the status and body of any other answer
 */
export function okBody(res: HttpResult, what: string): any {
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Sends a text message over REST (`POST /rooms/:id/messages`).
 * @returns the stored Message
 * @throws unless 201
 */
export async function sendText(api: string, user: { token: string }, roomId: string, content: string): Promise<any> {
  const res = await http(api, 'POST', `/rooms/${roomId}/messages`, { token: user.token, body: { content } });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Asserts API.md's error shape and returns the body for further checks. */
export function expectError(res: HttpResult, status: number, code?: string): any {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code: code ?? res.body?.code });
  expect(res.body).toEqual(
    expect.objectContaining({ status_code: status, code: expect.stringMatching(/^[A-Z_]+$/), error: expect.any(String), request_id: expect.any(String) }),
  );
  return res.body;
}
