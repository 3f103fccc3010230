import { createRoom, expectError, http, registerUser, TestUser, unique } from './helpers/http';
import { useTestApp } from './helpers/app';
import { connectAuthed } from './helpers/ws-client';

/** The caller's own account: profile, username, email, password and deletion. */
describe('auth: own account (e2e)', () => {
  const { t, sockets } = useTestApp();

  const login = async (u: TestUser, password = u.password) => http(t.api, 'POST', '/auth/login', { body: { login: u.username, password } });

  describe('PATCH /auth/me', () => {
    it('changes only the fields sent and returns the own profile', async () => {
      const u = await registerUser(t.api);
      const res = await http(t.api, 'PATCH', '/auth/me', {
        token: u.token,
        body: { display_name: ' Alice L. ', bio: 'Down the rabbit hole', avatar_url: 'https://example.com/a.png', status: '🐇 late' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: u.id,
        username: u.username,
        email: u.email,
        display_name: 'Alice L.',
        bio: 'Down the rabbit hole',
        avatar_url: 'https://example.com/a.png',
        status: '🐇 late',
      });
      const partial = await http(t.api, 'PATCH', '/auth/me', { token: u.token, body: { status: 'back' } });
      expect(partial.body).toMatchObject({ display_name: 'Alice L.', bio: 'Down the rabbit hole', status: 'back' });
      // null or "" clears the optional fields.
      const cleared = await http(t.api, 'PATCH', '/auth/me', { token: u.token, body: { bio: null, avatar_url: '', status: '  ' } });
      expect(cleared.body).toMatchObject({ bio: null, avatar_url: null, status: null, display_name: 'Alice L.' });
      // Others see the public profile without email.
      const other = await registerUser(t.api);
      const seen = await http(t.api, 'GET', `/users/${u.id}`, { token: other.token });
      expect(seen.body.display_name).toBe('Alice L.');
      expect(seen.body).not.toHaveProperty('email');
      // An empty body changes nothing.
      expect((await http(t.api, 'PATCH', '/auth/me', { token: u.token, body: {} })).status).toBe(200);
    });

    it('accepts a status of exactly 140 characters, emoji counted as one', async () => {
      const u = await registerUser(t.api);
      const res = await http(t.api, 'PATCH', '/auth/me', { token: u.token, body: { status: '🙂'.repeat(140) } });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('🙂'.repeat(140));
    });

    it.each([
      ['display_name empty', { display_name: '  ' }, 'display_name'],
      ['display_name null', { display_name: null }, 'display_name'],
      ['display_name too long', { display_name: 'x'.repeat(65) }, 'display_name'],
      ['display_name not a string', { display_name: 7 }, 'display_name'],
      ['bio too long', { bio: 'x'.repeat(501) }, 'bio'],
      ['status of 141 characters', { status: 's'.repeat(141) }, 'status'],
      ['avatar_url javascript:', { avatar_url: 'javascript:alert(1)' }, 'avatar_url'],
      ['avatar_url data:', { avatar_url: 'data:image/png;base64,AAAA' }, 'avatar_url'],
      ['avatar_url ftp:', { avatar_url: 'ftp://example.com/a.png' }, 'avatar_url'],
      ['avatar_url relative', { avatar_url: '/a.png' }, 'avatar_url'],
      ['avatar_url not a URL', { avatar_url: 'not a url' }, 'avatar_url'],
      ['avatar_url too long', { avatar_url: `https://example.com/${'a'.repeat(2048)}` }, 'avatar_url'],
      ['an unknown field', { email: 'x@example.test' }, 'email'],
    ])('400 for %s', async (_name, body, field) => {
      const u = await registerUser(t.api);
      const err = expectError(await http(t.api, 'PATCH', '/auth/me', { token: u.token, body }), 400, 'VALIDATION_FAILED');
      expect(err.details.map((d: { field: string }) => d.field)).toContain(field);
    });

    it('needs a token', async () => {
      expectError(await http(t.api, 'PATCH', '/auth/me', { body: { status: 'x' } }), 401, 'UNAUTHORIZED');
    });
  });

  describe('PATCH /auth/username', () => {
    it('renames; the old name is free, a taken one is 409 case-insensitively', async () => {
      const a = await registerUser(t.api);
      const b = await registerUser(t.api);
      const newName = unique('renamed');
      const res = await http(t.api, 'PATCH', '/auth/username', { token: a.token, body: { username: newName } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: a.id, username: newName, email: a.email });
      expect((await http(t.api, 'POST', '/auth/login', { body: { login: newName, password: a.password } })).status).toBe(200);
      expectError(await http(t.api, 'POST', '/auth/login', { body: { login: a.username, password: a.password } }), 401, 'INVALID_CREDENTIALS');

      expectError(await http(t.api, 'PATCH', '/auth/username', { token: b.token, body: { username: newName.toUpperCase() } }), 409, 'USERNAME_TAKEN');
      // A's old name is free for B.
      const taken = await http(t.api, 'PATCH', '/auth/username', { token: b.token, body: { username: a.username } });
      expect(taken.status).toBe(200);
      // Changing only the case of one's own name is fine.
      const recased = await http(t.api, 'PATCH', '/auth/username', { token: a.token, body: { username: newName.toUpperCase() } });
      expect(recased.status).toBe(200);
      expect(recased.body.username).toBe(newName.toUpperCase());
    });

    it.each([
      ['too short', 'ab'],
      ['too long', 'x'.repeat(33)],
      ['bad characters', 'no spaces'],
      ['reserved prefix', 'deleted-me'],
      ['not a string', 123],
    ])('400 for a username %s', async (_name, username) => {
      const u = await registerUser(t.api);
      expectError(await http(t.api, 'PATCH', '/auth/username', { token: u.token, body: { username } }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('PATCH /auth/email', () => {
    it('changes the email with the password; taken addresses are 409 case-insensitively', async () => {
      const a = await registerUser(t.api);
      const b = await registerUser(t.api);
      const email = `${unique('mail')}@example.test`;
      const res = await http(t.api, 'PATCH', '/auth/email', { token: a.token, body: { email, password: a.password } });
      expect(res.status).toBe(200);
      expect(res.body.email).toBe(email);
      expect((await http(t.api, 'POST', '/auth/login', { body: { login: email.toUpperCase(), password: a.password } })).status).toBe(200);
      expectError(await http(t.api, 'PATCH', '/auth/email', { token: b.token, body: { email: email.toUpperCase(), password: b.password } }), 409, 'EMAIL_TAKEN');
      // A's old address is free again.
      expect((await http(t.api, 'PATCH', '/auth/email', { token: b.token, body: { email: a.email, password: b.password } })).status).toBe(200);
    });

    it('403 WRONG_PASSWORD with a wrong password, and nothing changes', async () => {
      const u = await registerUser(t.api);
      expectError(await http(t.api, 'PATCH', '/auth/email', { token: u.token, body: { email: `${unique('m')}@example.test`, password: 'not my password' } }), 403, 'WRONG_PASSWORD');
      expect((await http(t.api, 'GET', '/auth/me', { token: u.token })).body.email).toBe(u.email);
    });

    it.each([
      ['no password', { email: 'a@example.test' }, 'password'],
      ['not an email', { email: 'nope', password: 'whatever1' }, 'email'],
      ['no email', { password: 'whatever1' }, 'email'],
    ])('400 for %s', async (_name, body, field) => {
      const u = await registerUser(t.api);
      const err = expectError(await http(t.api, 'PATCH', '/auth/email', { token: u.token, body }), 400, 'VALIDATION_FAILED');
      expect(err.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });

  describe('PATCH /auth/password', () => {
    it('changes the password, keeps the current session, cuts off every other session and its socket', async () => {
      const u = await registerUser(t.api);
      const other = await login(u);
      const otherSocket = await connectAuthed(t.wsUrl, other.body.access_token);
      const mySocket = await connectAuthed(t.wsUrl, u.token);
      sockets.push(otherSocket, mySocket);

      const res = await http(t.api, 'PATCH', '/auth/password', { token: u.token, body: { current_password: u.password, new_password: 'a brand new passphrase' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ changed: true, revoked_sessions: 1 });

      // The other session: access token refused, refresh refused, socket closed with 4401.
      const err = expectError(await http(t.api, 'GET', '/auth/me', { token: other.body.access_token }), 401, 'TOKEN_REVOKED');
      expect(err.error).toMatch(/revoked/);
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: other.body.refresh_token } }), 401, 'REFRESH_TOKEN_INVALID');
      expect((await otherSocket.closed).code).toBe(4401);

      // The current session survives: token, refresh token and socket.
      expect((await http(t.api, 'GET', '/auth/me', { token: u.token })).status).toBe(200);
      expect((await mySocket.request('ping')).type).toBeDefined();
      expect(mySocket.socket.readyState).toBe(mySocket.socket.OPEN);
      const refreshed = await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } });
      expect(refreshed.status).toBe(200);

      // Only the new password logs in.
      expectError(await login(u), 401, 'INVALID_CREDENTIALS');
      expect((await login(u, 'a brand new passphrase')).status).toBe(200);
    });

    it('403 WRONG_PASSWORD for a wrong current password; nothing is revoked', async () => {
      const u = await registerUser(t.api);
      const other = await login(u);
      expectError(await http(t.api, 'PATCH', '/auth/password', { token: u.token, body: { current_password: 'not my password', new_password: 'a brand new passphrase' } }), 403, 'WRONG_PASSWORD');
      expect((await http(t.api, 'GET', '/auth/me', { token: other.body.access_token })).status).toBe(200);
      expect((await login(u)).status).toBe(200);
    });

    it('400 when the new password equals the current one', async () => {
      const u = await registerUser(t.api);
      const err = expectError(await http(t.api, 'PATCH', '/auth/password', { token: u.token, body: { current_password: u.password, new_password: u.password } }), 400, 'VALIDATION_FAILED');
      expect(err.details).toEqual([{ field: 'new_password', problem: 'must differ from the current password' }]);
    });

    it.each([
      ['a short new password', { new_password: 'short' }, /8 to 72 bytes/],
      ['a 73-byte new password', { new_password: 'b'.repeat(73) }, /8 to 72 bytes/],
      ['a common new password', { new_password: 'iloveyou123' }, /1,000 most common/],
      ['no current password', { current_password: undefined }, /./],
      ['no new password', { new_password: undefined }, /./],
    ])('400 for %s', async (_name, override, problem) => {
      const u = await registerUser(t.api);
      const body = { current_password: u.password, new_password: 'a brand new passphrase', ...override };
      const err = expectError(await http(t.api, 'PATCH', '/auth/password', { token: u.token, body }), 400, 'VALIDATION_FAILED');
      expect(err.details[0].problem).toMatch(problem);
      expect((await login(u)).status).toBe(200);
    });
  });

  describe('DELETE /auth/me', () => {
    it('anonymises the account: login impossible, sockets closed, messages kept as a deleted user, username reusable', async () => {
      const gone = await registerUser(t.api, { display_name: 'Soon Gone' });
      const friend = await registerUser(t.api);
      const room = await createRoom(t.api, friend, 'public');
      expect((await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: gone.token })).status).toBe(200);
      const posted = await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: gone.token, body: { content: 'my last words' } });
      expect(posted.status).toBe(201);
      const secondSession = await login(gone);
      const socket = await connectAuthed(t.wsUrl, secondSession.body.access_token);
      sockets.push(socket);

      expectError(await http(t.api, 'DELETE', '/auth/me', { token: gone.token, body: { password: 'wrong password' } }), 403, 'WRONG_PASSWORD');
      expectError(await http(t.api, 'DELETE', '/auth/me', { token: gone.token, body: {} }), 400, 'VALIDATION_FAILED');

      const res = await http(t.api, 'DELETE', '/auth/me', { token: gone.token, body: { password: gone.password } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: gone.id, deleted: true });

      // Every session is cut off, the socket too.
      expectError(await http(t.api, 'GET', '/auth/me', { token: gone.token }), 401, 'TOKEN_REVOKED');
      expectError(await http(t.api, 'GET', '/auth/me', { token: secondSession.body.access_token }), 401, 'TOKEN_REVOKED');
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: gone.refreshToken } }), 401, 'REFRESH_TOKEN_INVALID');
      expect((await socket.closed).code).toBe(4401);
      // Login is impossible by username and by email.
      expectError(await login(gone), 401, 'INVALID_CREDENTIALS');
      expectError(await http(t.api, 'POST', '/auth/login', { body: { login: gone.email, password: gone.password } }), 401, 'INVALID_CREDENTIALS');

      // The message is still in the history, from "Deleted user", with nothing personal.
      const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: friend.token });
      const message = history.body.items.find((m: { id: string }) => m.id === posted.body.id);
      expect(message).toMatchObject({ content: 'my last words', sender: { id: gone.id, display_name: 'Deleted user' } });
      expect(JSON.stringify(message.sender)).not.toContain(gone.username);
      expect(JSON.stringify(message.sender)).not.toContain('Soon Gone');

      // The profile is gone and the name and email are free again.
      expectError(await http(t.api, 'GET', `/users/${gone.id}`, { token: friend.token }), 404, 'USER_NOT_FOUND');
      const search = await http(t.api, 'GET', `/users/search?q=${gone.username}`, { token: friend.token });
      expect(search.body.items).toEqual([]);
      const again = await registerUser(t.api, { username: gone.username, email: gone.email });
      expect(again.id).not.toBe(gone.id);
    });
  });
});
