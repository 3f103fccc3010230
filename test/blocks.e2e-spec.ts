import { useTestApp } from './helpers/app';
import { createRoom, expectError, http, registerUser, sendText, TestUser, unique } from './helpers/http';
import { decryptPush, FakePushService, makeSubscription } from './helpers/push-service';
import { useTwoInstances } from './helpers/instances';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** A 1×1 PNG, for a message with an attachment (the single-message send path). */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e5a0a20000000049454e44ae426082',
  'hex',
);

/**
 * Issue 16, item 3: user blocks. The block list routes and their refusals, DMs refused both ways
 * (opening one, and sending in one that exists), no live `new_message` / `edit_message` / typing from
 * a blocked user to the blocker (other members still get them), `blocked: true` on the blocked
 * user's messages in the blocker's history, sync and search, and unblocking restoring all of it.
 */
describe('user blocks (e2e)', () => {
  const { t, ws } = useTestApp();

  const block = (by: TestUser, target: string) => http(t.api, 'PUT', `/auth/blocks/${target}`, { token: by.token });
  const unblock = (by: TestUser, target: string) => http(t.api, 'DELETE', `/auth/blocks/${target}`, { token: by.token });

  /** A public room of alice with bob and carol as members. */
  async function trio(): Promise<{ alice: TestUser; bob: TestUser; carol: TestUser; roomId: string }> {
    const [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const room = await createRoom(t.api, alice);
    for (const u of [bob, carol]) expect((await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: u.token })).status).toBe(200);
    return { alice, bob, carol, roomId: room.id };
  }

  it('refuses anonymous callers (401) on every block route', async () => {
    const bob = await registerUser(t.api);
    expectError(await http(t.api, 'GET', '/auth/blocks'), 401);
    expectError(await http(t.api, 'PUT', `/auth/blocks/${bob.id}`), 401);
    expectError(await http(t.api, 'DELETE', `/auth/blocks/${bob.id}`), 401);
  });

  it('blocks and unblocks idempotently, lists blocks with the user summary and blocked_at, and refuses bad input without changing anything', async () => {
    const [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api, { display_name: 'Bob B' }), registerUser(t.api)]);
    expect((await http(t.api, 'GET', '/auth/blocks', { token: alice.token })).body).toEqual({ items: [] });

    for (const bad of ['not-a-uuid', '123', `${bob.id}x`]) {
      const body = expectError(await block(alice, bad), 400, 'VALIDATION_FAILED');
      expect(body.details).toEqual([{ field: 'user_id', problem: 'must be a UUID' }]);
      expectError(await unblock(alice, bad), 400, 'VALIDATION_FAILED');
    }
    const self = expectError(await block(alice, alice.id), 400, 'VALIDATION_FAILED');
    expect(self.details).toEqual([{ field: 'user_id', problem: 'must not be yourself' }]);
    expectError(await unblock(alice, alice.id), 400, 'VALIDATION_FAILED');
    expectError(await block(alice, UNKNOWN_ID), 404, 'USER_NOT_FOUND');
    expectError(await unblock(alice, UNKNOWN_ID), 404, 'USER_NOT_FOUND');
    expect((await http(t.api, 'GET', '/auth/blocks', { token: alice.token })).body).toEqual({ items: [] });

    const first = await block(alice, bob.id);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ user_id: bob.id, blocked: true });
    // Upper-case ids name the same user.
    const repeat = await block(alice, bob.id.toUpperCase());
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ user_id: bob.id, blocked: true });
    expect((await block(alice, carol.id)).status).toBe(200);

    const list = await http(t.api, 'GET', '/auth/blocks', { token: alice.token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      { id: carol.id, username: carol.username, display_name: carol.username, avatar_url: null, deactivated: false, blocked_at: expect.any(String) },
      { id: bob.id, username: bob.username, display_name: 'Bob B', avatar_url: null, deactivated: false, blocked_at: expect.any(String) },
    ]);
    expect(new Date(list.body.items[1].blocked_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Blocks are one-way and private: bob's own list is empty.
    expect((await http(t.api, 'GET', '/auth/blocks', { token: bob.token })).body).toEqual({ items: [] });

    const removed = await unblock(alice, bob.id);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ user_id: bob.id, blocked: false });
    expect((await unblock(alice, bob.id)).body).toEqual({ user_id: bob.id, blocked: false });
    expect((await http(t.api, 'GET', '/auth/blocks', { token: alice.token })).body.items.map((u: any) => u.id)).toEqual([carol.id]);
  });

  it('a deleted account cannot be blocked (404); a block made before shows it deactivated and can still be removed', async () => {
    const [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    await block(alice, bob.id);
    for (const u of [bob, carol]) expect((await http(t.api, 'DELETE', '/auth/me', { token: u.token, body: { password: u.password } })).status).toBe(200);
    expectError(await block(alice, carol.id), 404, 'USER_NOT_FOUND');
    const list = await http(t.api, 'GET', '/auth/blocks', { token: alice.token });
    expect(list.body.items).toEqual([expect.objectContaining({ id: bob.id, deactivated: true })]);
    expect((await unblock(alice, bob.id)).body).toEqual({ user_id: bob.id, blocked: false });
    expect((await http(t.api, 'GET', '/auth/blocks', { token: alice.token })).body.items).toEqual([]);
  });

  it('refuses to open a DM in either direction while one side blocked the other (403 BLOCKED), also when it exists; unblocking allows it again', async () => {
    const [alice, bob, carol] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    await block(alice, bob.id);
    expectError(await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } }), 403, 'BLOCKED');
    expectError(await http(t.api, 'POST', '/dm', { token: bob.token, body: { recipient_id: alice.id } }), 403, 'BLOCKED');
    expect((await http(t.api, 'GET', '/dm', { token: bob.token })).body.items).toEqual([]);
    // Others are not affected.
    expect((await http(t.api, 'POST', '/dm', { token: carol.token, body: { recipient_id: bob.id } })).status).toBe(201);

    await unblock(alice, bob.id);
    const opened = await http(t.api, 'POST', '/dm', { token: bob.token, body: { recipient_id: alice.id } });
    expect(opened.status).toBe(201);
    await sendText(t.api, bob, opened.body.id, 'hello before the block');

    // An existing DM: opening it is refused again, but it stays readable for both.
    await block(bob, alice.id);
    expectError(await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } }), 403, 'BLOCKED');
    expectError(await http(t.api, 'POST', '/dm', { token: bob.token, body: { recipient_id: alice.id } }), 403, 'BLOCKED');
    for (const u of [alice, bob]) {
      const history = await http(t.api, 'GET', `/rooms/${opened.body.id}/messages`, { token: u.token });
      expect(history.status).toBe(200);
      expect(history.body.items.map((m: any) => m.content)).toEqual(['hello before the block']);
    }
  });

  it('does not deliver a blocked user\'s new messages, edits or typing live to the blocker; other members get them', async () => {
    const { alice, bob, carol, roomId } = await trio();
    const [aliceWs, bobWs, carolWs] = await Promise.all([ws(alice), ws(bob), ws(carol)]);
    expect((await block(bob, alice.id)).status).toBe(200);

    aliceWs.send({ type: 'typing', payload: { room_id: roomId } });
    expect((await carolWs.next('typing')).payload).toEqual({ room_id: roomId, user_id: alice.id });
    const fromAlice = await aliceWs.request('send_message', { room_id: roomId, content: 'bob should not see this live' });
    expect(fromAlice.type).toBe('ack');
    expect((await carolWs.next('new_message')).payload).toMatchObject({ id: fromAlice.payload.id, blocked: false });
    expect((await carolWs.next('stop_typing')).payload.user_id).toBe(alice.id);
    expect((await http(t.api, 'PATCH', `/messages/${fromAlice.payload.id}`, { token: alice.token, body: { content: 'edited' } })).status).toBe(200);
    expect((await carolWs.next('edit_message')).payload).toMatchObject({ id: fromAlice.payload.id, content: 'edited' });

    // Room events are delivered in seq order: the first new_message bob gets is carol's, later one.
    const fromCarol = await sendText(t.api, carol, roomId, 'bob sees this');
    expect((await bobWs.next('new_message')).payload).toMatchObject({ id: fromCarol.id, blocked: false });
    await bobWs.expectNone((f) => ['typing', 'stop_typing', 'edit_message'].includes(f.type) || f.payload?.id === fromAlice.payload.id);
    // Alice herself still gets what she is sent, and bob's messages reach her (blocks are one-way).
    expect((await aliceWs.next((f) => f.type === 'new_message' && f.payload.id === fromCarol.id)).payload.blocked).toBe(false);
    const fromBob = await sendText(t.api, bob, roomId, 'bob talks');
    expect((await aliceWs.next((f) => f.type === 'new_message' && f.payload.id === fromBob.id)).payload.content).toBe('bob talks');

    // A connection opened after the block loads the block list at auth.
    const bobLater = await ws(bob);
    await sendText(t.api, alice, roomId, 'still hidden');
    const last = await sendText(t.api, carol, roomId, 'visible again');
    expect((await bobLater.next('new_message')).payload.id).toBe(last.id);
  });

  it('marks the blocked user\'s messages blocked: true for the blocker in history, sync and search (content kept), and nobody else', async () => {
    const { alice, bob, carol, roomId } = await trio();
    const word = `zebra${Date.now()}`;
    const a1 = await sendText(t.api, alice, roomId, `${word} from alice`);
    const c1 = await sendText(t.api, carol, roomId, `${word} from carol`);
    await block(bob, alice.id);

    const history = await http(t.api, 'GET', `/rooms/${roomId}/messages`, { token: bob.token });
    expect(history.status).toBe(200);
    // The room opens with the system lines of bob's and carol's joins (their own, not alice's).
    expect(history.body.items.map((m: any) => [m.system?.event ?? m.id, m.blocked, m.content])).toEqual([
      ['member_joined', false, null],
      ['member_joined', false, null],
      [a1.id, true, `${word} from alice`],
      [c1.id, false, `${word} from carol`],
    ]);
    const asCarol = await http(t.api, 'GET', `/rooms/${roomId}/messages`, { token: carol.token });
    expect(asCarol.body.items.map((m: any) => m.blocked)).toEqual([false, false, false, false]);
    const single = await http(t.api, 'GET', `/rooms/${roomId}/messages?limit=1`, { token: bob.token });
    expect(single.body.items.every((m: any) => typeof m.blocked === 'boolean')).toBe(true);

    const bobWs = await ws(bob);
    const sync = await bobWs.request('sync', { rooms: { [roomId]: 0 } });
    expect(sync.type).toBe('sync_result');
    expect(sync.payload.rooms[0].messages.map((m: any) => [m.system?.event ?? m.id, m.blocked])).toEqual([
      ['member_joined', false],
      ['member_joined', false],
      [a1.id, true],
      [c1.id, false],
    ]);

    const search = await http(t.api, 'GET', `/messages/search?q=${word}`, { token: bob.token });
    expect(search.status).toBe(200);
    const hits = new Map<string, boolean>(search.body.items.map((h: any) => [(h.message ?? h).id, (h.message ?? h).blocked]));
    expect(hits).toEqual(new Map([[a1.id, true], [c1.id, false]]));

    await unblock(bob, alice.id);
    const after = await http(t.api, 'GET', `/rooms/${roomId}/messages`, { token: bob.token });
    expect(after.body.items.map((m: any) => m.blocked)).toEqual([false, false, false, false]);
  });

  it('never hides system lines: a rename by a blocked owner reaches the blocker live and is not marked', async () => {
    const { alice, bob, roomId } = await trio();
    await block(bob, alice.id);
    const bobWs = await ws(bob);
    expect((await http(t.api, 'PATCH', `/rooms/${roomId}`, { token: alice.token, body: { name: `renamed-${Date.now()}` } })).status).toBe(200);
    const line = await bobWs.next((f) => f.type === 'new_message' && f.payload.system?.event === 'room_renamed');
    expect(line.payload).toMatchObject({ type: 'system', sender: { id: alice.id }, blocked: false });
    const history = await http(t.api, 'GET', `/rooms/${roomId}/messages`, { token: bob.token });
    expect(history.body.items.find((m: any) => m.system?.event === 'room_renamed')).toMatchObject({ id: line.payload.id, blocked: false });
  });

  it('refuses sending in an existing DM while either side blocked the other (REST and WebSocket), until unblocked', async () => {
    const [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
    const dm = (await http(t.api, 'POST', '/dm', { token: alice.token, body: { recipient_id: bob.id } })).body.id;
    await sendText(t.api, alice, dm, 'before');
    await block(alice, bob.id);
    const bobWs = await ws(bob);
    for (const u of [alice, bob]) {
      expectError(await http(t.api, 'POST', `/rooms/${dm}/messages`, { token: u.token, body: { content: 'after' } }), 403, 'BLOCKED');
    }
    const refused = await bobWs.request('send_message', { room_id: dm, content: 'via ws' });
    expect(refused.type).toBe('error');
    expect(refused.payload.code).toBe('BLOCKED');
    // With an attachment (the single-message path rather than group commit).
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'dot.png');
    const uploaded = await fetch(`${t.api}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${bob.token}` } });
    expect(uploaded.status).toBe(201);
    const uploadId = ((await uploaded.json()) as { id: string }).id;
    expectError(await http(t.api, 'POST', `/rooms/${dm}/messages`, { token: bob.token, body: { attachment_ids: [uploadId] } }), 403, 'BLOCKED');
    expect((await http(t.api, 'GET', `/rooms/${dm}/messages`, { token: bob.token })).body.items.map((m: any) => m.content)).toEqual(['before']);

    await unblock(alice, bob.id);
    await sendText(t.api, bob, dm, 'after the unblock');
    expect((await http(t.api, 'GET', `/rooms/${dm}/messages`, { token: alice.token })).body.items.map((m: any) => m.content)).toEqual(['before', 'after the unblock']);
  });

  it('sends no Web Push for a blocked user\'s message; a later message from someone else is pushed', async () => {
    const pushService = await FakePushService.start();
    try {
      const { alice, bob, carol, roomId } = await trio();
      expect((await http(t.api, 'PATCH', `/rooms/${roomId}/notifications`, { token: bob.token, body: { level: 'all' } })).status).toBe(200);
      const path = `/push/${unique('ep')}`;
      const sub = makeSubscription(pushService.origin + path);
      expect((await http(t.api, 'POST', '/push/subscriptions', { token: bob.token, body: { endpoint: sub.endpoint, expirationTime: null, keys: sub.keys } })).status).toBe(201);
      await block(bob, alice.id);

      await sendText(t.api, alice, roomId, 'no push for this');
      // Past the decision for alice's message (decisions run at most every 250 ms), so carol's is
      // decided on its own: without the block filter alice's would be the first push.
      await new Promise((r) => setTimeout(r, 1000));
      const fromCarol = await sendText(t.api, carol, roomId, 'push this');
      const push = await pushService.nth(path, 1);
      expect(JSON.parse(decryptPush(push.body, sub)).message_id).toBe(fromCarol.id);
      expect(pushService.to(path)).toHaveLength(1);
    } finally {
      await pushService.close();
    }
  });

  it('unblocking restores live delivery on connections opened during the block', async () => {
    const { alice, bob, carol, roomId } = await trio();
    await block(bob, alice.id);
    const [aliceWs, bobWs] = await Promise.all([ws(alice), ws(bob)]);
    await sendText(t.api, alice, roomId, 'hidden');
    const marker = await sendText(t.api, carol, roomId, 'marker');
    expect((await bobWs.next('new_message')).payload.id).toBe(marker.id);

    expect((await unblock(bob, alice.id)).body).toEqual({ user_id: alice.id, blocked: false });
    const visible = await sendText(t.api, alice, roomId, 'visible');
    expect((await bobWs.next('new_message')).payload).toMatchObject({ id: visible.id, blocked: false, content: 'visible' });
    aliceWs.send({ type: 'typing', payload: { room_id: roomId } });
    expect((await bobWs.next('typing')).payload.user_id).toBe(alice.id);
  });
});

