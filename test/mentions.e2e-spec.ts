import { createRoom, expectError, http, registerUser, sendText, TestUser } from './helpers/http';
import { useTestApp } from './helpers/app';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1e5a0a20000000049454e44ae426082',
  'hex',
);

/**
 * Mentions: `@username` in content resolves to `mentions: [user_id]` for members of the room only,
 * on every send path (group commit over REST and WS, the single-send path with attachments) and on
 * edits; `mention_count` in rooms/me, GET /rooms/:id and the read answer counts other people's live
 * messages after the caller's read pointer that mention the caller.
 */
describe('mentions (e2e)', () => {
  const { t, ws } = useTestApp();

  /** A public room owned by alice with bob and carol as members; dave exists but is not a member. */
  async function setup(): Promise<{ alice: TestUser; bob: TestUser; carol: TestUser; dave: TestUser; roomId: string }> {
    const [alice, bob, carol, dave] = await Promise.all([registerUser(t.api), registerUser(t.api), registerUser(t.api), registerUser(t.api)]);
    const room = await createRoom(t.api, alice);
    for (const u of [bob, carol]) expect((await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: u.token })).status).toBe(200);
    return { alice, bob, carol, dave, roomId: room.id };
  }


  const myRoom = async (user: TestUser, roomId: string): Promise<any> => {
    const res = await http(t.api, 'GET', '/rooms/me?limit=100', { token: user.token });
    expect(res.status).toBe(200);
    return res.body.items.find((r: any) => r.id === roomId);
  };

  it('a name inside code is not a mention, on send (group commit and WS) and on edit; mention_count does not move', async () => {
    const { alice, bob, carol, roomId } = await setup();
    const code = await sendText(t.api, alice, roomId, `run \`notify @${bob.username}\`\n\n\`\`\`\n@${carol.username}\n\`\`\`\nthen @${carol.username}`);
    expect(code.mentions).toEqual([carol.id]);
    const aliceWs = await ws(alice);
    // (Content is trimmed, so the indented block follows a paragraph.)
    const viaWs = await aliceWs.request('send_message', { room_id: roomId, content: `see:\n\n    @${bob.username} is indented code` });
    expect(viaWs.payload.mentions).toEqual([]);
    // An edit that moves the name into a code span drops the mention (and its count).
    const plain = await sendText(t.api, alice, roomId, `hey @${bob.username}`);
    expect(plain.mentions).toEqual([bob.id]);
    expect((await myRoom(bob, roomId)).mention_count).toBe(1);
    const edited = await http(t.api, 'PATCH', `/messages/${plain.id}`, { token: alice.token, body: { content: `hey \`@${bob.username}\`` } });
    expect(edited.body.mentions).toEqual([]);
    expect((await myRoom(bob, roomId)).mention_count).toBe(0);
    expect((await myRoom(carol, roomId)).mention_count).toBe(1);
  });

  it('resolves members only, case-insensitively, once each, in order; non-members, unknown names and emails are not resolved', async () => {
    const { alice, bob, carol, dave, roomId } = await setup();
    const m = await sendText(t.api, 
      alice,
      roomId,
      `hi @${bob.username.toUpperCase()} and @${dave.username}, @nobody_here, mail ${carol.username}@example.com, (@${carol.username}) @${bob.username}`,
    );
    expect(m.mentions).toEqual([bob.id, carol.id]);
    // A name followed by sentence punctuation still resolves.
    expect((await sendText(t.api, alice, roomId, `thanks @${bob.username}.`)).mentions).toEqual([bob.id]);
    expect((await sendText(t.api, alice, roomId, 'no mentions here')).mentions).toEqual([]);
    // History, the single-message views and search show it too.
    const history = await http(t.api, 'GET', `/rooms/${roomId}/messages`, { token: bob.token });
    expect(history.body.items.find((x: any) => x.id === m.id).mentions).toEqual([bob.id, carol.id]);
    const search = await http(t.api, 'GET', `/messages/search?q=nobody_here&room_id=${roomId}`, { token: bob.token });
    expect(search.status).toBe(200);
    expect(search.body.items.map((x: any) => x.mentions)).toEqual([[bob.id, carol.id]]);
    // dave is not counted anywhere; bob and carol are.
    expect((await myRoom(bob, roomId)).mention_count).toBe(2);
    expect((await myRoom(carol, roomId)).mention_count).toBe(1);
    expect((await http(t.api, 'GET', `/rooms/${roomId}`, { token: dave.token })).body.mention_count).toBeUndefined();
  });

  it('a client cannot set mentions itself (400, nothing stored)', async () => {
    const { alice, bob, roomId } = await setup();
    const res = await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content: 'forged', mentions: [bob.id] } });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect((await myRoom(bob, roomId)).mention_count).toBe(0);
    expect((await myRoom(bob, roomId)).unread_count).toBe(0);
  });

  it('the sender\'s own mention is listed but never counts for them', async () => {
    const { alice, roomId } = await setup();
    const m = await sendText(t.api, alice, roomId, `note to self @${alice.username}`);
    expect(m.mentions).toEqual([alice.id]);
    expect((await myRoom(alice, roomId)).mention_count).toBe(0);
  });

  it('the mentioned user sees mentions live in new_message (WS send, group commit) and the ack carries them', async () => {
    const { alice, bob, dave, roomId } = await setup();
    const a = await ws(alice);
    const b = await ws(bob);
    const ack = await a.request('send_message', { room_id: roomId, content: `@${bob.username} look, @${dave.username} cannot` });
    expect(ack.type).toBe('ack');
    expect(ack.payload.mentions).toEqual([bob.id]);
    const live = await b.next((f) => f.type === 'new_message' && f.payload.id === ack.payload.id);
    expect(live.payload.mentions).toEqual([bob.id]);
  });

  it('the single-send path (attachments) resolves mentions too', async () => {
    const { alice, bob, roomId } = await setup();
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'dot.png');
    const up = await fetch(`${t.api}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${alice.token}` } });
    const upload = (await up.json()) as { id: string };
    const res = await http(t.api, 'POST', `/rooms/${roomId}/messages`, {
      token: alice.token,
      body: { content: `picture for @${bob.username}`, attachment_ids: [upload.id] },
    });
    expect(res.status).toBe(201);
    expect(res.body.type).toBe('image');
    expect(res.body.mentions).toEqual([bob.id]);
    expect((await myRoom(bob, roomId)).mention_count).toBe(1);
  });

  it('an edit that adds a mention counts it and broadcasts it; an edit that removes it stops counting', async () => {
    const { alice, bob, carol, roomId } = await setup();
    const b = await ws(bob);
    const m = await sendText(t.api, alice, roomId, 'plain');
    expect((await myRoom(bob, roomId)).mention_count).toBe(0);

    const edited = await http(t.api, 'PATCH', `/messages/${m.id}`, { token: alice.token, body: { content: `plain, cc @${bob.username}` } });
    expect(edited.status).toBe(200);
    expect(edited.body.mentions).toEqual([bob.id]);
    const live = await b.next((f) => f.type === 'edit_message' && f.payload.id === m.id);
    expect(live.payload.mentions).toEqual([bob.id]);
    expect((await myRoom(bob, roomId)).mention_count).toBe(1);

    // Swapped for carol over WS: bob stops counting it, carol starts.
    const a = await ws(alice);
    const ack = await a.request('edit_message', { message_id: m.id, content: `now @${carol.username}` });
    expect(ack.payload.mentions).toEqual([carol.id]);
    expect((await myRoom(bob, roomId)).mention_count).toBe(0);
    expect((await myRoom(carol, roomId)).mention_count).toBe(1);

    // Sync shows the current mentions.
    const sync = await b.request('sync', { rooms: { [roomId]: 0 } });
    expect(sync.payload.rooms[0].messages.find((x: any) => x.id === m.id).mentions).toEqual([carol.id]);
  });

  it('mention_count follows reads: the read answer, rooms/me and GET /rooms/:id agree', async () => {
    const { alice, bob, roomId } = await setup();
    const first = await sendText(t.api, alice, roomId, `@${bob.username} one`);
    await sendText(t.api, alice, roomId, 'filler');
    const third = await sendText(t.api, alice, roomId, `@${bob.username} two`);
    expect((await myRoom(bob, roomId)).mention_count).toBe(2);

    const read = await http(t.api, 'POST', `/rooms/${roomId}/read`, { token: bob.token, body: { seq: first.seq } });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ last_read_seq: first.seq, unread_count: 2, mention_count: 1 });
    expect((await myRoom(bob, roomId)).mention_count).toBe(1);
    expect((await http(t.api, 'GET', `/rooms/${roomId}`, { token: bob.token })).body.mention_count).toBe(1);

    // A mention added by an edit to a message already read does not count.
    await http(t.api, 'PATCH', `/messages/${first.id}`, { token: alice.token, body: { content: `@${bob.username} one again` } });
    expect((await myRoom(bob, roomId)).mention_count).toBe(1);

    const all = await http(t.api, 'POST', `/rooms/${roomId}/read`, { token: bob.token });
    // Everything read: the pointer is the room's counter (the edit above took a seq too).
    expect(all.body).toMatchObject({ unread_count: 0, mention_count: 0 });
    expect(all.body.last_read_seq).toBeGreaterThan(third.seq);
    expect((await myRoom(bob, roomId)).mention_count).toBe(0);
  });

  it('a deleted message stops counting and shows no mentions', async () => {
    const { alice, bob, roomId } = await setup();
    const m = await sendText(t.api, alice, roomId, `@${bob.username} soon gone`);
    expect((await myRoom(bob, roomId)).mention_count).toBe(1);
    const del = await http(t.api, 'DELETE', `/messages/${m.id}`, { token: alice.token });
    expect(del.status).toBe(200);
    expect(del.body.mentions).toEqual([]);
    expect((await myRoom(bob, roomId)).mention_count).toBe(0);
  });

  it('a member who leaves is not resolved any more; after re-joining, only mentions made while a member count', async () => {
    const { alice, bob, roomId } = await setup();
    await sendText(t.api, alice, roomId, `@${bob.username} before`);
    expect((await http(t.api, 'POST', `/rooms/${roomId}/leave`, { token: bob.token })).status).toBe(200);
    expect((await sendText(t.api, alice, roomId, `@${bob.username} while away`)).mentions).toEqual([]);
    expect((await http(t.api, 'POST', `/rooms/${roomId}/join`, { token: bob.token })).status).toBe(200);
    const joined = await myRoom(bob, roomId);
    expect(joined.mention_count).toBe(1);
  });
});
