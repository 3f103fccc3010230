import { expectError, http } from './helpers/http';
import { startTestApp, TestApp } from './helpers/app';
import { expectRateLimited, httpFrom } from './helpers/http-from';

/**
 * Authentication limits (issues 12 and 14): refresh has its own per-session limit instead of the
 * per-IP login budget; the other password-checking routes are limited per IP too; REST requests that
 * fail authentication are limited per IP.
 */
describe('authentication limits (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_AUTH_PER_MINUTE: '3',
      RATE_LIMIT_REFRESH_PER_MINUTE: '25',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '5',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const register = async (ip: string, name: string) => {
    const res = await httpFrom(ip, t.api, 'POST', '/auth/register', { username: name, email: `${name}@example.test`, password: 'a decent passphrase' });
    expect(res.status).toBe(201);
    return res.body as { access_token: string; refresh_token: string; user: { id: string } };
  };

  it('20 refreshes (reloads) in a minute stay signed in although the login budget of the address is spent', async () => {
    const ip = '127.0.0.31';
    let tokens = await register(ip, `rf${Date.now()}`);
    for (let i = 0; i < 2; i++) expect((await httpFrom(ip, t.api, 'POST', '/auth/login', { login: 'nobody_at_all', password: 'wrong password' })).status).toBe(401);
    expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/login', { login: 'nobody_at_all', password: 'wrong password' }));
    for (let i = 0; i < 20; i++) {
      const res = await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: tokens.refresh_token });
      expect({ i, status: res.status }).toEqual({ i, status: 200 });
      tokens = res.body;
    }
    expect((await http(t.api, 'GET', '/auth/me', { token: tokens.access_token })).status).toBe(200);
  });

  it('refresh is limited per session: over the limit is 429 and the presented token stays valid; another session is not affected', async () => {
    const ip = '127.0.0.32';
    const name = `rs${Date.now()}`;
    let tokens = await register(ip, name);
    for (let i = 0; i < 25; i++) tokens = (await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: tokens.refresh_token })).body;
    expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: tokens.refresh_token }));
    // The same address, another session of the same user: its own budget.
    const other = await httpFrom(ip, t.api, 'POST', '/auth/login', { login: name, password: 'a decent passphrase' });
    expect((await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: other.body.refresh_token })).status).toBe(200);
    // Not reused: the 429 did not consume it (a reuse would revoke the session instead).
    expect((await http(t.api, 'GET', '/auth/me', { token: tokens.access_token })).status).toBe(200);
  });

  it('after RATE_LIMIT_AUTH_FAILURES_PER_MINUTE bad tokens, the address gets 429 with Retry-After, even with a good token; other addresses do not', async () => {
    const ip = '127.0.0.33';
    const good = await register('127.0.0.34', `bt${Date.now()}`);
    for (let i = 0; i < 5; i++) expectError(await httpFrom(ip, t.api, 'GET', '/auth/me', undefined, { authorization: `Bearer guess.${i}.x` }), 401, 'TOKEN_INVALID');
    expectRateLimited(await httpFrom(ip, t.api, 'GET', '/auth/me', undefined, { authorization: 'Bearer guess.6.x' }));
    expectRateLimited(await httpFrom(ip, t.api, 'GET', '/auth/me', undefined, { authorization: `Bearer ${good.access_token}` }));
    // Invalid refresh tokens from that address are refused too, before any lookup.
    expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: 'rt_guess' }));
    expect((await httpFrom('127.0.0.35', t.api, 'GET', '/auth/me', undefined, { authorization: `Bearer ${good.access_token}` })).status).toBe(200);
  });

  it('invalid refresh tokens count as failed authentications of the address', async () => {
    const ip = '127.0.0.36';
    for (let i = 0; i < 5; i++) expectError(await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: `rt_guess_${i}` }), 401, 'REFRESH_TOKEN_INVALID');
    expectRateLimited(await httpFrom(ip, t.api, 'POST', '/auth/refresh', { refresh_token: 'rt_guess_6' }));
  });

  it('password-checking routes are limited per IP as well as per user: several accounts from one address share the bucket', async () => {
    const ip = '127.0.0.37';
    const users = [await register('127.0.0.38', `h1${Date.now()}`), await register('127.0.0.38', `h2${Date.now()}`)];
    const attempts = [
      () => httpFrom(ip, t.api, 'PATCH', '/auth/email', { email: 'new@example.test', password: 'wrong password' }, { authorization: `Bearer ${users[0].access_token}` }),
      () => httpFrom(ip, t.api, 'PATCH', '/auth/password', { current_password: 'wrong password', new_password: 'another decent one' }, { authorization: `Bearer ${users[1].access_token}` }),
      () => httpFrom(ip, t.api, 'DELETE', '/auth/me', { password: 'wrong password' }, { authorization: `Bearer ${users[0].access_token}` }),
    ];
    for (const attempt of attempts) expectError(await attempt(), 403, 'WRONG_PASSWORD');
    expectRateLimited(await httpFrom(ip, t.api, 'DELETE', '/auth/me', { password: 'wrong password' }, { authorization: `Bearer ${users[1].access_token}` }));
    // Other routes of the same users are not in that bucket.
    expect((await httpFrom(ip, t.api, 'GET', '/auth/me', undefined, { authorization: `Bearer ${users[1].access_token}` })).status).toBe(200);
  });
});
