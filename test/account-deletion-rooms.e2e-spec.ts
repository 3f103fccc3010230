import { createRoom, http, registerUser } from './helpers/http';
import { useTestApp } from './helpers/app';

/** Deleting an account hands its rooms over instead of leaving them without anyone to run them. */
describe('account deletion and room ownership (e2e)', () => {
  const { t, ws } = useTestApp();

  it('passes each owned room to the oldest admin (else the oldest member) and tells the room', async () => {
    const owner = await registerUser(t.api);
    const early = await registerUser(t.api);
    const admin = await registerUser(t.api);
    const withAdmin = await createRoom(t.api, owner);
    const withoutAdmin = await createRoom(t.api, owner, 'private');
    const alone = await createRoom(t.api, owner);
    await http(t.api, 'POST', `/rooms/${withAdmin.id}/join`, { token: early.token });
    await http(t.api, 'POST', `/rooms/${withAdmin.id}/join`, { token: admin.token });
    expect((await http(t.api, 'PATCH', `/rooms/${withAdmin.id}/members/${admin.id}`, { token: owner.token, body: { role: 'admin' } })).status).toBe(200);
    await http(t.api, 'POST', `/rooms/${withoutAdmin.id}/members`, { token: owner.token, body: { user_ids: [early.id] } });
    const watcher = await ws(early);

    const deleted = await http(t.api, 'DELETE', '/auth/me', { token: owner.token, body: { password: owner.password } });
    expect(deleted.status).toBe(200);

    const first = await http(t.api, 'GET', `/rooms/${withAdmin.id}`, { token: admin.token });
    expect(first.body).toMatchObject({ owner_id: admin.id, my_role: 'owner' });
    const second = await http(t.api, 'GET', `/rooms/${withoutAdmin.id}`, { token: early.token });
    expect(second.body).toMatchObject({ owner_id: early.id, my_role: 'owner' });
    const members = await http(t.api, 'GET', `/rooms/${withAdmin.id}/members`, { token: admin.token });
    expect(members.body.items.find((m: any) => m.user.id === owner.id)?.role).toBe('member');
    // Nobody else in the room: it keeps the (anonymised) owner.
    const lonely = await http(t.api, 'GET', `/rooms/${alone.id}`, { token: early.token });
    expect(lonely.body.owner_id).toBe(owner.id);

    const events = [await watcher.next('room_updated'), await watcher.next('room_updated')];
    expect(events.map((e) => e.payload.owner_id).sort()).toEqual([admin.id, early.id].sort());
  });
});
