import { expectError, http, registerUser, TestUser, unique } from './helpers/http';
import { startTestApp, TestApp } from './helpers/app';

/** `GET /users/search` and `GET /users/:id`: public fields only, substring search, cursor pagination (more in directory.e2e-spec.ts). */
describe('users: search and profiles (e2e)', () => {
  let t: TestApp;
  let viewer: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    viewer = await registerUser(t.api);
  });
  afterAll(async () => {
    await t.close();
  });

  const PUBLIC_FIELDS = ['avatar_url', 'bio', 'created_at', 'deactivated', 'display_name', 'id', 'last_seen_at', 'online', 'status', 'username'];

  it('finds users by a substring of username or display name, case-insensitively, never showing email', async () => {
    const tag = unique('zq').toLowerCase();
    const byName = await registerUser(t.api, { username: `${tag}_alpha` });
    const byDisplay = await registerUser(t.api, { display_name: `${tag.toUpperCase()} Display` });
    const inside = await registerUser(t.api, { username: `x${tag}_not_a_prefix` });
    await registerUser(t.api, { username: `${tag.slice(0, -1)}_near_miss` });

    const res = await http(t.api, 'GET', `/users/search?q=${tag.toUpperCase()}`, { token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((u: { id: string }) => u.id).sort()).toEqual([byName.id, byDisplay.id, inside.id].sort());
    expect(res.body.next_cursor).toBeNull();
    for (const user of res.body.items) {
      expect(Object.keys(user).sort()).toEqual(PUBLIC_FIELDS);
      expect(JSON.stringify(user)).not.toContain('@example.test');
    }
  });

  it('never returns email, even when searching for an email address or for oneself', async () => {
    const me = await registerUser(t.api);
    const byEmail = await http(t.api, 'GET', `/users/search?q=${encodeURIComponent(me.email)}`, { token: me.token });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.items).toEqual([]);
    const self = await http(t.api, 'GET', `/users/search?q=${me.username}`, { token: me.token });
    expect(self.body.items).toHaveLength(1);
    expect(self.body.items[0]).not.toHaveProperty('email');
    const profile = await http(t.api, 'GET', `/users/${me.id}`, { token: me.token });
    expect(Object.keys(profile.body).sort()).toEqual(PUBLIC_FIELDS);
  });

  it('treats LIKE wildcards literally', async () => {
    const tag = unique('wc').toLowerCase();
    await registerUser(t.api, { username: `${tag}_x` });
    await registerUser(t.api, { username: `${tag}ax` });
    const res = await http(t.api, 'GET', `/users/search?q=${tag}_`, { token: viewer.token });
    expect(res.body.items.map((u: { username: string }) => u.username)).toEqual([`${tag}_x`]);
    const percent = await http(t.api, 'GET', `/users/search?q=${encodeURIComponent('%')}&limit=100`, { token: viewer.token });
    // Only names with a literal % (other suites may have made some), never everyone.
    for (const user of percent.body.items) expect(`${user.username} ${user.display_name}`).toContain('%');
  });

  it('paginates with a cursor in username order, without repeats or gaps', async () => {
    const tag = unique('pg').toLowerCase();
    const names = [];
    for (let i = 0; i < 5; i++) names.push((await registerUser(t.api, { username: `${tag}_${i}` })).username);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await http(t.api, 'GET', `/users/search?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: viewer.token });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((u: { username: string }) => u.username));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(names);
  });

  it.each([
    ['no q', ''],
    ['an empty q', '?q='],
    ['a blank q', '?q=%20%20'],
    ['a q of 65 characters', `?q=${'a'.repeat(65)}`],
    ['limit 0', '?q=a&limit=0'],
    ['limit 101', '?q=a&limit=101'],
    ['limit not a number', '?q=a&limit=ten'],
    ['an unknown parameter', '?q=a&email=x'],
  ])('400 for %s', async (_name, query) => {
    expectError(await http(t.api, 'GET', `/users/search${query}`, { token: viewer.token }), 400, 'VALIDATION_FAILED');
  });

  it('400 INVALID_CURSOR for a forged cursor', async () => {
    expectError(await http(t.api, 'GET', '/users/search?q=a&cursor=bm90LWEtY3Vyc29y', { token: viewer.token }), 400, 'INVALID_CURSOR');
  });

  it('needs a token', async () => {
    expectError(await http(t.api, 'GET', '/users/search?q=a'), 401, 'UNAUTHORIZED');
    expectError(await http(t.api, 'GET', `/users/${viewer.id}`), 401, 'UNAUTHORIZED');
  });

  it('GET /users/:id: 404 for unknown, 400 for a bad id', async () => {
    expectError(await http(t.api, 'GET', '/users/0b7e4a8e-5d0c-4f4b-9a55-1d1f3c1e2a10', { token: viewer.token }), 404, 'USER_NOT_FOUND');
    expectError(await http(t.api, 'GET', '/users/123', { token: viewer.token }), 400, 'VALIDATION_FAILED');
  });
});
