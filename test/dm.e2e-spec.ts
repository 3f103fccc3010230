import { expectError, http, registerUser } from './helpers/http';
import { useTestApp } from './helpers/app';

/**
 * Direct messages: one room per pair (also under concurrent requests from both sides), refusals,
 * the DM list with peer, last message and unread count, `dm_created`, and a DM staying invisible and
 * unmanageable for everyone else.
 */
describe('direct messages (e2e)', () => {
  const { t, ws } = useTestApp();

  it('creates the DM once (201), returns it afterwards from either side (200), and tells the recipient', async () => {
    const [alice, bob, eve] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const [b, e] = await Promise.all([ws(bob), ws(eve)]);
    const created = await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'dm', name: null, owner_id: null, member_count: 2, my_role: 'member', peer: { id: bob.id, username: bob.username } });
    expect(created.body.peer.email).toBeUndefined();

    const event = await b.next('dm_created');
    expect(event.payload).toMatchObject({ id: created.body.id, type: 'dm', peer: { id: alice.id } });
    await e.expectNone('dm_created');

    const again = await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const fromBob = await http(t.api, 'POST', '/dm', { token: bob.token, body: { recipient_id: alice.id } });
    expect(fromBob.status).toBe(200);
    expect(fromBob.body).toMatchObject({ id: created.body.id, peer: { id: alice.id } });
    await b.expectNone('dm_created');

    // Bob's live connection was subscribed at creation: Alice's first message arrives at once.
    await http(t.api, 'POST', `/rooms/${created.body.id}/messages`, { token: alice.token, body: { content: 'hi bob' } });
    expect((await b.next('new_message')).payload).toMatchObject({ room_id: created.body.id, content: 'hi bob' });
    await e.expectNone('new_message');
  });

  it('makes exactly one room when both sides open the DM at the same time', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
      const requests = [
        ...Array.from({ length: 4 }, () => http(t.api, 'POST', '/dm', { token: a.token, body: { recipient_id: b.id } })),
        ...Array.from({ length: 4 }, () => http(t.api, 'POST', '/dm', { token: b.token, body: { recipient_id: a.id } })),
      ];
      const results = await Promise.all(requests);
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      const list = await http(t.api, 'GET', '/dm', { token: a.token });
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ member_count: 2, peer: { id: b.id } });
    }
  });

  it('refuses a DM with yourself (400), with an unknown user (404) and malformed bodies (400)', async () => {
    const alice = await registerUser(t.api);
    expectError(await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: alice.id } }), 400, 'DM_WITH_SELF');
    expectError(await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: '00000000-0000-4000-8000-000000000000' } }), 404, 'USER_NOT_FOUND');
    for (const body of [{}, { recipient_id: 'bob' }, { recipient_id: 42 }, { recipient_id: alice.id, extra: true }]) {
      expectError(await http(t.api, 'POST', '/dm', { token: alice.token, body }), 400, 'VALIDATION_FAILED');
    }
    expectError(await http(t.api, 'POST', '/dm', { body: { recipient_id: alice.id } }), 401);
    expectError(await http(t.api, 'GET', '/dm'), 401);
    expectError(await http(t.api, 'GET', '/dm?limit=0', { token: alice.token }), 400, 'VALIDATION_FAILED');
  });

  it('lists DMs with peer, last_message and unread_count, also in rooms/me, and reads reset the count', async () => {
    const [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const ab = (await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } })).body;
    const ac = (await http(t.api, 'POST', '/dm', { token: carol.token, body: { recipient_id: alice.id } })).body;
    await http(t.api, 'POST', `/rooms/${ab.id}/messages`, { token: bob.token, body: { content: 'one' } });
    await http(t.api, 'POST', `/rooms/${ab.id}/messages`, { token: bob.token, body: { content: 'two' } });
    await http(t.api, 'POST', `/rooms/${ab.id}/messages`, { token: alice.token, body: { content: 'mine' } });
    await http(t.api, 'POST', `/rooms/${ac.id}/messages`, { token: carol.token, body: { content: 'hey alice' } });

    const list = await http(t.api, 'GET', '/dm', { token: alice.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: any) => r.id)).toEqual([ac.id, ab.id]);
    expect(list.body.items[0]).toMatchObject({ peer: { id: carol.id }, unread_count: 1, last_message: { content: 'hey alice' } });
    expect(list.body.items[1]).toMatchObject({ peer: { id: bob.id }, unread_count: 2, last_message: { content: 'mine', sender: { id: alice.id } } });

    const paged = await http(t.api, 'GET', '/dm?limit=1', { token: alice.token });
    expect(paged.body.items.map((r: any) => r.id)).toEqual([ac.id]);
    const next = await http(t.api, 'GET', `/dm?limit=1&cursor=${paged.body.next_cursor}`, { token: alice.token });
    expect(next.body.items.map((r: any) => r.id)).toEqual([ab.id]);
    expect(next.body.next_cursor).toBeNull();

    const mine = await http(t.api, 'GET', '/rooms/me', { token: bob.token });
    expect(mine.body.items.find((r: any) => r.id === ab.id)).toMatchObject({ type: 'dm', peer: { id: alice.id }, unread_count: 1 });

    const read = await http(t.api, 'POST', `/rooms/${ab.id}/read`, { token: alice.token, body: { seq: 3 } });
    expect(read.body).toEqual({ room_id: ab.id, last_read_seq: 3, unread_count: 0, mention_count: 0 });
    const after = await http(t.api, 'GET', '/dm', { token: alice.token });
    expect(after.body.items.find((r: any) => r.id === ab.id).unread_count).toBe(0);
  });

  it('keeps a DM invisible to a third user and unmanageable by its two members', async () => {
    const [alice, bob, eve] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const dm = (await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } })).body;
    for (const [method, path, body] of [
      ['GET', `/rooms/${dm.id}`],
      ['GET', `/rooms/${dm.id}/messages`],
      ['GET', `/rooms/${dm.id}/members`],
      ['POST', `/rooms/${dm.id}/join`],
      ['POST', `/rooms/${dm.id}/messages`, { content: 'let me in' }],
    ] as [string, string, unknown?][]) {
      expectError(await http(t.api, method, path, { token: eve.token, body }), 404, 'ROOM_NOT_FOUND');
    }
    expectError(await http(t.api, 'PATCH', `/rooms/${dm.id}`, { token: alice.token, body: { name: 'ours' } }), 403, 'FORBIDDEN');
    expectError(await http(t.api, 'DELETE', `/rooms/${dm.id}`, { token: alice.token }), 403, 'FORBIDDEN');
    expectError(await http(t.api, 'POST', `/rooms/${dm.id}/members`, { token: alice.token, body: { user_ids: [eve.id] } }), 403, 'FORBIDDEN');
    expectError(await http(t.api, 'DELETE', `/rooms/${dm.id}/members/${bob.id}`, { token: alice.token }), 403, 'FORBIDDEN');
    expectError(await http(t.api, 'PATCH', `/rooms/${dm.id}/members/${bob.id}`, { token: alice.token, body: { role: 'admin' } }), 403, 'FORBIDDEN');
    expectError(await http(t.api, 'POST', `/rooms/${dm.id}/leave`, { token: alice.token }), 422, 'CANNOT_LEAVE_DM');
    const publicList = await http(t.api, 'GET', '/rooms?limit=100', { token: eve.token });
    expect(publicList.body.items.map((r: any) => r.id)).not.toContain(dm.id);
    const room = await http(t.api, 'GET', `/rooms/${dm.id}`, { token: bob.token });
    expect(room.body).toMatchObject({ id: dm.id, type: 'dm', peer: { id: alice.id } });
  });
});
