import { http, registerUser, unique } from './helpers/http';
import { startTestApp, TestApp } from './helpers/app';
import { expectRateLimited, httpFrom } from './helpers/http-from';

const badLogin = (name = 'nobody_here') => ({ login: name, password: 'wrong password' });

describe('rate limits (e2e)', () => {
  describe('per client IP on register and login (RATE_LIMIT_AUTH_PER_MINUTE=3)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('the 4th auth call from one IP within a minute is 429 with Retry-After, across login and register; refresh is not in that bucket', async () => {
      const ip = '127.0.0.11';
      expect((await httpFrom(ip, t.api, 'POST', '/auth/login', badLogin())).status).toBe(401);
      expect((await httpFrom(ip, t.api, 'POST', '/auth/login', badLogin())).status).toBe(401);
      const name = unique('rl');
      const registered = await httpFrom(ip, t.api, 'POST', '/auth/register', { username: name, email: `${name}@example.test`, password: 'a decent passphrase' });
      expect(registered.status).toBe(201);
      expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/login', { login: name, password: 'a decent passphrase' }));
      expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/register', { username: unique('rl'), email: `${unique('rl')}@example.test`, password: 'a decent passphrase' }));
      // Refresh has its own per-session limit (test/auth-limits.e2e-spec.ts): the login budget is spent, it still works.
      const refreshed = await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: (registered.body as { refresh_token: string }).refresh_token });
      expect(refreshed.status).toBe(200);
      expect((await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: 'rt_nope' })).status).toBe(401);
    });

    it('another IP has its own bucket', async () => {
      const a = '127.0.0.12';
      const b = '127.0.0.13';
      for (let i = 0; i < 3; i++) expect((await httpFrom(a, t.api, 'POST', '/auth/login', badLogin())).status).toBe(401);
      expectRateLimited(await httpFrom(a, t.api, 'POST', '/auth/login', badLogin()));
      expect((await httpFrom(b, t.api, 'POST', '/auth/login', badLogin())).status).toBe(401);
    });

    it('a spoofed X-Forwarded-For (or X-Real-IP) does not give a new bucket', async () => {
      const ip = '127.0.0.14';
      for (let i = 0; i < 3; i++) {
        const res = await httpFrom(ip, t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': `203.0.113.${i}`, 'x-real-ip': `198.51.100.${i}` });
        expect(res.status).toBe(401);
      }
      expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': '203.0.113.99' }));
      expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': '203.0.113.100, 10.0.0.1' }));
    });

    it('the session records the socket address, not a spoofed header', async () => {
      const ip = '127.0.0.15';
      const name = unique('ip');
      const reg = await httpFrom(ip, t.api, 'POST', '/auth/register', { username: name, email: `${name}@example.test`, password: 'a decent passphrase' }, { 'x-forwarded-for': '203.0.113.7' });
      expect(reg.status).toBe(201);
      const sessions = await http(t.api, 'GET', '/auth/sessions', { token: reg.body.access_token });
      expect(sessions.body.items[0].ip).toBe(ip);
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY=127.0.0.1)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('X-Forwarded-For from the trusted proxy picks the bucket; from anyone else it is ignored', async () => {
      // From the proxy (127.0.0.1): the forwarded client address is the bucket.
      for (let i = 0; i < 2; i++) expect((await httpFrom('127.0.0.1', t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': '203.0.113.50' })).status).toBe(401);
      expectRateLimited(await httpFrom('127.0.0.1', t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': '203.0.113.50' }));
      expect((await httpFrom('127.0.0.1', t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': '203.0.113.51' })).status).toBe(401);
      // From an untrusted peer (127.0.0.21) the header is ignored: its own address is the bucket.
      for (let i = 0; i < 2; i++) expect((await httpFrom('127.0.0.21', t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': `203.0.113.${60 + i}` })).status).toBe(401);
      expectRateLimited(await httpFrom('127.0.0.21', t.api, 'POST', '/auth/login', badLogin(), { 'x-forwarded-for': '203.0.113.62' }));
    });
  });

  describe('per authenticated user on every other route (RATE_LIMIT_PER_MINUTE=5)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('one bucket per user across routes; another user on the same IP is not affected', async () => {
      const a = await registerUser(t.api);
      const b = await registerUser(t.api);
      const calls: [string, string][] = [
        ['GET', '/auth/me'],
        ['GET', '/auth/sessions'],
        ['GET', `/users/${b.id}`],
        ['GET', '/users/search?q=a'],
        ['GET', '/auth/me'],
      ];
      for (const [method, path] of calls) expect((await http(t.api, method, path, { token: a.token })).status).toBe(200);
      expectRateLimited(await http(t.api, 'GET', '/users/search?q=b', { token: a.token }));
      expectRateLimited(await http(t.api, 'PATCH', '/auth/me', { token: a.token, body: { status: 'x' } }));
      // Same IP, different user: own bucket.
      expect((await http(t.api, 'GET', '/auth/me', { token: b.token })).status).toBe(200);
      // A second session of the same user shares the user's bucket (sessions cannot multiply the limit).
      const again = await http(t.api, 'POST', '/auth/login', { body: { login: a.username, password: a.password } });
      expect(again.status).toBe(200);
      expectRateLimited(await http(t.api, 'GET', '/auth/me', { token: again.body.access_token }));
      // The auth routes have their own (per-IP) limit, untouched by the per-user one.
      expect((await http(t.api, 'POST', '/auth/refresh', { body: { refresh_token: again.body.refresh_token } })).status).toBe(200);
    });

    it('spoofed X-Forwarded-For does not move an authenticated user to another bucket', async () => {
      const u = await registerUser(t.api);
      for (let i = 0; i < 5; i++) {
        expect((await http(t.api, 'GET', '/auth/me', { token: u.token, headers: { 'x-forwarded-for': `203.0.113.${i}` } })).status).toBe(200);
      }
      expectRateLimited(await http(t.api, 'GET', '/auth/me', { token: u.token, headers: { 'x-forwarded-for': '203.0.113.200' } }));
    });
  });
});