/**
 * A block made through one instance takes effect on the blocker's connections on another instance
 * (the backplane carries it), and so does the unblock.
 */
describe('user blocks across instances (e2e)', () => {
  const { a, b, ws } = useTwoInstances();

  it('a block made on instance A stops live delivery to the blocker\'s socket on instance B; the unblock restores it', async () => {
    const [alice, bob, carol] = [await registerUser(a.api), await registerUser(a.api), await registerUser(b.api)];
    const room = await createRoom(a.api, alice);
    for (const u of [bob, carol]) expect((await http(b.api, 'POST', `/rooms/${room.id}/join`, { token: u.token })).status).toBe(200);
    const bobOnB = await ws(b, bob);

    // Published through A like the messages after it: Redis hands them to B in that order.
    expect((await http(a.api, 'PUT', `/auth/blocks/${alice.id}`, { token: bob.token })).status).toBe(200);
    await http(a.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'hidden' } });
    const marker = (await http(a.api, 'POST', `/rooms/${room.id}/messages`, { token: carol.token, body: { content: 'marker' } })).body;
    expect((await bobOnB.next('new_message')).payload.id).toBe(marker.id);

    expect((await http(a.api, 'DELETE', `/auth/blocks/${alice.id}`, { token: bob.token })).status).toBe(200);
    const visible = (await http(a.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'visible' } })).body;
    expect((await bobOnB.next('new_message')).payload.id).toBe(visible.id);
  }, 60_000);
});
