import { expectError, http, registerUser, unique } from './helpers/http';
import { useTestApp } from './helpers/app';

/**
 * Register, login, refresh rotation with reuse detection, logout, and every validation rule of
 * register/login/refresh, on the real app and PostgreSQL.
 */
describe('auth: register, login, refresh, logout (e2e)', () => {
  const { t } = useTestApp();

  describe('register', () => {
    it('creates the account, a session and a token pair', async () => {
      const username = unique('reg');
      const res = await http(t.api, 'POST', '/auth/register', {
        body: { username, email: `${username}@example.test`, password: 'a decent passphrase', display_name: '  Reggie  ' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        user: { username, display_name: 'Reggie', email: `${username}@example.test` },
        token_type: 'Bearer',
        expires_in: 900,
      });
      expect(res.body.token).toBe(res.body.access_token);
      expect(res.body.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
      expect(res.body.user).not.toHaveProperty('password_hash');
      const me = await http(t.api, 'GET', '/auth/me', { token: res.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: res.body.user.id, email: `${username}@example.test` });
    });

    it('refuses a taken username or email case-insensitively with 409', async () => {
      const first = await registerUser(t.api);
      const sameName = await http(t.api, 'POST', '/auth/register', {
        body: { username: first.username.toUpperCase(), email: `${unique('x')}@example.test`, password: 'a decent passphrase' },
      });
      expectError(sameName, 409, 'USERNAME_TAKEN');
      const sameEmail = await http(t.api, 'POST', '/auth/register', {
        body: { username: unique('y'), email: first.email.toUpperCase(), password: 'a decent passphrase' },
      });
      expectError(sameEmail, 409, 'EMAIL_TAKEN');
    });

    const valid = () => ({ username: unique('v'), email: `${unique('v')}@example.test`, password: 'a decent passphrase' });
    const cases: [string, (b: Record<string, unknown>) => void, string, RegExp][] = [
      ['username too short', (b) => (b.username = 'ab'), 'username', /3 to 32/],
      ['username too long', (b) => (b.username = 'a'.repeat(33)), 'username', /3 to 32/],
      ['username with a space', (b) => (b.username = 'al ice'), 'username', /3 to 32/],
      ['username with @', (b) => (b.username = 'al@ice'), 'username', /3 to 32/],
      ['username with the reserved prefix', (b) => (b.username = 'Deleted-abc'), 'username', /reserved/],
      ['username not a string', (b) => (b.username = 12345), 'username', /string/],
      ['missing username', (b) => delete b.username, 'username', /./],
      ['email not an email', (b) => (b.email = 'not-an-email'), 'email', /email/],
      ['email too long', (b) => (b.email = `${'a'.repeat(250)}@example.test`), 'email', /254/],
      ['missing password', (b) => delete b.password, 'password', /./],
      ['password of 7 bytes', (b) => (b.password = 'abcdefg'), 'password', /8 to 72 bytes/],
      ['password of 73 bytes', (b) => (b.password = 'a'.repeat(73)), 'password', /8 to 72 bytes/],
      // 37 two-byte characters: 37 characters but 74 bytes. Never silently truncated.
      ['password of 74 UTF-8 bytes', (b) => (b.password = 'é'.repeat(37)), 'password', /8 to 72 bytes/],
      ['a common password', (b) => (b.password = 'password123'), 'password', /1,000 most common/],
      ['a common password in capitals', (b) => (b.password = 'BaseBall'), 'password', /1,000 most common/],
      ['empty display name', (b) => (b.display_name = '   '), 'display_name', /empty/],
      ['display name of 65 characters', (b) => (b.display_name = 'x'.repeat(65)), 'display_name', /64/],
      ['an unknown field', (b) => (b.is_admin = true), 'is_admin', /not an accepted field/],
    ];
    it.each(cases)('400 for %s', async (_name, mutate, field, problem) => {
      const body: Record<string, unknown> = valid();
      mutate(body);
      const res = await http(t.api, 'POST', '/auth/register', { body });
      const err = expectError(res, 400, 'VALIDATION_FAILED');
      const detail = err.details.find((d: { field: string }) => d.field === field);
      expect(detail).toBeDefined();
      expect(detail.problem).toMatch(problem);
    });

    it('accepts exactly 72 bytes and 8 bytes, and display names of 64 emoji', async () => {
      const res72 = await http(t.api, 'POST', '/auth/register', { body: { ...valid(), password: 'é'.repeat(36), display_name: '😀'.repeat(64) } });
      expect(res72.status).toBe(201);
      expect(res72.body.user.display_name).toBe('😀'.repeat(64));
      const res8 = await http(t.api, 'POST', '/auth/register', { body: { ...valid(), password: 'q7#Kp2!x' } });
      expect(res8.status).toBe(201);
    });

    it('400 INVALID_JSON for a broken body', async () => {
      expectError(await http(t.api, 'POST', '/auth/register', { raw: '{"username":' }), 400, 'INVALID_JSON');
    });
  });

  describe('login', () => {
    it('logs in by username, email or login field, case-insensitively', async () => {
      const u = await registerUser(t.api);
      for (const body of [
        { login: u.username.toUpperCase(), password: u.password },
        { login: u.email.toUpperCase(), password: u.password },
        { username: u.username, password: u.password },
        { email: u.email, password: u.password },
      ]) {
        const res = await http(t.api, 'POST', '/auth/login', { body });
        expect(res.status).toBe(200);
        expect(res.body.user.id).toBe(u.id);
        expect(res.body.access_token).toEqual(expect.any(String));
      }
    });

    it('answers a wrong password and an unknown user with the same 401', async () => {
      const u = await registerUser(t.api);
      const wrong = expectError(await http(t.api, 'POST', '/auth/login', { body: { login: u.username, password: 'not the password' } }), 401, 'INVALID_CREDENTIALS');
      const unknown = expectError(await http(t.api, 'POST', '/auth/login', { body: { login: unique('nobody'), password: 'not the password' } }), 401, 'INVALID_CREDENTIALS');
      expect(wrong.error).toBe(unknown.error);
    });

    it.each([
      ['no login at all', { password: 'whatever1' }, 'login'],
      ['no password', { login: 'alice' }, 'password'],
      ['an empty login', { login: '', password: 'whatever1' }, 'login'],
      ['a numeric password', { login: 'alice', password: 12345678 }, 'password'],
      ['an unknown field', { login: 'alice', password: 'whatever1', remember: true }, 'remember'],
    ])('400 for %s', async (_name, body, field) => {
      const err = expectError(await http(t.api, 'POST', '/auth/login', { body }), 400, 'VALIDATION_FAILED');
      expect(err.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  });

  describe('refresh', () => {
    it('rotates: the new pair works, the old refresh token is refused', async () => {
      const u = await registerUser(t.api);
      const first = await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } });
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).not.toBe(u.refreshToken);
      expect(first.body.user.id).toBe(u.id);
      expect((await http(t.api, 'GET', '/auth/me', { token: first.body.access_token })).status).toBe(200);
      const second = await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
      expect(second.status).toBe(200);
      // The old access tokens stay valid until they expire (only a revocation cuts them off).
      expect((await http(t.api, 'GET', '/auth/me', { token: u.token })).status).toBe(200);
    });

    it('reuse of the previous token revokes the whole session: new tokens die too', async () => {
      const u = await registerUser(t.api);
      const rotated = await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } });
      expect(rotated.status).toBe(200);
      // An attacker (or a confused client) presents the already-used token.
      const reuse = expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } }), 401, 'REFRESH_TOKEN_REUSED');
      expect(reuse.error).toMatch(/revoked/);
      // The legitimate holder's fresh pair is dead as well.
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: rotated.body.refresh_token } }), 401, 'REFRESH_TOKEN_INVALID');
      const me = expectError(await http(t.api, 'GET', '/auth/me', { token: rotated.body.access_token }), 401, 'TOKEN_REVOKED');
      expect(me.error).toMatch(/revoked/);
      expectError(await http(t.api, 'GET', '/auth/me', { token: u.token }), 401, 'TOKEN_REVOKED');
      // Another session of the same user is untouched.
      const other = await http(t.api, 'POST', '/auth/login', { body: { login: u.username, password: u.password } });
      expect((await http(t.api, 'GET', '/auth/me', { token: other.body.access_token })).status).toBe(200);
    });

    it('detects reuse of ANY earlier token of the session, not only the previous one', async () => {
      const u = await registerUser(t.api);
      const tokens = [u.refreshToken];
      for (let i = 0; i < 3; i++) {
        const res = await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: tokens[tokens.length - 1] } });
        expect(res.status).toBe(200);
        tokens.push(res.body.refresh_token);
      }
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: tokens[0] } }), 401, 'REFRESH_TOKEN_REUSED');
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: tokens[3] } }), 401, 'REFRESH_TOKEN_INVALID');
    });

    it('two concurrent refreshes with one token: exactly one wins, the other counts as reuse', async () => {
      const u = await registerUser(t.api);
      const results = await Promise.all([0, 1].map(() => http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 401]);
      expect(results.find((r) => r.status === 401)!.body.code).toBe('REFRESH_TOKEN_REUSED');
    });

    it('refuses unknown tokens, access tokens and malformed bodies', async () => {
      const u = await registerUser(t.api);
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: 'rt_' + 'x'.repeat(43) } }), 401, 'REFRESH_TOKEN_INVALID');
      // An access token is not a refresh token.
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.token } }), 401, 'REFRESH_TOKEN_INVALID');
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: {} }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: '' } }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: 42 } }), 400, 'VALIDATION_FAILED');
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken, extra: 1 } }), 400, 'VALIDATION_FAILED');
      // Still usable: none of the refusals above consumed it.
      expect((await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } })).status).toBe(200);
    });
  });

  describe('logout', () => {
    it('revokes the access token and the session\'s refresh token; other sessions live on', async () => {
      const u = await registerUser(t.api);
      const other = await http(t.api, 'POST', '/auth/login', { body: { login: u.username, password: u.password } });
      const res = await http(t.api, 'POST', '/auth/logout', { token: u.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ revoked: true });
      const err = expectError(await http(t.api, 'GET', '/auth/me', { token: u.token }), 401, 'TOKEN_REVOKED');
      expect(err.error).toMatch(/revoked/);
      expectError(await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: u.refreshToken } }), 401, 'REFRESH_TOKEN_INVALID');
      expectError(await http(t.api, 'POST', '/auth/logout', { token: u.token }), 401, 'TOKEN_REVOKED');
      expect((await http(t.api, 'GET', '/auth/me', { token: other.body.access_token })).status).toBe(200);
    });

    it('needs a token', async () => {
      expectError(await http(t.api, 'POST', '/auth/logout'), 401, 'UNAUTHORIZED');
    });
  });

  it('documents every auth and users route in Swagger with error responses', async () => {
    const res = await fetch(`${t.origin}/docs-json`);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const routes: [string, string][] = [
      ['/api/v1/auth/register', 'post'],
      ['/api/v1/auth/login', 'post'],
      ['/api/v1/auth/refresh', 'post'],
      ['/api/v1/auth/logout', 'post'],
      ['/api/v1/auth/me', 'get'],
      ['/api/v1/auth/me', 'patch'],
      ['/api/v1/auth/me', 'delete'],
      ['/api/v1/auth/username', 'patch'],
      ['/api/v1/auth/email', 'patch'],
      ['/api/v1/auth/password', 'patch'],
      ['/api/v1/auth/sessions', 'get'],
      ['/api/v1/auth/sessions/{id}', 'delete'],
      ['/api/v1/users/search', 'get'],
      ['/api/v1/users/{id}', 'get'],
    ];
    for (const [path, method] of routes) {
      const op = doc.paths[path]?.[method];
      expect({ path, method, documented: op !== undefined }).toEqual({ path, method, documented: true });
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => s.startsWith('2'))).toBe(true);
      expect(statuses.some((s) => s.startsWith('4'))).toBe(true);
      expect(statuses).toContain('429');
    }
  });
});
