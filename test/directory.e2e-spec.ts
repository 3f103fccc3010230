import { DataSource } from 'typeorm';
import { PLAN_FOR_VALUES, sqlLiteral } from '../src/database/sql';
import { RoomsRepository } from '../src/rooms/rooms.repository';
import { UsersRepository } from '../src/users/users.repository';
import { useTestApp } from './helpers/app';
import { expectError, http, registerUser, TestUser, unique } from './helpers/http';

const PUBLIC_USER_FIELDS = ['avatar_url', 'bio', 'created_at', 'deactivated', 'display_name', 'id', 'last_seen_at', 'online', 'status', 'username'];

/**
 * The plan the server runs for a repository's statement. The repository runs on a stand-in pool that
 * records what it would send: the statement, and whether it asked for a plan made for the values
 * (rowsPlannedForValues sends PLAN_FOR_VALUES first). The statement is then prepared on `db` (a
 * connection of the app's pool, in a transaction, so with the server's session settings) in that same
 * mode, and its EXECUTE with the same values is explained.
 * @returns the plan as one string, and whether the repository asked for a plan made for the values
 */
async function serverPlan(db: { query: DataSource['query'] }, run: (standIn: never) => Promise<unknown>): Promise<{ plan: string; forValues: boolean }> {
  const sent: { text: string; values?: unknown[] }[] = [];
  const record = async (query: string | { text: string; values?: unknown[] }) => (sent.push(typeof query === 'string' ? { text: query } : query), { rows: [], rowCount: 0 });
  const pool = { query: record, connect: async () => ({ query: record, release: () => undefined }) };
  await run({ driver: { master: pool } } as never);
  const forValues = sent.some((q) => q.text === PLAN_FOR_VALUES);
  const issued = sent.find((q) => /^\s*SELECT/i.test(q.text))!;
  const args = (issued.values ?? []).map(sqlLiteral);
  await db.query(forValues ? PLAN_FOR_VALUES : 'SET LOCAL plan_cache_mode TO DEFAULT');
  await db.query(`PREPARE planned AS ${issued.text}`);
  try {
    const rows = (await db.query(`EXPLAIN EXECUTE planned${args.length > 0 ? `(${args.join(', ')})` : ''}`)) as { 'QUERY PLAN': string }[];
    return { plan: rows.map((r) => r['QUERY PLAN']).join('\n'), forValues };
  } finally {
    await db.query('DEALLOCATE planned');
  }
}

/**
 * Issue 14, server side: the user directory (`GET /users`), people and rooms found by any part of
 * their name through pg_trgm indexes, and room results that tell rooms of the same name apart.
 */
