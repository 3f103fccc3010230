import { useAdminSuite } from './helpers/admin';
import { sql } from './helpers/db';
import { expectError, http, registerUser, TestUser, unique } from './helpers/http';

describe('admin API /api/v1/admin (e2e)', () => {
  const { t, ws, admin, member } = useAdminSuite();
  afterAll(async () => {
    // The registration setting is server-wide: leave the shared test database as it was.
    await sql(`DELETE FROM server_settings WHERE key = 'registration'`);
  });

  const someId = '00000000-0000-4000-8000-000000000001';
  const routes: [string, string, unknown?][] = [
    ['GET', '/admin/users'],
    ['POST', `/admin/users/${someId}/disable`],
    ['POST', `/admin/users/${someId}/enable`],
    ['POST', `/admin/users/${someId}/promote`],
    ['POST', `/admin/users/${someId}/demote`],
    ['GET', '/admin/settings'],
    ['PATCH', '/admin/settings', { registration: 'closed' }],
    ['GET', '/admin/invites'],
    ['POST', '/admin/invites', {}],
    ['DELETE', '/admin/invites/abc'],
    ['GET', '/admin/audit'],
  ];

  it('refuses every admin route to anonymous callers (401) and to non-admins (403), changing nothing', async () => {
    for (const [method, path, body] of routes) {
      expectError(await http(t.api, method, path, { body }), 401);
      expectError(await http(t.api, method, path, { token: member.token, body }), 403, 'FORBIDDEN');
    }
    expect((await http(t.api, 'GET', '/admin/settings', { token: admin.token })).body).toEqual({ registration: 'open' });
  });

  it('lists and searches users with pagination, disabled filter and bad input as 400', async () => {
    const tag = unique('srch');
    const found: TestUser[] = [];
    for (let i = 0; i < 3; i++) found.push(await registerUser(t.api, { username: `${tag}${i}`, email: `${tag}${i}@example.org` }));
    const first = await http(t.api, 'GET', `/admin/users?q=${tag}&limit=2`, { token: admin.token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((u: { username: string }) => u.username)).toEqual([`${tag}0`, `${tag}1`]);
    expect(first.body.items[0]).toMatchObject({ email: `${tag}0@example.org`, is_admin: false, disabled_at: null });
    const second = await http(t.api, 'GET', `/admin/users?q=${tag}&limit=2&cursor=${first.body.next_cursor}`, { token: admin.token });
    expect(second.body).toMatchObject({ items: [{ username: `${tag}2` }], next_cursor: null });
    expectError(await http(t.api, 'GET', '/admin/users?limit=0', { token: admin.token }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'GET', '/admin/users?disabled=maybe', { token: admin.token }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'GET', '/admin/users?cursor=bogus', { token: admin.token }), 400, 'INVALID_CURSOR');
    expectError(await http(t.api, 'POST', '/admin/users/not-a-uuid/disable', { token: admin.token }), 400);
    expectError(await http(t.api, 'POST', `/admin/users/${someId}/disable`, { token: admin.token }), 404, 'USER_NOT_FOUND');
  });

  it('disable closes the user\'s live socket with 4401 and refuses login; enable, promote and demote work and are audited', async () => {
    const target = await registerUser(t.api);
    const socket = await ws(target);
    const disabled = await http(t.api, 'POST', `/admin/users/${target.id}/disable`, { token: admin.token });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled_at).not.toBeNull();
    expect((await socket.closed).code).toBe(4401);
    expectError(await http(t.api, 'POST', '/auth/login', { body: { login: target.username, password: target.password } }), 403, 'ACCOUNT_DISABLED');
    const listed = await http(t.api, 'GET', `/admin/users?q=${target.username}&disabled=true`, { token: admin.token });
    expect(listed.body.items).toHaveLength(1);
    expectError(await http(t.api, 'POST', `/admin/users/${admin.id}/disable`, { token: admin.token }), 422, 'BUSINESS_RULE');

    expect((await http(t.api, 'POST', `/admin/users/${target.id}/enable`, { token: admin.token })).body.disabled_at).toBeNull();
    expect((await http(t.api, 'POST', '/auth/login', { body: { login: target.username, password: target.password } })).status).toBe(200);
    expect((await http(t.api, 'POST', `/admin/users/${target.id}/promote`, { token: admin.token })).body.is_admin).toBe(true);
    expect((await http(t.api, 'GET', '/admin/settings', { token: target.token })).status).toBe(401); // its old token was revoked
    expect((await http(t.api, 'POST', `/admin/users/${target.id}/demote`, { token: admin.token })).body.is_admin).toBe(false);

    const audit = await http(t.api, 'GET', '/admin/audit?limit=100', { token: admin.token });
    const mine = audit.body.items.filter((r: { target: string }) => r.target === target.username);
    expect(mine.map((r: { action: string }) => r.action)).toEqual(['user.demote', 'user.promote', 'user.enable', 'user.disable']);
    expect(mine[0]).toMatchObject({ actor: `user:${admin.id}`, target: target.username });
    const newest = await http(t.api, 'GET', '/admin/audit?limit=2', { token: admin.token });
    const older = await http(t.api, 'GET', `/admin/audit?limit=2&cursor=${newest.body.next_cursor}`, { token: admin.token });
    expect(older.status).toBe(200);
    expect(Number(older.body.items[0].id)).toBeLessThan(Number(newest.body.items[1].id));
  });

  it('registration settings and invites: closed, then invite-only with a code from the API, then open again', async () => {
    const body = () => ({ username: unique('r'), email: `${unique('r')}@example.org`, password: 'correct horse battery' });
    expectError(await http(t.api, 'PATCH', '/admin/settings', { token: admin.token, body: { registration: 'sometimes' } }), 400, 'VALIDATION_FAILED');
    expect((await http(t.api, 'PATCH', '/admin/settings', { token: admin.token, body: { registration: 'closed' } })).body).toEqual({ registration: 'closed' });
    expectError(await http(t.api, 'POST', '/auth/register', { body: body() }), 403, 'REGISTRATION_CLOSED');

    await http(t.api, 'PATCH', '/admin/settings', { token: admin.token, body: { registration: 'invite' } });
    expectError(await http(t.api, 'POST', '/auth/register', { body: body() }), 403, 'INVITE_REQUIRED');
    expectError(await http(t.api, 'POST', '/admin/invites', { token: admin.token, body: { uses: 0 } }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'POST', '/admin/invites', { token: admin.token, body: { expires_in_seconds: 5 } }), 400, 'VALIDATION_FAILED');
    const invite = await http(t.api, 'POST', '/admin/invites', { token: admin.token, body: { uses: 1, expires_in_seconds: 3600 } });
    expect(invite.status).toBe(201);
    expect(invite.body).toMatchObject({ uses_left: 1, uses_total: 1 });
    expect(new Date(invite.body.expires_at).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect((await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: invite.body.code } })).status).toBe(201);
    expectError(await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: invite.body.code } }), 403, 'INVITE_INVALID');
    const listed = await http(t.api, 'GET', '/admin/invites', { token: admin.token });
    expect(listed.body.items.find((i: { code: string }) => i.code === invite.body.code)).toMatchObject({ uses_left: 0 });

    const spare = await http(t.api, 'POST', '/admin/invites', { token: admin.token, body: {} });
    expect((await http(t.api, 'DELETE', `/admin/invites/${spare.body.code}`, { token: admin.token })).body).toEqual({ code: spare.body.code, revoked: true });
    expectError(await http(t.api, 'DELETE', `/admin/invites/${spare.body.code}`, { token: admin.token }), 404);
    // Strings that cannot be codes are unknown codes, never a database error.
    for (const bad of ['%00', 'a%00b', 'x'.repeat(65), '%C3%A9t%C3%A9']) expectError(await http(t.api, 'DELETE', `/admin/invites/${bad}`, { token: admin.token }), 404, 'NOT_FOUND');
    expectError(await http(t.api, 'POST', '/auth/register', { body: { ...body(), invite_code: spare.body.code } }), 403, 'INVITE_INVALID');

    await http(t.api, 'PATCH', '/admin/settings', { token: admin.token, body: { registration: 'open' } });
    expect((await http(t.api, 'POST', '/auth/register', { body: body() })).status).toBe(201);
    const audit = await http(t.api, 'GET', '/admin/audit?limit=20', { token: admin.token });
    const actions = audit.body.items.map((r: { action: string }) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['settings.update', 'invite.create', 'invite.revoke']));
  });

  it('documents the routes under their own Swagger tag', async () => {
    const doc = (await http(t.origin, 'GET', '/docs-json')).body;
    expect(doc.paths['/api/v1/admin/users'].get.tags).toEqual(['admin']);
    expect(doc.paths['/api/v1/admin/invites/{code}'].delete.tags).toEqual(['admin']);
  });
});
