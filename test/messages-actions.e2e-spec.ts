import { MessagesService } from '../src/messages/messages.service';
import { createRoom, expectError, http, registerUser, TestUser } from './helpers/http';
import { startTestApp, useTestApp } from './helpers/app';

/**
 * Messages beyond sending: edits (sender only, edit window), deletes with tombstones (sender or
 * room owner/admin), replies, idempotent client_msg_id under races, read pointers that only move
 * forward, unread counts, changes since a seq (sync), and the live events of each.
 */
describe('message edits, deletes, replies, read pointers and sync (e2e)', () => {
  const { t, ws } = useTestApp();
  const send = async (user: TestUser, roomId: string, body: object) => {
    const res = await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: user.token, body });
    if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  /**
   * A public room with owner, admin, the sender of a message, another member, and an outsider. The
   * three adds are system lines (seqs 1..3), so the sender's message is seq 4.
   */
  async function cast() {
    const [owner, admin, sender, other, outsider] = await Promise.all([0, 1, 2, 3, 4].map(() => registerUser(t.api)));
    const room = await createRoom(t.api, owner, 'public');
    await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: [admin.id, sender.id, other.id] } });
    await http(t.api, 'PATCH', `/rooms/${room.id}/members/${admin.id}`, { token: owner.token, body: { role: 'admin' } });
    const message = await send(sender, room.id, { content: 'original' });
    return { owner, admin, sender, other, outsider, room, message };
  }

  it('authorization matrix for edit and delete: outsider, other member, admin, owner, sender', async () => {
    type Actor = 'outsider' | 'other' | 'admin' | 'owner' | 'sender';
    const expected: Record<'edit' | 'delete', Record<Actor, number>> = {
      edit: { outsider: 404, other: 403, admin: 403, owner: 403, sender: 200 },
      delete: { outsider: 404, other: 403, admin: 200, owner: 200, sender: 200 },
    };
    for (const action of ['edit', 'delete'] as const) {
      for (const actor of Object.keys(expected[action]) as Actor[]) {
        const c = await cast();
        const res =
          action === 'edit'
            ? await http(t.api, 'PATCH', `/messages/${c.message.id}`, { token: c[actor].token, body: { content: 'changed' } })
            : await http(t.api, 'DELETE', `/messages/${c.message.id}`, { token: c[actor].token });
        expect({ action, actor, status: res.status }).toEqual({ action, actor, status: expected[action][actor] });
        if (res.status >= 400) expectError(res, expected[action][actor], res.status === 404 ? 'MESSAGE_NOT_FOUND' : 'FORBIDDEN');
      }
    }
  });

  it('edits keep edited_at and take a new updated_seq; deletes leave a tombstone out of history', async () => {
    const { sender, other, owner, outsider, room, message } = await cast();
    const [o, s, x] = await Promise.all([ws(other), ws(sender), ws(outsider)]);
    expect(message).toMatchObject({ seq: 4, updated_seq: 4, edited_at: null, deleted_at: null, type: 'text', attachments: [], reactions: [] });

    for (const body of [{}, { content: '' }, { content: '   ' }, { content: 'x'.repeat(4001) }, { content: 5 }, { content: 'ok', extra: 1 }]) {
      expectError(await http(t.api, 'PATCH', `/messages/${message.id}`, { token: sender.token, body }), 400, 'VALIDATION_FAILED');
    }
    expectError(await http(t.api, 'PATCH', '/messages/not-a-uuid', { token: sender.token, body: { content: 'x' } }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'PATCH', '/messages/00000000-0000-4000-8000-000000000000', { token: sender.token, body: { content: 'x' } }), 404, 'MESSAGE_NOT_FOUND');

    const edited = await http(t.api, 'PATCH', `/messages/${message.id}`, { token: sender.token, body: { content: '  edited  ' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: message.id, seq: 4, updated_seq: 5, content: 'edited', edited_at: expect.any(String) });
    for (const c of [o, s]) expect((await c.next('edit_message')).payload).toMatchObject({ id: message.id, content: 'edited', updated_seq: 5 });

    const second = await send(other, room.id, { content: 'second', reply_to_id: message.id });
    expect(second).toMatchObject({ seq: 6, reply_to: { id: message.id, sender_id: sender.id, content_preview: 'edited' } });

    const del = await http(t.api, 'DELETE', `/messages/${message.id}`, { token: owner.token });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ id: message.id, seq: 4, updated_seq: 7, content: null, attachments: [], reactions: [], deleted_at: expect.any(String) });
    for (const c of [o, s]) expect((await c.next('delete_message')).payload).toMatchObject({ id: message.id, content: null, deleted_at: expect.any(String) });

    // Deleting again returns the same tombstone and announces nothing; editing a tombstone is 404.
    const again = await http(t.api, 'DELETE', `/messages/${message.id}`, { token: sender.token });
    expect(again.status).toBe(200);
    expect(again.body.updated_seq).toBe(7);
    await o.expectNone('delete_message');
    expectError(await http(t.api, 'PATCH', `/messages/${message.id}`, { token: sender.token, body: { content: 'revive' } }), 404, 'MESSAGE_NOT_FOUND');

    const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: other.token });
    expect(history.body.items.map((m: any) => m.system?.event ?? m.id)).toEqual(['member_joined', 'member_joined', 'member_joined', second.id]);
    // The outsider (who can see this public room but has not joined) got none of it.
    for (const type of ['new_message', 'edit_message', 'delete_message']) await x.expectNone(type, 50);
    expect(history.body.items[3].reply_to).toEqual({ id: message.id, sender_id: sender.id, content_preview: null });
  });

  it('validates replies: the target must be a message of the same room', async () => {
    const { sender, room, message } = await cast();
    const elsewhere = await createRoom(t.api, sender, 'public');
    const foreign = await send(sender, elsewhere.id, { content: 'other room' });
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: sender.token, body: { content: 'x', reply_to_id: foreign.id } }), 400, 'VALIDATION_FAILED');
    expectError(
      await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: sender.token, body: { content: 'x', reply_to_id: '00000000-0000-4000-8000-000000000000' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: sender.token, body: { content: 'x', reply_to_id: 'nope' } }), 400, 'VALIDATION_FAILED');
    const ok = await send(sender, room.id, { content: 'reply', reply_to_id: message.id });
    expect(ok.reply_to).toEqual({ id: message.id, sender_id: sender.id, content_preview: 'original' });
  });

  it('stores exactly one message when retries of the same client_msg_id race each other', async () => {
    const { sender, other, room } = await cast();
    const o = await ws(other);
    const body = { content: 'only once', client_msg_id: 'race-1' };
    const results = await Promise.all(Array.from({ length: 8 }, () => http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: sender.token, body })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: sender.token });
    expect(history.body.items.filter((m: any) => m.client_msg_id === 'race-1')).toHaveLength(1);
    await o.next('new_message');
    await o.expectNone('new_message');
    // Another sender may use the same client_msg_id: ids are per sender.
    const theirs = await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: other.token, body });
    expect(theirs.status).toBe(201);
  });

  it('moves the read pointer forward only, counts unread messages after sends, deletes and reads, and tells others', async () => {
    const { sender, other, outsider, room, message } = await cast();
    const [s, o, x] = await Promise.all([ws(sender), ws(other), ws(outsider)]);
    const unread = async (user: TestUser) => (await http(t.api, 'GET', '/rooms/me', { token: user.token })).body.items.find((r: any) => r.id === room.id).unread_count;

    const m2 = await send(sender, room.id, { content: 'two' });
    await send(sender, room.id, { content: 'three' });
    await send(other, room.id, { content: 'mine does not count' });
    expect(await unread(other)).toBe(3);
    expect(await unread(sender)).toBe(1);

    // Up to 'two' (the three adds before the first message are system lines, never unread).
    const read = await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: other.token, body: { seq: 5 } });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ room_id: room.id, last_read_seq: 5, unread_count: 1, mention_count: 0 });
    expect((await s.next('messages_read')).payload).toEqual({ room_id: room.id, user_id: other.id, last_read_seq: 5 });
    await o.expectNone('messages_read');
    await x.expectNone('messages_read', 50);

    // Backwards is a no-op (and announces nothing).
    const back = await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: other.token, body: { seq: 1 } });
    expect(back.body).toEqual({ room_id: room.id, last_read_seq: 5, unread_count: 1, mention_count: 0 });
    await s.expectNone('messages_read');

    // Deleting an unread message lowers the count; deleting a read one does not.
    await http(t.api, 'DELETE', `/messages/${message.id}`, { token: sender.token });
    expect(await unread(other)).toBe(1);
    const m3 = (await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: other.token })).body.items.find((m: any) => m.content === 'three');
    await http(t.api, 'DELETE', `/messages/${m3.id}`, { token: sender.token });
    expect(await unread(other)).toBe(0);
    expect(m2.seq).toBe(5);

    // A seq beyond the room's counter is clamped to it.
    const far = await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: other.token, body: { seq: 1_000_000 } });
    const lastSeq = (await http(t.api, 'GET', `/rooms/${room.id}`, { token: other.token })).body.last_seq;
    expect(far.body).toEqual({ room_id: room.id, last_read_seq: lastSeq, unread_count: 0, mention_count: 0 });

    // (No seq at all reads everything: see seed-shapes.e2e-spec.ts.)
    for (const body of [{ seq: -1 }, { seq: 1.5 }, { seq: '3' }, { seq: 1, extra: true }]) {
      expectError(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: other.token, body }), 400, 'VALIDATION_FAILED');
    }
  });

  it('refuses read receipts from outsiders of a public room (403) and of a private room (404)', async () => {
    const { outsider, room } = await cast();
    expectError(await http(t.api, 'POST', `/rooms/${room.id}/read`, { token: outsider.token, body: { seq: 1 } }), 403, 'NOT_A_MEMBER');
    const priv = await createRoom(t.api, (await cast()).owner, 'private');
    expectError(await http(t.api, 'POST', `/rooms/${priv.id}/read`, { token: outsider.token, body: { seq: 1 } }), 404, 'ROOM_NOT_FOUND');
  });

  it('answers changes since a seq in updated_seq order, tombstones included, members only (sync)', async () => {
    const { sender, other, outsider, room, message } = await cast();
    const service = t.app.get(MessagesService);
    const m2 = await send(other, room.id, { content: 'second' });
    await http(t.api, 'PATCH', `/messages/${message.id}`, { token: sender.token, body: { content: 'first, edited' } });
    await http(t.api, 'DELETE', `/messages/${m2.id}`, { token: other.token });

    // The three adds (system lines, seqs 1..3) come first; the message (seq 4) was edited at 6, m2 (seq 5) deleted at 7.
    const all = await service.changesSince(other.id, room.id, 0, 500);
    expect(all.messages.map((m) => [m.system?.event ?? m.id, m.updated_seq])).toEqual([
      ['member_joined', 1],
      ['member_joined', 2],
      ['member_joined', 3],
      [message.id, 6],
      [m2.id, 7],
    ]);
    expect(all.messages[4]).toMatchObject({ content: null, deleted_at: expect.any(String) });
    expect(all).toMatchObject({ room_id: room.id, has_more: false, last_seq: 7 });

    const paged = await service.changesSince(other.id, room.id, 3, 1);
    expect(paged).toMatchObject({ has_more: true, last_seq: 6 });
    const rest = await service.changesSince(other.id, room.id, paged.last_seq, 1);
    expect(rest.messages.map((m) => m.id)).toEqual([m2.id]);
    expect(rest).toMatchObject({ has_more: false, last_seq: 7 });
    expect(await service.changesSince(other.id, room.id, 7, 10)).toMatchObject({ messages: [], has_more: false, last_seq: 7 });

    await expect(service.changesSince(outsider.id, room.id, 0, 10)).rejects.toMatchObject({ code: 'NOT_A_MEMBER' });
    await expect(service.changesSince(other.id, '00000000-0000-4000-8000-000000000000', 0, 10)).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
  });

  it('enforces MESSAGE_EDIT_WINDOW_SECONDS (422 once it has passed)', async () => {
    const short = await startTestApp({ MESSAGE_EDIT_WINDOW_SECONDS: '1' });
    try {
      const alice = await registerUser(short.api);
      const room = await createRoom(short.api, alice, 'public');
      const msg = (await http(short.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'quick' } })).body;
      expect((await http(short.api, 'PATCH', `/messages/${msg.id}`, { token: alice.token, body: { content: 'quick fix' } })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1300));
      expectError(await http(short.api, 'PATCH', `/messages/${msg.id}`, { token: alice.token, body: { content: 'too late' } }), 422, 'EDIT_WINDOW_PASSED');
      // Deleting is not limited by the edit window.
      expect((await http(short.api, 'DELETE', `/messages/${msg.id}`, { token: alice.token })).status).toBe(200);
    } finally {
      await short.close();
    }
  });
});
