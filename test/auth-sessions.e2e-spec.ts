import { expectError, http, registerUser, TestUser } from './helpers/http';
import { startTestApp, useTestApp } from './helpers/app';
import { connectAuthed, WsTestClient } from './helpers/ws-client';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** Sessions list and revocation, and revocation reaching live WebSocket connections. */
describe('auth: sessions and revocation (e2e)', () => {
  const { t, sockets } = useTestApp();

  const loginAs = (u: TestUser, userAgent?: string) =>
    http(t.api, 'POST', '/auth/login', { body: { login: u.username, password: u.password }, headers: userAgent ? { 'user-agent': userAgent } : {} });

  it('lists the live sessions with device, IP and times, the current one marked', async () => {
    const u = await registerUser(t.api);
    const firefox = await loginAs(u, FIREFOX);
    const phone = await loginAs(u, IPHONE);
    const res = await http(t.api, 'GET', '/auth/sessions', { token: phone.body.access_token });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(3);
    expect(res.body.next_cursor).toBeNull();
    const current = res.body.items.filter((s: { current: boolean }) => s.current);
    expect(current).toHaveLength(1);
    expect(current[0]).toMatchObject({ device: 'Safari on iPhone', user_agent: IPHONE, ip: '127.0.0.1' });
    // Most recently used first.
    expect(res.body.items[0].id).toBe(current[0].id);
    const ff = res.body.items.find((s: { user_agent: string }) => s.user_agent === FIREFOX);
    expect(ff).toMatchObject({ device: 'Firefox on Linux', current: false });
    for (const s of res.body.items) {
      expect(s).toEqual({
        id: expect.any(String),
        device: expect.any(String),
        user_agent: s.user_agent,
        ip: '127.0.0.1',
        created_at: expect.stringMatching(/Z$/),
        last_used_at: expect.stringMatching(/Z$/),
        expires_at: expect.stringMatching(/Z$/),
        current: expect.any(Boolean),
      });
      expect(JSON.stringify(s)).not.toMatch(/refresh|hash/);
    }
    // The session of a refresh moves to the top and keeps its id.
    const refreshed = await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: firefox.body.refresh_token }, headers: { 'user-agent': FIREFOX } });
    const after = await http(t.api, 'GET', '/auth/sessions', { token: refreshed.body.access_token });
    expect(after.body.items[0]).toMatchObject({ id: ff.id, current: true });
  });

  it('paginates with a cursor and refuses bad limits and cursors', async () => {
    const u = await registerUser(t.api);
    for (let i = 0; i < 4; i++) await loginAs(u);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await http(t.api, 'GET', `/auth/sessions?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: u.token });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((s: { id: string }) => s.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expectError(await http(t.api, 'GET', '/auth/sessions?cursor=not-a-cursor', { token: u.token }), 400, 'INVALID_CURSOR');
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'foo=1']) {
      expectError(await http(t.api, 'GET', `/auth/sessions?${q}`, { token: u.token }), 400, 'VALIDATION_FAILED');
    }
  });

  it('DELETE /auth/sessions/:id cuts off that session\'s access token, refresh token and socket at once', async () => {
    const u = await registerUser(t.api);
    const laptop = await loginAs(u, FIREFOX);
    const socket = await connectAuthed(t.wsUrl, laptop.body.access_token);
    const mySocket = await connectAuthed(t.wsUrl, u.token);
    sockets.push(socket, mySocket);
    const list = await http(t.api, 'GET', '/auth/sessions', { token: u.token });
    const target = list.body.items.find((s: { current: boolean }) => !s.current);

    const started = Date.now();
    const res = await http(t.api, 'DELETE', `/auth/sessions/${target.id}`, { token: u.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: target.id, revoked: true });
    const closed = await socket.closed;
    expect(closed.code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(1000);

    const err = expectError(await http(t.api, 'GET', '/auth/me', { token: laptop.body.access_token }), 401, 'TOKEN_REVOKED');
    expect(err.error).toMatch(/revoked/);
    expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: laptop.body.refresh_token } }), 401, 'REFRESH_TOKEN_INVALID');
    // A new socket with the revoked token is refused too.
    const retry = new WsTestClient(t.wsUrl, { token: laptop.body.access_token });
    sockets.push(retry);
    expect((await retry.closed).code).toBe(4401);
    // The caller's own session is untouched, and the revoked one is no longer listed.
    expect(mySocket.socket.readyState).toBe(mySocket.socket.OPEN);
    const after = await http(t.api, 'GET', '/auth/sessions', { token: u.token });
    expect(after.body.items.map((s: { id: string }) => s.id)).not.toContain(target.id);
    // Revoking it again, or a session that does not exist, is 404.
    expectError(await http(t.api, 'DELETE', `/auth/sessions/${target.id}`, { token: u.token }), 404, 'SESSION_NOT_FOUND');
    expectError(await http(t.api, 'DELETE', '/auth/sessions/7f1d3f0e-3a53-4c2f-9d8e-2b1c0a9e8d7c', { token: u.token }), 404, 'SESSION_NOT_FOUND');
    expectError(await http(t.api, 'DELETE', '/auth/sessions/not-a-uuid', { token: u.token }), 400, 'VALIDATION_FAILED');
  });

  it('cannot see or revoke another user\'s session (404)', async () => {
    const a = await registerUser(t.api);
    const b = await registerUser(t.api);
    const bSessions = await http(t.api, 'GET', '/auth/sessions', { token: b.token });
    expect(bSessions.body.items).toHaveLength(1);
    expectError(await http(t.api, 'DELETE', `/auth/sessions/${bSessions.body.items[0].id}`, { token: a.token }), 404, 'SESSION_NOT_FOUND');
    expect((await http(t.api, 'GET', '/auth/me', { token: b.token })).status).toBe(200);
    const aSessions = await http(t.api, 'GET', '/auth/sessions', { token: a.token });
    expect(aSessions.body.items.map((s: { id: string }) => s.id)).not.toContain(bSessions.body.items[0].id);
  });

  it('revoking the current session is a logout', async () => {
    const u = await registerUser(t.api);
    const list = await http(t.api, 'GET', '/auth/sessions', { token: u.token });
    expect((await http(t.api, 'DELETE', `/auth/sessions/${list.body.items[0].id}`, { token: u.token })).status).toBe(200);
    expectError(await http(t.api, 'GET', '/auth/me', { token: u.token }), 401, 'TOKEN_REVOKED');
  });

  it('logout closes the sockets opened with that session (header and first-message auth), not the others', async () => {
    const u = await registerUser(t.api);
    const other = await loginAs(u);
    const byHeader = await connectAuthed(t.wsUrl, u.token);
    const byMessage = new WsTestClient(t.wsUrl);
    await byMessage.next('auth_required');
    byMessage.send({ type: 'auth', payload: { token: u.token } });
    await byMessage.next('auth_ok');
    const otherSocket = await connectAuthed(t.wsUrl, other.body.access_token);
    sockets.push(byHeader, byMessage, otherSocket);

    expect((await http(t.api, 'POST', '/auth/logout', { token: u.token })).status).toBe(200);
    expect((await byHeader.closed).code).toBe(4401);
    expect((await byMessage.closed).code).toBe(4401);
    expect(otherSocket.socket.readyState).toBe(otherSocket.socket.OPEN);
    expectError(await http(t.api, 'GET', '/auth/me', { token: u.token }), 401, 'TOKEN_REVOKED');
  });

  it('refresh-token reuse closes the sockets of the revoked session', async () => {
    const u = await registerUser(t.api);
    const socket = await connectAuthed(t.wsUrl, u.token);
    sockets.push(socket);
    expect((await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })).status).toBe(200);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } }), 401, 'REFRESH_TOKEN_REUSED');
    expect((await socket.closed).code).toBe(4401);
  });

  it('the sessions routes need a token', async () => {
    expectError(await http(t.api, 'GET', '/auth/sessions'), 401, 'UNAUTHORIZED');
    expectError(await http(t.api, 'DELETE', '/auth/sessions/7f1d3f0e-3a53-4c2f-9d8e-2b1c0a9e8d7c'), 401, 'UNAUTHORIZED');
  });

  it('a token remembered by one transport is still checked for revocation on the other (REST after WS, WS after REST)', async () => {
    const u = await registerUser(t.api);
    // Remembered from the WebSocket auth, then used on REST: same principal, no second verification.
    const ws = await connectAuthed(t.wsUrl, u.token);
    sockets.push(ws);
    expect((await http(t.api, 'GET', '/auth/me', { token: u.token })).status).toBe(200);
    expect((await http(t.api, 'POST', '/auth/logout', { token: u.token })).status).toBe(200);
    expectError(await http(t.api, 'GET', '/auth/me', { token: u.token }), 401, 'TOKEN_REVOKED');
    expect((await ws.closed).code).toBe(4401);
    // Remembered from REST (passport-jwt's verification), then refused on WebSocket once revoked.
    const v = await registerUser(t.api);
    expect((await http(t.api, 'GET', '/auth/me', { token: v.token })).status).toBe(200);
    expect((await http(t.api, 'POST', '/auth/logout', { token: v.token })).status).toBe(200);
    const late = new WsTestClient(t.wsUrl, { token: v.token });
    sockets.push(late);
    expect((await late.closed).code).toBe(4401);
    // A forged token that differs from a remembered one is verified in full, not matched.
    const forged = v.token.slice(0, -2) + (v.token.endsWith('AA') ? 'BB' : 'AA');
    expectError(await http(t.api, 'GET', '/auth/me', { token: forged }), 401, 'TOKEN_INVALID');
  });

  it('a token remembered after a REST request is refused TOKEN_EXPIRED once expired (ACCESS_TOKEN_TTL_SECONDS=2)', async () => {
    const short = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: '2' });
    try {
      const u = await registerUser(short.api);
      expect((await http(short.api, 'GET', '/auth/me', { token: u.token })).status).toBe(200);
      const claims = JSON.parse(Buffer.from(u.token.split('.')[1], 'base64url').toString()) as { exp: number };
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, claims.exp * 1000 - Date.now()) + 100));
      expectError(await http(short.api, 'GET', '/auth/me', { token: u.token }), 401, 'TOKEN_EXPIRED');
    } finally {
      await short.close();
    }
  });
});
