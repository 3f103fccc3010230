import { createRoom, expectError, http, registerUser } from './helpers/http';
import { useTestApp } from './helpers/app';

/** Keyset pagination that neither skips nor repeats, id case, and bodyless JSON requests. */
describe('pagination, id case and bodyless requests (e2e)', () => {
  const { t, ws } = useTestApp();

  it('pages through members added in one call (same joined_at) without repeating or skipping', async () => {
    const owner = await registerUser(t.api);
    const others = await Promise.all(Array.from({ length: 5 }, () => registerUser(t.api)));
    const room = await createRoom(t.api, owner, 'private');
    expect((await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: others.map((u) => u.id) } })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: any = await http(t.api, 'GET', `/rooms/${room.id}/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: owner.token });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((m: any) => m.user.id));
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual([owner.id, ...others.map((u) => u.id)].sort());
  });

  it('pages through rooms created in the same instant without losing any', async () => {
    const user = await registerUser(t.api);
    const made = await Promise.all(Array.from({ length: 12 }, () => createRoom(t.api, user)));
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res: any = await http(t.api, 'GET', `/rooms/me?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: user.token });
      for (const r of res.body.items) {
        expect(seen.has(r.id)).toBe(false);
        seen.add(r.id);
      }
      cursor = res.body.next_cursor;
      if (!cursor) break;
    }
    expect([...seen].sort()).toEqual(made.map((r) => r.id).sort());
  });

  it('refuses a forged cursor with 400 on every list', async () => {
    const user = await registerUser(t.api);
    const room = await createRoom(t.api, user);
    const forged = Buffer.from(JSON.stringify(['notadate', 'zz'])).toString('base64url');
    for (const path of ['/rooms', '/rooms/me', '/dm', `/rooms/${room.id}/members`, '/messages/search?q=x&']) {
      const sep = path.includes('?') ? '' : '?';
      expectError(await http(t.api, 'GET', `${path}${sep}cursor=${forged}`, { token: user.token }), 400, 'INVALID_CURSOR');
    }
  });

  it('treats upper-case ids like lower-case ones: a kick by upper-case id stops live delivery at once', async () => {
    const owner = await registerUser(t.api);
    const member = await registerUser(t.api);
    const room = await createRoom(t.api, owner, 'private');
    await http(t.api, 'POST', `/rooms/${room.id.toUpperCase()}/members`, { token: owner.token, body: { user_ids: [member.id] } });
    const socket = await ws(member);
    await http(t.api, 'POST', `/rooms/${room.id.toUpperCase()}/messages`, { token: owner.token, body: { content: 'hello' } });
    expect((await socket.next('new_message')).payload.content).toBe('hello');
    expect((await http(t.api, 'DELETE', `/rooms/${room.id.toUpperCase()}/members/${member.id.toUpperCase()}`, { token: owner.token })).status).toBe(200);
    // The line about the removal (ids as stored, lower-case) is the last thing the member gets.
    expect((await socket.next('new_message')).payload.system).toEqual({ event: 'member_removed', user_id: member.id, actor_id: owner.id });
    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'secret after kick' } });
    await socket.expectNone((f) => f.type === 'new_message', 500);
  });

  it('accepts bodyless POST and DELETE sent with Content-Type: application/json', async () => {
    const user = await registerUser(t.api);
    const room = await createRoom(t.api, user);
    const other = await registerUser(t.api);
    const json = { 'content-type': 'application/json' };
    expect((await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: other.token, headers: json, raw: '' })).status).toBe(200);
    expect((await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: other.token, headers: json, raw: '' })).status).toBe(200);
    expect((await http(t.api, 'POST', '/auth/logout', { token: other.token, headers: json, raw: '' })).status).toBe(200);
    expectError(await http(t.api, 'POST', '/rooms', { token: user.token, raw: '{"name": ' }), 400, 'INVALID_JSON');
  });

  it('gives members unread_count and last_message on GET /rooms/:id and join, and outsiders neither', async () => {
    const owner = await registerUser(t.api);
    const reader = await registerUser(t.api);
    const outsider = await registerUser(t.api);
    const room = await createRoom(t.api, owner);
    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'first' } });
    const joined = await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: reader.token });
    // The join is the room's last message (a system line, not unread).
    expect(joined.body).toMatchObject({ my_role: 'member', unread_count: 1, last_message: { type: 'system', content: null, system: { event: 'member_joined', user_id: reader.id } } });
    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'second' } });
    const view = await http(t.api, 'GET', `/rooms/${room.id}`, { token: reader.token });
    expect(view.body).toMatchObject({ unread_count: 2, last_message: { content: 'second', seq: 3 } });
    const own = await http(t.api, 'GET', `/rooms/${room.id}`, { token: owner.token });
    expect(own.body).toMatchObject({ my_role: 'owner', unread_count: 0 });
    const seen = await http(t.api, 'GET', `/rooms/${room.id}`, { token: outsider.token });
    expect(seen.body.my_role).toBeNull();
    expect(seen.body).not.toHaveProperty('unread_count');
    expect(seen.body).not.toHaveProperty('last_message');
  });
});
