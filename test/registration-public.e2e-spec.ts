import { DataSource } from 'typeorm';
import { AccountAdminService } from '../src/admin/account-admin.service';
import { makeAdmin } from './helpers/admin';
import { useTestApp } from './helpers/app';
import { expectError, http, registerUser, unique } from './helpers/http';

/**
 * What the web client reads before showing its sign-up form and admin panel: the public
 * registration mode, and `is_admin` on the caller's own profile only.
 */
describe('GET /auth/registration and is_admin on the own profile (e2e)', () => {
  const { t } = useTestApp();

  it('tells anyone the mode in force as administrators change it, and a registration agrees with it', async () => {
    const root = await registerUser(t.api);
    await makeAdmin(t, root);
    const admin = root.token;
    try {
      expect(await http(t.api, 'GET', '/auth/registration')).toMatchObject({ status: 200, body: { mode: 'open' } });

      await http(t.api, 'PATCH', '/admin/settings', { token: admin, body: { registration: 'invite' } });
      expect((await http(t.api, 'GET', '/auth/registration')).body).toEqual({ mode: 'invite' });
      const body = () => {
        const u = unique('inv');
        return { username: u, email: `${u}@example.test`, password: 'correct horse battery' };
      };
      expectError(await http(t.api, 'POST', '/auth/register', { body: body() }), 403, 'INVITE_REQUIRED');

      await http(t.api, 'PATCH', '/admin/settings', { token: admin, body: { registration: 'closed' } });
      expect((await http(t.api, 'GET', '/auth/registration')).body).toEqual({ mode: 'closed' });
      expectError(await http(t.api, 'POST', '/auth/register', { body: body() }), 403, 'REGISTRATION_CLOSED');

      // A bad setting changes nothing.
      expectError(await http(t.api, 'PATCH', '/admin/settings', { token: admin, body: { registration: 'ajar' } }), 400, 'VALIDATION_FAILED');
      expect((await http(t.api, 'GET', '/auth/registration')).body).toEqual({ mode: 'closed' });
    } finally {
      await http(t.api, 'PATCH', '/admin/settings', { token: admin, body: { registration: 'open' } });
    }
    expect((await http(t.api, 'GET', '/auth/registration')).body).toEqual({ mode: 'open' });
    // The setting is server-wide and wins over REGISTRATION: leave the shared test database as it
    // was, so other suites' configured modes apply.
    await t.app.get(DataSource).query(`DELETE FROM server_settings WHERE key = 'registration'`);
    expect((await http(t.api, 'GET', '/auth/registration')).body).toEqual({ mode: 'open' });
    expect((await http(t.api, 'POST', '/auth/register', { body: { username: unique('opn'), email: `${unique('opn')}@example.test`, password: 'correct horse battery' } })).status).toBe(201);
  });

  it('is_admin is on the caller\'s own profile (login, /auth/me) and never on anyone else\'s', async () => {
    const member = await registerUser(t.api);
    const name = unique('boss');
    const accounts = t.app.get(AccountAdminService, { strict: false });
    const created = await accounts.create('cli:test', { username: name, email: `${name}@example.test`, password: 'correct horse battery', admin: true });
    const login = await http(t.api, 'POST', '/auth/login', { body: { login: name, password: 'correct horse battery' } });
    expect(login.body.user).toMatchObject({ username: name, is_admin: true });
    expect((await http(t.api, 'GET', '/auth/me', { token: login.body.access_token })).body.is_admin).toBe(true);
    expect((await http(t.api, 'GET', '/auth/me', { token: member.token })).body.is_admin).toBe(false);

    const seenByMember = await http(t.api, 'GET', `/users/${created.id}`, { token: member.token });
    expect(seenByMember.status).toBe(200);
    expect(seenByMember.body).not.toHaveProperty('is_admin');
    expect(seenByMember.body).not.toHaveProperty('email');
  });
});
