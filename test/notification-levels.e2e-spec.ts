import { useTestApp } from './helpers/app';
import { createRoom, expectError, http, registerUser } from './helpers/http';

/**
 * Issue 15, item 3: `PATCH /rooms/:id/notifications {level}` and `notification_level` on the caller's
 * Room wherever it is returned; DMs default to "all", rooms to "mentions".
 */
describe('notification levels (e2e)', () => {
  const { t, ws } = useTestApp();

  const levelIn = (page: { items: { id: string; notification_level?: string }[] }, id: string) => page.items.find((r) => r.id === id)?.notification_level;

  it('rooms default to "mentions" and DMs to "all", on every view of the caller\'s Room', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const created = await http(t.api, 'POST', '/rooms', { token: alice.token, body: { name: 'levels', type: 'public' } });
    expect(created.body.notification_level).toBe('mentions');
    const joined = await http(t.api, 'POST', `/rooms/${created.body.id}/join`, { token: bob.token });
    expect(joined.body.notification_level).toBe('mentions');
    expect((await http(t.api, 'GET', `/rooms/${created.body.id}`, { token: bob.token })).body.notification_level).toBe('mentions');
    expect(levelIn((await http(t.api, 'GET', '/rooms/me', { token: bob.token })).body, created.body.id)).toBe('mentions');

    const bobWs = await ws(bob);
    const dm = await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } });
    expect(dm.status).toBe(201);
    expect(dm.body.notification_level).toBe('all');
    expect((await bobWs.next('dm_created')).payload.notification_level).toBe('all');
    expect(levelIn((await http(t.api, 'GET', '/dm', { token: bob.token })).body, dm.body.id)).toBe('all');
    expect(levelIn((await http(t.api, 'GET', '/rooms/me', { token: alice.token })).body, dm.body.id)).toBe('all');
    expect((await http(t.api, 'GET', `/rooms/${dm.body.id}`, { token: alice.token })).body.notification_level).toBe('all');
  });

  it('PATCH sets the caller\'s level only; it shows everywhere and survives until the member leaves', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const room = await createRoom(t.api, alice, 'public');
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });

    for (const level of ['none', 'all', 'mentions', 'none']) {
      const res = await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: bob.token, body: { level } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ id: room.id, name: room.name, my_role: 'member', notification_level: level, unread_count: 0 }));
    }
    expect((await http(t.api, 'GET', `/rooms/${room.id}`, { token: bob.token })).body.notification_level).toBe('none');
    expect(levelIn((await http(t.api, 'GET', '/rooms/me', { token: bob.token })).body, room.id)).toBe('none');
    expect((await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token })).body.notification_level).toBe('none');
    expect(levelIn((await http(t.api, 'GET', `/rooms?q=${encodeURIComponent(room.name)}`, { token: bob.token })).body, room.id)).toBe('none');
    // Alice's own level is untouched.
    expect((await http(t.api, 'GET', `/rooms/${room.id}`, { token: alice.token })).body.notification_level).toBe('mentions');

    // Leaving ends the membership with its settings; joining again starts from the default.
    expect((await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: bob.token })).status).toBe(200);
    const outside = await http(t.api, 'GET', `/rooms/${room.id}`, { token: bob.token });
    expect(outside.body).not.toHaveProperty('notification_level');
    expect((await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token })).body.notification_level).toBe('mentions');
  });

  it('a DM member can choose a level too', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const dm = await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } });
    const res = await http(t.api, 'PATCH', `/rooms/${dm.body.id}/notifications`, { token: bob.token, body: { level: 'mentions' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ type: 'dm', notification_level: 'mentions', peer: expect.objectContaining({ id: alice.id }) }));
    expect((await http(t.api, 'GET', `/rooms/${dm.body.id}`, { token: alice.token })).body.notification_level).toBe('all');
  });

  it.each([
    ['an unknown level', { level: 'loud' }],
    ['a level in capitals', { level: 'ALL' }],
    ['an empty level', { level: '' }],
    ['a null level', { level: null }],
    ['a number', { level: 1 }],
    ['an array', { level: ['all'] }],
    ['no level', {}],
    ['an extra field', { level: 'all', room_id: 'x' }],
  ])('400 for %s, and nothing changes', async (_name, body) => {
    const alice = await registerUser(t.api);
    const room = await createRoom(t.api, alice, 'private');
    await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: alice.token, body: { level: 'none' } });
    const res = await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: alice.token, body });
    const error = expectError(res, 400, 'VALIDATION_FAILED');
    if ('level' in body && Object.keys(body).length === 1) expect(error.details).toEqual([expect.objectContaining({ field: 'level' })]);
    expect((await http(t.api, 'GET', `/rooms/${room.id}`, { token: alice.token })).body.notification_level).toBe('none');
  });

  it('400 without a body, or with a body that is not JSON', async () => {
    const alice = await registerUser(t.api);
    const room = await createRoom(t.api, alice);
    expectError(await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: alice.token }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'PATCH', `/rooms/${room.id}/notifications`, { token: alice.token, raw: '{level:' }), 400, 'INVALID_JSON');
  });

  it('the room-access rule: 403 for a public room not joined, 404 for a private room or DM of others and for unknown rooms', async () => {
    const [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const pub = await createRoom(t.api, alice, 'public');
    const priv = await createRoom(t.api, alice, 'private');
    const dm = await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } });
    const body = { level: 'all' };
    expectError(await http(t.api, 'PATCH', `/rooms/${pub.id}/notifications`, { token: carol.token, body }), 403, 'NOT_A_MEMBER');
    expectError(await http(t.api, 'PATCH', `/rooms/${priv.id}/notifications`, { token: carol.token, body }), 404, 'ROOM_NOT_FOUND');
    expectError(await http(t.api, 'PATCH', `/rooms/${dm.body.id}/notifications`, { token: carol.token, body }), 404, 'ROOM_NOT_FOUND');
    expectError(await http(t.api, 'PATCH', '/rooms/0b7e4a8e-5d0c-4f4b-9a55-1d1f3c1e2a10/notifications', { token: carol.token, body }), 404, 'ROOM_NOT_FOUND');
    expectError(await http(t.api, 'PATCH', '/rooms/not-a-uuid/notifications', { token: carol.token, body }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'PATCH', `/rooms/${pub.id}/notifications`, { body }), 401, 'UNAUTHORIZED');
    // Outsiders' views carry no level.
    expect((await http(t.api, 'GET', `/rooms/${pub.id}`, { token: carol.token })).body).not.toHaveProperty('notification_level');
  });
});
