import { MessagesService } from '../src/messages/messages.service';
import { createRoom, expectError, http, registerUser } from './helpers/http';
import { useTestApp } from './helpers/app';

/**
 * Reactions: one per user and emoji from a bounded allow-list, aggregated with `me` in every message
 * object (history, sync, last_message), a new updated_seq per change, and the `reaction` event with
 * `me` right for each receiver.
 */
describe('reactions (e2e)', () => {
  const { t, ws } = useTestApp();
  const THUMBS = encodeURIComponent('👍');
  const HEART = encodeURIComponent('❤️');

  async function cast() {
    const [alice, bob, carol, outsider] = await Promise.all([0, 1, 2, 3].map(() => registerUser(t.api)));
    const room = await createRoom(t.api, alice, 'private');
    // The two adds are system lines (seqs 1 and 2): the message is seq 3, its first reaction takes 4.
    await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: alice.token, body: { user_ids: [bob.id, carol.id] } });
    const message = (await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'react to me' } })).body;
    return { alice, bob, carol, outsider, room, message };
  }

  it('adds one reaction per user and emoji, aggregates counts with me, and removes them', async () => {
    const { alice, bob, carol, room, message } = await cast();
    const put = await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: bob.token });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: message.id, updated_seq: 4, reactions: [{ emoji: '👍', count: 1, me: true }] });
    // Repeating changes nothing (no new updated_seq).
    const again = await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: bob.token });
    expect(again.body).toMatchObject({ updated_seq: 4, reactions: [{ emoji: '👍', count: 1, me: true }] });
    await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: carol.token });
    // "❤" without the variation selector is the same reaction as "❤️".
    await http(t.api, 'PUT', `/messages/${message.id}/reactions/${encodeURIComponent('❤')}`, { token: carol.token });

    const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: alice.token });
    expect(history.body.items.map((m: any) => m.id)).toEqual([expect.any(String), expect.any(String), message.id]);
    expect(history.body.items[2].reactions).toEqual([
      { emoji: '👍', count: 2, me: false },
      { emoji: '❤️', count: 1, me: false },
    ]);
    const asCarol = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: carol.token });
    expect(asCarol.body.items[2].reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '❤️', count: 1, me: true },
    ]);
    const mine = await http(t.api, 'GET', '/rooms/me', { token: bob.token });
    expect(mine.body.items.find((r: any) => r.id === room.id).last_message.reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '❤️', count: 1, me: false },
    ]);
    const sync = await t.app.get(MessagesService).changesSince(carol.id, room.id, 2, 10);
    expect(sync.messages.map((m) => m.id)).toEqual([message.id]);
    expect(sync.messages[0].reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '❤️', count: 1, me: true },
    ]);

    const del = await http(t.api, 'DELETE', `/messages/${message.id}/reactions/${HEART}`, { token: carol.token });
    expect(del.status).toBe(200);
    expect(del.body.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    const delAgain = await http(t.api, 'DELETE', `/messages/${message.id}/reactions/${HEART}`, { token: carol.token });
    expect(delAgain.status).toBe(200);
    expect(delAgain.body.updated_seq).toBe(del.body.updated_seq);
  });

  it('refuses emoji outside the allow-list and malformed ids (400), outsiders and deleted messages (404)', async () => {
    const { alice, outsider, message, room } = await cast();
    for (const emoji of ['thumbsup', encodeURIComponent('<script>'), encodeURIComponent('👍👍'), 'a', encodeURIComponent('🦄')]) {
      expectError(await http(t.api, 'PUT', `/messages/${message.id}/reactions/${emoji}`, { token: alice.token }), 400, 'VALIDATION_FAILED');
    }
    expectError(await http(t.api, 'PUT', `/messages/nope/reactions/${THUMBS}`, { token: alice.token }), 400, 'VALIDATION_FAILED');
    expectError(await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: outsider.token }), 404, 'MESSAGE_NOT_FOUND');
    expectError(await http(t.api, 'DELETE', `/messages/${message.id}/reactions/${THUMBS}`, { token: outsider.token }), 404, 'MESSAGE_NOT_FOUND');
    expectError(await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`), 401);
    await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: alice.token });
    await http(t.api, 'DELETE', `/messages/${message.id}`, { token: alice.token });
    expectError(await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: alice.token }), 404, 'MESSAGE_NOT_FOUND');
    const sync = await t.app.get(MessagesService).changesSince(alice.id, room.id, 2, 10);
    expect(sync.messages.map((m) => m.id)).toEqual([message.id]);
    expect(sync.messages[0]).toMatchObject({ reactions: [], content: null });
  });

  it('sends reaction events to members with me set per receiver, and none to outsiders', async () => {
    const { alice, bob, carol, outsider, message } = await cast();
    const [a, b, c, x] = await Promise.all([ws(alice), ws(bob), ws(carol), ws(outsider)]);
    await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: bob.token });
    for (const [client, me] of [
      [a, false],
      [b, true],
      [c, false],
    ] as const) {
      const ev = await client.next('reaction');
      expect(ev.payload).toEqual({
        room_id: message.room_id,
        message_id: message.id,
        user_id: bob.id,
        emoji: '👍',
        action: 'added',
        updated_seq: 4,
        reactions: [{ emoji: '👍', count: 1, me }],
      });
    }
    await http(t.api, 'PUT', `/messages/${message.id}/reactions/${THUMBS}`, { token: carol.token });
    expect((await b.next('reaction')).payload.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect((await c.next('reaction')).payload.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    expect((await a.next('reaction')).payload.reactions).toEqual([{ emoji: '👍', count: 2, me: false }]);

    // An edit of a reacted-to message keeps `me` right for each receiver too.
    await http(t.api, 'PATCH', `/messages/${message.id}`, { token: alice.token, body: { content: 'edited' } });
    expect((await a.next('edit_message')).payload.reactions).toEqual([{ emoji: '👍', count: 2, me: false }]);
    expect((await b.next('edit_message')).payload.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);

    await http(t.api, 'DELETE', `/messages/${message.id}/reactions/${THUMBS}`, { token: bob.token });
    const removed = await b.next('reaction');
    expect(removed.payload).toMatchObject({ action: 'removed', user_id: bob.id, reactions: [{ emoji: '👍', count: 1, me: false }] });
    expect((await c.next('reaction')).payload.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    await x.expectNone('reaction');
    await x.expectNone('edit_message', 50);
  });
});
