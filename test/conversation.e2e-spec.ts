import { createRoom, http, registerUser } from './helpers/http';
import { useTestApp } from './helpers/app';
import { connectAuthed, WsTestClient } from './helpers/ws-client';

/**
 * The first slice end to end: two people register, one creates a room, the other joins, one
 * connects by header and one by first-message auth, they chat live, and history returns it all.
 */
describe('a conversation between two users (e2e)', () => {
  const { t, sockets } = useTestApp();

  it('registers, meets in a room, chats live over WebSocket and keeps the history in order', async () => {
    const alice = await registerUser(t.api);
    const bob = await registerUser(t.api);
    const room = await createRoom(t.api, alice, 'public');

    const joined = await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: room.id, member_count: 2, my_role: 'member' });

    // Alice by Authorization header.
    const a = await connectAuthed(t.wsUrl, alice.token);
    sockets.push(a);
    // Bob by first-message auth.
    const b = new WsTestClient(t.wsUrl);
    sockets.push(b);
    expect((await b.next('auth_required')).type).toBe('auth_required');
    b.send({ type: 'auth', payload: { token: bob.token } });
    const ok = await b.next('auth_ok');
    expect(ok.payload.user).toMatchObject({ id: bob.id, username: bob.username });

    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const from = i % 2 === 0 ? a : b;
      const content = `message ${i} from ${i % 2 === 0 ? 'alice' : 'bob'}`;
      sent.push(content);
      const ack = await from.request('send_message', { room_id: room.id, content, client_msg_id: `c-${i}` });
      expect(ack.type).toBe('ack');
      // Seq 1 is Bob's join (a system line).
      expect(ack.payload).toMatchObject({ room_id: room.id, seq: i + 2, content });
    }

    // Each side sees every message (its own too: multi-device), in seq order.
    for (const client of [a, b]) {
      const seen: number[] = [];
      const contents: string[] = [];
      for (let i = 0; i < 5; i++) {
        const f = await client.next('new_message');
        seen.push(f.payload.seq);
        contents.push(f.payload.content);
      }
      expect(seen).toEqual([2, 3, 4, 5, 6]);
      expect(contents).toEqual(sent);
    }

    // History: latest page, then the page before it.
    const latest = await http(t.api, 'GET', `/rooms/${room.id}/messages?limit=3`, { token: bob.token });
    expect(latest.status).toBe(200);
    expect(latest.body.items.map((m: any) => m.seq)).toEqual([4, 5, 6]);
    expect(latest.body.has_more).toBe(true);
    const older = await http(t.api, 'GET', `/rooms/${room.id}/messages?limit=3&before=4`, { token: bob.token });
    expect(older.body.items.map((m: any) => m.system?.event ?? m.content)).toEqual(['member_joined', ...sent.slice(0, 2)]);
    expect(older.body.has_more).toBe(false);
    const after = await http(t.api, 'GET', `/rooms/${room.id}/messages?after=5`, { token: alice.token });
    expect(after.body.items.map((m: any) => m.seq)).toEqual([6]);
    const page2 = await http(t.api, 'GET', `/rooms/${room.id}/messages?limit=2&page=2`, { token: alice.token });
    expect(page2.body.items.map((m: any) => m.seq)).toEqual([3, 4]);

    // rooms/me shows the room with the last message and Bob's unread count (Alice's 3 messages; his join line is not unread).
    const mine = await http(t.api, 'GET', '/rooms/me', { token: bob.token });
    const entry = mine.body.items.find((r: any) => r.id === room.id);
    expect(entry).toMatchObject({ last_seq: 6, unread_count: 3, my_role: 'member' });
    expect(entry.last_message).toMatchObject({ seq: 6, content: sent[4] });
  });

  it('sends over REST with the same effects as WebSocket, and a retried client_msg_id stores nothing new', async () => {
    const alice = await registerUser(t.api);
    const bob = await registerUser(t.api);
    const room = await createRoom(t.api, alice);
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    const b = await connectAuthed(t.wsUrl, bob.token);
    sockets.push(b);

    const first = await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: '  hello  ', client_msg_id: 'once' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ seq: 2, content: 'hello', sender: { id: alice.id, username: alice.username } });
    const live = await b.next('new_message');
    expect(live.payload.id).toBe(first.body.id);

    const retry = await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'hello', client_msg_id: 'once' } });
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    await b.expectNone('new_message');

    const history = await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: alice.token });
    expect(history.body.items.map((m: any) => m.system?.event ?? m.content)).toEqual(['member_joined', 'hello']);
  });

  it('joining a room over REST subscribes live connections at once; leaving unsubscribes them', async () => {
    const alice = await registerUser(t.api);
    const bob = await registerUser(t.api);
    const room = await createRoom(t.api, alice);
    const b = await connectAuthed(t.wsUrl, bob.token);
    sockets.push(b);

    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    expect((await b.next('new_message')).payload.system).toEqual({ event: 'member_joined', user_id: bob.id });
    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'welcome' } });
    expect((await b.next('new_message')).payload.content).toBe('welcome');

    const left = await b.request('leave_room', { room_id: room.id });
    expect(left.type).toBe('ack');
    // The leaver's connection sees its own leave line, and nothing after it.
    expect((await b.next('new_message')).payload.system).toEqual({ event: 'member_left', user_id: bob.id });
    await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'gone?' } });
    await b.expectNone('new_message');
  });
});
