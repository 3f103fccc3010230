import { createRoom, expectError, http, registerUser } from './helpers/http';
import { useTestApp } from './helpers/app';

/**
 * Room administration: who may add, kick, promote, rename and delete (the authorization matrix),
 * private rooms staying invisible to outsiders, ownership handover, and the live events of each
 * change reaching members' connections and never outsiders'.
 */
describe('room administration (e2e)', () => {
  const { t, ws } = useTestApp();

  /** A room with an owner, an admin, two members and an outsider (and a spare user to add). */
  async function cast(type: 'public' | 'private' = 'private') {
    const [owner, admin, member, other, outsider, spare] = await Promise.all([0, 1, 2, 3, 4, 5].map(() => registerUser(t.api)));
    const room = await createRoom(t.api, owner, type);
    const add = await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: [admin.id, member.id, other.id] } });
    expect(add.status).toBe(201);
    const promote = await http(t.api, 'PATCH', `/rooms/${room.id}/members/${admin.id}`, { token: owner.token, body: { role: 'admin' } });
    expect(promote.status).toBe(200);
    return { owner, admin, member, other, outsider, spare, room };
  }

  it('keeps a private room invisible to outsiders: every room route is 404 for them', async () => {
    const { outsider, member, room } = await cast('private');
    const probes: [string, string, unknown?][] = [
      ['GET', `/rooms/${room.id}`],
      ['GET', `/rooms/${room.id}/members`],
      ['GET', `/rooms/${room.id}/messages`],
      ['POST', `/rooms/${room.id}/messages`, { content: 'hi' }],
      ['POST', `/rooms/${room.id}/join`],
      ['POST', `/rooms/${room.id}/leave`],
      ['POST', `/rooms/${room.id}/read`, { seq: 1 }],
      ['PATCH', `/rooms/${room.id}`, { name: 'mine now' }],
      ['DELETE', `/rooms/${room.id}`],
      ['POST', `/rooms/${room.id}/members`, { user_ids: [outsider.id] }],
      ['DELETE', `/rooms/${room.id}/members/${member.id}`],
      ['PATCH', `/rooms/${room.id}/members/${member.id}`, { role: 'admin' }],
    ];
    for (const [method, path, body] of probes) {
      const res = await http(t.api, method, path, { token: outsider.token, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expectError(res, 404, 'ROOM_NOT_FOUND');
    }
    const list = await http(t.api, 'GET', '/rooms?limit=100', { token: outsider.token });
    expect(list.body.items.map((r: any) => r.id)).not.toContain(room.id);
  });

  it('authorization matrix: add, kick, set role, rename, delete by outsider, member, admin and owner', async () => {
    type Actor = 'outsider' | 'member' | 'admin' | 'owner';
    // Expected status per action and actor, on a public room (outsiders can see it but not act).
    const matrix: Record<string, Record<Actor, number>> = {
      'add member': { outsider: 403, member: 403, admin: 201, owner: 201 },
      'kick other member': { outsider: 403, member: 403, admin: 200, owner: 200 },
      // For the admin this is removing themselves, which is leaving.
      'kick admin': { outsider: 403, member: 403, admin: 200, owner: 200 },
      // For the owner this is leaving without handing over.
      'kick owner': { outsider: 403, member: 403, admin: 403, owner: 422 },
      'remove self': { outsider: 403, member: 200, admin: 200, owner: 422 },
      'promote other member': { outsider: 403, member: 403, admin: 403, owner: 200 },
      rename: { outsider: 403, member: 403, admin: 200, owner: 200 },
      delete: { outsider: 403, member: 403, admin: 403, owner: 200 },
    };
    for (const [action, byActor] of Object.entries(matrix)) {
      for (const actor of Object.keys(byActor) as Actor[]) {
        const c = await cast('public');
        const who = c[actor];
        let res;
        switch (action) {
          case 'add member':
            res = await http(t.api, 'POST', `/rooms/${c.room.id}/members`, { token: who.token, body: { user_ids: [c.spare.id] } });
            break;
          case 'kick other member':
            res = await http(t.api, 'DELETE', `/rooms/${c.room.id}/members/${c.other.id}`, { token: who.token });
            break;
          case 'kick admin':
            res = await http(t.api, 'DELETE', `/rooms/${c.room.id}/members/${c.admin.id}`, { token: who.token });
            break;
          case 'kick owner':
            res = await http(t.api, 'DELETE', `/rooms/${c.room.id}/members/${c.owner.id}`, { token: who.token });
            break;
          case 'remove self':
            res = await http(t.api, 'DELETE', `/rooms/${c.room.id}/members/${who.id}`, { token: who.token });
            break;
          case 'promote other member':
            res = await http(t.api, 'PATCH', `/rooms/${c.room.id}/members/${c.other.id}`, { token: who.token, body: { role: 'admin' } });
            break;
          case 'rename':
            res = await http(t.api, 'PATCH', `/rooms/${c.room.id}`, { token: who.token, body: { name: 'renamed' } });
            break;
          default:
            res = await http(t.api, 'DELETE', `/rooms/${c.room.id}`, { token: who.token });
        }
        expect({ action, actor, status: res.status }).toEqual({ action, actor, status: byActor[actor] });
        if (res.status >= 400) expectError(res, byActor[actor]);
      }
    }
    // An admin cannot remove or demote another admin; only the owner can.
    const c = await cast('public');
    expect((await http(t.api, 'PATCH', `/rooms/${c.room.id}/members/${c.other.id}`, { token: c.owner.token, body: { role: 'admin' } })).status).toBe(200);
    expectError(await http(t.api, 'DELETE', `/rooms/${c.room.id}/members/${c.other.id}`, { token: c.admin.token }), 403, 'FORBIDDEN');
    expectError(await http(t.api, 'PATCH', `/rooms/${c.room.id}/members/${c.other.id}`, { token: c.admin.token, body: { role: 'member' } }), 403, 'FORBIDDEN');
    expect((await http(t.api, 'DELETE', `/rooms/${c.room.id}/members/${c.other.id}`, { token: c.owner.token })).status).toBe(200);
  });

  it('adds members to a private room, refuses duplicates (409), unknown users (404) and bad input (400)', async () => {
    const { owner, member, outsider, spare, room } = await cast('private');
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: [member.id] } }), 409, 'ALREADY_MEMBER');
    const unknown = '00000000-0000-4000-8000-000000000000';
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: [spare.id, unknown] } }), 404, 'USER_NOT_FOUND');
    // All or nothing: the spare user was not added by the failed request.
    expect((await http(t.api, 'GET', `/rooms/${room.id}`, { token: spare.token })).status).toBe(404);
    for (const body of [{}, { user_ids: [] }, { user_ids: ['nope'] }, { user_ids: [spare.id, spare.id] }, { user_ids: spare.id }, { user_ids: [spare.id], extra: 1 }]) {
      expectError(await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body }), 400, 'VALIDATION_FAILED');
    }
    const ok = await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: [outsider.id, spare.id] } });
    expect(ok.status).toBe(201);
    expect(ok.body.added.map((m: any) => m.user.id).sort()).toEqual([outsider.id, spare.id].sort());
    const seen = await http(t.api, 'GET', `/rooms/${room.id}`, { token: spare.token });
    expect(seen.body).toMatchObject({ id: room.id, my_role: 'member', member_count: 6 });
  });

  it('hands ownership over, after which the old owner (now admin) may leave; the owner alone cannot leave', async () => {
    const { owner, admin, member, other, room } = await cast('private');
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: owner.token }), 422, 'OWNER_CANNOT_LEAVE');
    expectError(await http(t.api, 'PATCH', `/rooms/${room.id}/members/${owner.id}`, { token: owner.token, body: { role: 'member' } }), 422);
    expectError(await http(t.api, 'PATCH', `/rooms/${room.id}/members/${member.id}`, { token: owner.token, body: { role: 'king' } }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'PATCH', `/rooms/${room.id}/members/${member.id}`, { token: owner.token, body: {} }), 400, 'VALIDATION_FAILED');
    expectError(
      await http(t.api, 'PATCH', `/rooms/${room.id}/members/00000000-0000-4000-8000-000000000000`, { token: owner.token, body: { role: 'admin' } }),
      404,
      'MEMBER_NOT_FOUND',
    );
    expectError(await http(t.api, 'PATCH', `/rooms/${room.id}/members/not-a-uuid`, { token: owner.token, body: { role: 'admin' } }), 400, 'VALIDATION_FAILED');

    const handover = await http(t.api, 'PATCH', `/rooms/${room.id}/members/${member.id}`, { token: owner.token, body: { role: 'owner' } });
    expect(handover.status).toBe(200);
    expect(handover.body).toMatchObject({ user: { id: member.id }, role: 'owner' });
    const asOld = await http(t.api, 'GET', `/rooms/${room.id}`, { token: owner.token });
    expect(asOld.body).toMatchObject({ owner_id: member.id, my_role: 'admin' });
    // The old owner lost owner-only powers.
    expectError(await http(t.api, 'DELETE', `/rooms/${room.id}`, { token: owner.token }), 403, 'FORBIDDEN');
    expect((await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: owner.token })).status).toBe(200);
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: member.token }), 422, 'OWNER_CANNOT_LEAVE');
    const members = await http(t.api, 'GET', `/rooms/${room.id}/members`, { token: admin.token });
    expect(members.body.items.map((m: any) => [m.user.id, m.role]).sort()).toEqual([[admin.id, 'admin'], [member.id, 'owner'], [other.id, 'member']].sort());
  });

  it('renames with validation, and deletes the room with its messages', async () => {
    const { owner, admin, member, room } = await cast('private');
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(81) }, { description: 'x'.repeat(501) }, { name: 5 }, { topic: 'x' }]) {
      expectError(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: admin.token, body }), 400, 'VALIDATION_FAILED');
    }
    const renamed = await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: admin.token, body: { name: '  New name ', description: 'About' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'New name', description: 'About', my_role: 'admin' });
    const cleared = await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: owner.token, body: { description: null } });
    expect(cleared.body).toMatchObject({ name: 'New name', description: null });

    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: member.token, body: { content: 'soon gone' } });
    const del = await http(t.api, 'DELETE', `/rooms/${room.id}`, { token: owner.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ id: room.id, deleted: true });
    expectError(await http(t.api, 'GET', `/rooms/${room.id}`, { token: owner.token }), 404, 'ROOM_NOT_FOUND');
    expectError(await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: member.token }), 404, 'ROOM_NOT_FOUND');
    expectError(await http(t.api, 'DELETE', `/rooms/${room.id}`, { token: owner.token }), 404, 'ROOM_NOT_FOUND');
    const mine = await http(t.api, 'GET', '/rooms/me', { token: member.token });
    expect(mine.body.items.map((r: any) => r.id)).not.toContain(room.id);
  });

  it('a kicked member loses access and live events at once', async () => {
    const { owner, member, room } = await cast('private');
    const m = await ws(member);
    const kick = await http(t.api, 'DELETE', `/rooms/${room.id}/members/${member.id}`, { token: owner.token });
    expect(kick.status).toBe(200);
    expect((await m.next('member_removed')).payload).toEqual({ room_id: room.id, user_id: member.id, removed_by: owner.id });
    // The removed member sees the line about their own removal, and nothing after it.
    expect((await m.next('new_message')).payload.system).toEqual({ event: 'member_removed', user_id: member.id, actor_id: owner.id });
    expectError(await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: member.token }), 404, 'ROOM_NOT_FOUND');
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: member.token, body: { content: 'let me in' } }), 404);
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: member.token }), 404, 'ROOM_NOT_FOUND');
    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'after the kick' } });
    await m.expectNone('new_message');
    expectError(await http(t.api, 'DELETE', `/rooms/${room.id}/members/${member.id}`, { token: owner.token }), 404, 'MEMBER_NOT_FOUND');
  });

  it('sends every administration event to members and none to outsiders', async () => {
    const { owner, admin, member, outsider, spare, room } = await cast('public');
    const [o, a, m, x] = await Promise.all([ws(owner), ws(admin), ws(member), ws(outsider)]);
    const members = [o, a, m];

    // member_added (the added user's own connections are subscribed and see it too)
    const s = await ws(spare);
    await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: admin.token, body: { user_ids: [spare.id] } });
    for (const c of [...members, s]) {
      expect((await c.next('member_added')).payload).toMatchObject({ room_id: room.id, user: { id: spare.id }, role: 'member', added_by: admin.id });
    }
    // room_updated on rename
    await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: owner.token, body: { name: 'events' } });
    for (const c of [...members, s]) {
      expect((await c.next('room_updated')).payload).toMatchObject({ room_id: room.id, name: 'events', updated_by: owner.id, role_changes: [] });
    }
    // room_updated on a role change
    await http(t.api, 'PATCH', `/rooms/${room.id}/members/${member.id}`, { token: owner.token, body: { role: 'admin' } });
    for (const c of [...members, s]) {
      expect((await c.next('room_updated')).payload.role_changes).toEqual([{ user_id: member.id, role: 'admin' }]);
    }
    // user_joined / user_left (the outsider joins the public room, then leaves)
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: outsider.token });
    for (const c of members) expect((await c.next('user_joined')).payload).toMatchObject({ room_id: room.id, user: { id: outsider.id } });
    await http(t.api, 'POST', `/rooms/${room.id}/leave`, { token: outsider.token });
    for (const c of members) expect((await c.next('user_left')).payload).toEqual({ room_id: room.id, user_id: outsider.id });
    // The leaver was still a member when user_left went out (its other devices learn of it too);
    // events are written after the HTTP response may have left, so wait for it before clearing.
    expect((await x.next('user_left')).payload).toEqual({ room_id: room.id, user_id: outsider.id });
    x.frames.length = 0;
    // member_removed
    await http(t.api, 'DELETE', `/rooms/${room.id}/members/${spare.id}`, { token: owner.token });
    for (const c of [...members, s]) expect((await c.next('member_removed')).payload).toMatchObject({ room_id: room.id, user_id: spare.id });
    // room_deleted
    await http(t.api, 'DELETE', `/rooms/${room.id}`, { token: owner.token });
    for (const c of members) expect((await c.next('room_deleted')).payload).toEqual({ room_id: room.id, deleted_by: owner.id });
    await s.expectNone('room_deleted');
    for (const type of ['member_added', 'member_removed', 'room_updated', 'room_deleted', 'user_joined', 'user_left']) {
      await x.expectNone(type, 50);
    }
  });
});