describe('user directory and substring search (e2e)', () => {
  const { t } = useTestApp();
  let viewer: TestUser;

  beforeAll(async () => {
    viewer = await registerUser(t.api);
  });

  /** Every page of a list endpoint, following next_cursor. */
  async function allPages(path: string, token: string): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res: any = await http(t.api, 'GET', `${path}${cursor ? `${sep}cursor=${cursor}` : ''}`, { token });
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.next_cursor;
      expect(++pages).toBeLessThan(1000);
    } while (cursor);
    return items;
  }

  describe('GET /users', () => {
    it('lists live users in username order, public fields only, never email', async () => {
      const res = await http(t.api, 'GET', '/users?limit=100', { token: viewer.token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const user of res.body.items) {
        expect(Object.keys(user).sort()).toEqual(PUBLIC_USER_FIELDS);
      }
      expect(JSON.stringify(res.body)).not.toMatch(/@example\.test|email|password/);
      const names = res.body.items.map((u: { username: string }) => u.username.toLowerCase());
      expect(names).toEqual([...names].sort());
    });

    it('pages through everyone without repeats or gaps, also while people register between pages', async () => {
      const tag = unique('dir').toLowerCase();
      const made: string[] = [];
      for (let i = 0; i < 7; i++) made.push((await registerUser(t.api, { username: `${tag}_${i}` })).username);
      const seen: string[] = [];
      let cursor: string | null = null;
      let page = 0;
      do {
        const res: any = await http(t.api, 'GET', `/users?q=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: viewer.token });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...res.body.items.map((u: { username: string }) => u.username));
        cursor = res.body.next_cursor;
        // Someone registering mid-way (sorting after the cursor) shows up on a later page exactly once.
        if (page++ === 0) made.push((await registerUser(t.api, { username: `${tag}_9` })).username);
      } while (cursor);
      expect(seen).toEqual(made);

      // The whole directory too: every id once, in order.
      const all = await allPages('/users?limit=100', viewer.token);
      const ids = all.map((u) => u.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const name of made) expect(all.some((u) => u.username === name)).toBe(true);
      const names = all.map((u) => u.username.toLowerCase());
      expect(names).toEqual([...names].sort());
    });

    it('leaves deleted accounts out', async () => {
      const tag = unique('gone').toLowerCase();
      const gone = await registerUser(t.api, { username: `${tag}_a` });
      const stays = await registerUser(t.api, { username: `${tag}_b` });
      const del = await http(t.api, 'DELETE', '/auth/me', { token: gone.token, body: { password: gone.password } });
      expect(del.status).toBe(200);
      const res = await http(t.api, 'GET', `/users?q=${tag}`, { token: viewer.token });
      expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([stays.id]);
    });

    it('a blank q is the whole directory', async () => {
      const res = await http(t.api, 'GET', '/users?q=%20&limit=5', { token: viewer.token });
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(5);
    });

    it.each([
      ['a q of 65 characters', `?q=${'a'.repeat(65)}`, 'VALIDATION_FAILED'],
      ['a NUL in q', '?q=a%00b', 'VALIDATION_FAILED'],
      ['limit 0', '?limit=0', 'VALIDATION_FAILED'],
      ['limit 101', '?limit=101', 'VALIDATION_FAILED'],
      ['a forged cursor', '?cursor=bm90LWEtY3Vyc29y', 'INVALID_CURSOR'],
      ['a cursor with a bad id', `?cursor=${Buffer.from(JSON.stringify(['a', 'b'])).toString('base64url')}`, 'INVALID_CURSOR'],
      ['an unknown parameter', '?email=x', 'VALIDATION_FAILED'],
    ])('400 for %s', async (_name, query, code) => {
      expectError(await http(t.api, 'GET', `/users${query}`, { token: viewer.token }), 400, code);
    });

    it('needs a token', async () => {
      expectError(await http(t.api, 'GET', '/users'), 401, 'UNAUTHORIZED');
    });
  });

  describe('people by substring', () => {
    it('finds a user by a part in the middle of the username or display name, case-insensitively', async () => {
      const tag = unique('mid').toLowerCase();
      const byUsername = await registerUser(t.api, { username: `aa${tag}zz` });
      const byDisplay = await registerUser(t.api, { display_name: `Someone ${tag.toUpperCase()} Else` });
      await registerUser(t.api, { username: unique('other') });
      const middle = tag.slice(2, 9).toUpperCase();
      for (const path of [`/users/search?q=${middle}`, `/users?q=${middle}`]) {
        const res = await http(t.api, 'GET', path, { token: viewer.token });
        expect(res.status).toBe(200);
        expect(res.body.items.map((u: { id: string }) => u.id).sort()).toEqual([byUsername.id, byDisplay.id].sort());
        for (const user of res.body.items) expect(Object.keys(user).sort()).toEqual(PUBLIC_USER_FIELDS);
      }
    });

    it('takes % and _ in q literally', async () => {
      const tag = unique('lit').toLowerCase();
      const underscore = await registerUser(t.api, { username: `${tag}_x` });
      await registerUser(t.api, { username: `${tag}ax` });
      const percent = await registerUser(t.api, { display_name: `${tag} 100% sure` });
      await registerUser(t.api, { display_name: `${tag} 100 sure` });
      const u = await http(t.api, 'GET', `/users?q=${tag}_`, { token: viewer.token });
      expect(u.body.items.map((x: { id: string }) => x.id)).toEqual([underscore.id]);
      const p = await http(t.api, 'GET', `/users/search?q=${encodeURIComponent(`${tag.slice(-6)} 100%`)}`, { token: viewer.token });
      expect(p.body.items.map((x: { id: string }) => x.id)).toEqual([percent.id]);
      // Alone, they match only names that contain them.
      const onlyPercent = await allPages(`/users?q=${encodeURIComponent('%')}&limit=100`, viewer.token);
      expect(onlyPercent.every((x) => x.username.includes('%') || x.display_name.includes('%'))).toBe(true);
      expect(onlyPercent.map((x) => x.id)).toContain(percent.id);
      const backslash = await http(t.api, 'GET', `/users?q=${encodeURIComponent('\\')}`, { token: viewer.token });
      expect(backslash.status).toBe(200);
      expect(backslash.body.items).toEqual([]);
    });

    it('never finds anyone by email', async () => {
      const me = await registerUser(t.api);
      const res = await http(t.api, 'GET', `/users?q=${encodeURIComponent(me.email.split('@')[1])}`, { token: me.token });
      expect(res.body.items.map((u: { id: string }) => u.id)).not.toContain(me.id);
    });
  });

  describe('rooms by substring, told apart', () => {
    it('finds public rooms by a part in the middle of the name, % and _ literally, never private ones', async () => {
      const owner = await registerUser(t.api);
      const tag = unique('rm').toLowerCase();
      const make = async (name: string, type = 'public') => {
        const res = await http(t.api, 'POST', '/rooms', { token: owner.token, body: { name, type } });
        expect(res.status).toBe(201);
        return res.body.id as string;
      };
      const middle = await make(`Team ${tag.toUpperCase()} chat`);
      const under = await make(`${tag} q_z`);
      await make(`${tag} qxz`);
      const percent = await make(`${tag} 50% off`);
      await make(`${tag} 50 off`);
      await make(`secret ${tag}`, 'private');
      const find = async (q: string) =>
        (await allPages(`/rooms?q=${encodeURIComponent(q)}&limit=2`, viewer.token)).map((r) => r.id);
      expect(await find(tag.slice(1, 8))).toHaveLength(5);
      expect(await find(`m ${tag.slice(0, 6).toUpperCase()}`)).toEqual([middle]);
      expect(await find(`${tag.slice(-4)} q_z`)).toEqual([under]);
      expect(await find(`${tag} 50%`)).toEqual([percent]);
    });

    it('room results carry description, owner and member_count, so equal names can be told apart', async () => {
      const name = unique('Same name');
      const alice = await registerUser(t.api, { display_name: 'Alice Example' });
      const bob = await registerUser(t.api);
      const first = await http(t.api, 'POST', '/rooms', { token: alice.token, body: { name, type: 'public', description: 'Alice\'s room' } });
      const second = await http(t.api, 'POST', '/rooms', { token: bob.token, body: { name, type: 'public' } });
      await http(t.api, 'POST', `/rooms/${second.body.id}/join`, { token: viewer.token });

      const list = await http(t.api, 'GET', `/rooms?q=${encodeURIComponent(name)}`, { token: viewer.token });
      const byId = new Map(list.body.items.map((r: any) => [r.id, r]));
      expect(byId.get(first.body.id)).toEqual(
        expect.objectContaining({
          name,
          description: 'Alice\'s room',
          owner_id: alice.id,
          owner: { id: alice.id, username: alice.username, display_name: 'Alice Example', avatar_url: null, deactivated: false },
          member_count: 1,
        }),
      );
      expect(byId.get(second.body.id)).toEqual(
        expect.objectContaining({ description: null, owner: expect.objectContaining({ id: bob.id, username: bob.username }), member_count: 2 }),
      );
      // The same on the single room and on rooms/me.
      const one = await http(t.api, 'GET', `/rooms/${first.body.id}`, { token: viewer.token });
      expect(one.body.owner).toEqual({ id: alice.id, username: alice.username, display_name: 'Alice Example', avatar_url: null, deactivated: false });
      const mine = await http(t.api, 'GET', '/rooms/me?limit=100', { token: viewer.token });
      expect(mine.body.items.find((r: any) => r.id === second.body.id).owner).toEqual(expect.objectContaining({ id: bob.id }));
      // A DM has no owner.
      const dm = await http(t.api, 'POST', '/dm', { token: viewer.token, body: { recipient_id: bob.id } });
      expect(dm.body.owner).toBeNull();
    });

    it.each([
      ['a q of 81 characters', `?q=${'a'.repeat(81)}`, 'VALIDATION_FAILED'],
      ['a NUL in q', '?q=%00', 'VALIDATION_FAILED'],
      ['a forged cursor', '?q=a&cursor=bm90LWEtY3Vyc29y', 'INVALID_CURSOR'],
    ])('GET /rooms: 400 for %s', async (_name, query, code) => {
      expectError(await http(t.api, 'GET', `/rooms${query}`, { token: viewer.token }), 400, code);
    });
  });

  describe('the trigram indexes serve the searches (a few thousand rows, planner left alone)', () => {
    // Rows are added and ANALYZEd inside a transaction that is rolled back, so other suites never see them.
    async function withBulkRows(fill: string, check: (q: { query: DataSource['query'] }) => Promise<void>): Promise<void> {
      const runner = t.app.get(DataSource).createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.query(fill);
        await runner.query('ANALYZE users');
        await runner.query('ANALYZE rooms');
        await check({ query: (sql: string, params?: unknown[]) => runner.query(sql, params) });
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }

    it('users: a search is planned for its text: the trigram indexes for a rare one, the directory order for a short one; a page without q keeps its generic plan', async () => {
      await withBulkRows(
        `INSERT INTO users (username, display_name)
         SELECT 'bulk' || md5(i::text), 'Person ' || md5((i * 7)::text) FROM generate_series(1, 4000) i`,
        async (q) => {
          const rare = await serverPlan(q, (db) => new UsersRepository(db).findDirectoryPage('c4ca42', 21));
          expect(rare.forValues).toBe(true);
          expect(rare.plan).toContain('users_username_trgm_idx');
          expect(rare.plan).toContain('users_display_name_trgm_idx');
          const short = await serverPlan(q, (db) => new UsersRepository(db).findDirectoryPage('c4', 21));
          expect(short.plan).toContain('users_directory_idx');
          expect(short.plan).not.toContain('trgm');
          const page = await serverPlan(q, (db) => new UsersRepository(db).findDirectoryPage(undefined, 21, { username: 'bulk8', id: '00000000-0000-4000-8000-000000000000' }));
          expect(page.forValues).toBe(false);
          expect(page.plan).toContain('users_directory_idx');
        },
      );
    });

    it('rooms: a search is planned for its text: the GIN trigram index for a rare one', async () => {
      await withBulkRows(
        `INSERT INTO rooms (type, name) SELECT 'public', 'Room ' || md5(i::text) FROM generate_series(1, 4000) i`,
        async (q) => {
          const rare = await serverPlan(q, (db) => new RoomsRepository(db).findPublicPage(viewer.id, 'c4ca42', 20, null));
          expect(rare.forValues).toBe(true);
          expect(rare.plan).toContain('rooms_public_name_trgm_idx');
        },
      );
    });
  });
});
