import { createRoom, http, registerUser, TestUser } from './helpers/http';
import { startTestApp, TestApp } from './helpers/app';
import { connectAuthed, WsTestClient } from './helpers/ws-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gateway's enhancers, presence, typing, limits and multi-device behaviour (issue 5). */
describe('WebSocket gateway (e2e)', () => {
  let t: TestApp;
  const open: WsTestClient[] = [];
  const track = (c: WsTestClient) => (open.push(c), c);

  beforeAll(async () => {
    t = await startTestApp({ PRESENCE_GRACE_MS: '400', WS_MAX_CONNECTIONS_PER_USER: '3' });
  });
  afterAll(async () => {
    open.forEach((c) => c.close());
    await t.close();
  });

  async function pair(): Promise<{ alice: TestUser; bob: TestUser; roomId: string }> {
    const alice = await registerUser(t.api);
    const bob = await registerUser(t.api);
    const room = await createRoom(t.api, alice);
    // Bob's join is the room's first message (a system line, seq 1).
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
    return { alice, bob, roomId: room.id };
  }

  describe('enhancers applied to the gateway', () => {
    it('guard: any frame before auth closes the connection with 4401', async () => {
      const c = track(new WsTestClient(t.wsUrl));
      await c.next('auth_required');
      c.send({ type: 'ping' });
      expect((await c.closed).code).toBe(4401);
    });

    it('guard: a bad token by header or by first message closes with 4401, and so does the timeout', async () => {
      const byHeader = track(new WsTestClient(t.wsUrl, { token: 'garbage' }));
      expect((await byHeader.closed).code).toBe(4401);
      const byMessage = track(new WsTestClient(t.wsUrl));
      await byMessage.next('auth_required');
      byMessage.send({ type: 'auth', payload: { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } });
      expect((await byMessage.closed).code).toBe(4401);

      const short = await startTestApp({ WS_AUTH_TIMEOUT_MS: '300' });
      try {
        const slow = new WsTestClient(short.wsUrl);
        await slow.next('auth_required');
        expect((await slow.closed).code).toBe(4401);
      } finally {
        await short.close();
      }
    });

    it('refuses a token in the URL with 4401 and a foreign Origin with 4403', async () => {
      const { alice } = await pair();
      const inUrl = track(new WsTestClient(`${t.wsUrl}?token=${alice.token}`));
      expect((await inUrl.closed).code).toBe(4401);
      const foreign = track(new WsTestClient(t.wsUrl, { token: alice.token, headers: { origin: 'https://evil.example' } }));
      expect((await foreign.closed).code).toBe(4403);
      const allowed = track(new WsTestClient(t.wsUrl, { token: alice.token, headers: { origin: 'http://localhost:3000' } }));
      await allowed.next('auth_ok');
    });

    it('pipe + filter: an invalid payload gets a VALIDATION_FAILED error frame echoing the id; the connection stays open', async () => {
      const { alice, roomId } = await pair();
      const a = track(await connectAuthed(t.wsUrl, alice.token));
      const bad = await a.request('send_message', { room_id: 'not-a-uuid', content: 'x' });
      expect(bad).toMatchObject({ type: 'error', payload: { code: 'VALIDATION_FAILED' } });
      expect(bad.payload.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'room_id' })]));
      const extra = await a.request('send_message', { room_id: roomId, content: 'x', sneaky: true });
      expect(extra.payload.code).toBe('VALIDATION_FAILED');
      a.send('{not json');
      expect((await a.next('error')).payload.code).toBe('INVALID_JSON');
      const unknown = await a.request('teleport', {});
      expect(unknown.payload.code).toBe('UNKNOWN_TYPE');
      const empty = await a.request('send_message', { room_id: roomId, content: '   ' });
      expect(empty.payload.code).toBe('VALIDATION_FAILED');
      // Still usable: the interceptor acks with the stored message.
      const ok = await a.request('send_message', { room_id: roomId, content: 'still here' });
      expect(ok).toMatchObject({ type: 'ack', payload: { content: 'still here', seq: 2 } });
    });

    it('membership guard: typing in a room the user is not in is NOT_A_MEMBER; sending there is 403 too', async () => {
      const { roomId } = await pair();
      const outsider = await registerUser(t.api);
      const o = track(await connectAuthed(t.wsUrl, outsider.token));
      expect((await o.request('typing', { room_id: roomId })).payload.code).toBe('NOT_A_MEMBER');
      expect((await o.request('send_message', { room_id: roomId, content: 'hi' })).payload.code).toBe('NOT_A_MEMBER');
    });

    it('rate-limit guard: past the per-user bucket frames get RATE_LIMITED with retry_after_ms; sustained abuse closes 4429', async () => {
      const limited = await startTestApp({ WS_MESSAGES_PER_SECOND: '2', WS_MESSAGES_BURST: '3' });
      try {
        const user = await registerUser(limited.api);
        // Two connections share one bucket.
        const c1 = await connectAuthed(limited.wsUrl, user.token);
        const c2 = await connectAuthed(limited.wsUrl, user.token);
        const answers = [];
        for (let i = 0; i < 2; i++) answers.push(await c1.request('ping'));
        answers.push(await c2.request('ping'));
        const refused = await c2.request('ping');
        expect(refused.type).toBe('error');
        expect(refused.payload).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: expect.any(Number) });
        expect(refused.payload.retry_after_ms).toBeGreaterThan(0);
        // Abuse is sustained excess (issue 12): a burst is only refused; seconds of it close 4429.
        const flood = setInterval(() => c1.socket.readyState === 1 && c1.send({ type: 'ping' }), 50);
        try {
          expect((await c1.closed).code).toBe(4429);
        } finally {
          clearInterval(flood);
        }
      } finally {
        await limited.close();
      }
    });
  });

  it('closes a frame over 64 KiB with 1009', async () => {
    const { alice } = await pair();
    const a = track(await connectAuthed(t.wsUrl, alice.token));
    a.send({ type: 'ping', payload: { pad: 'x'.repeat(70 * 1024) } });
    expect((await a.closed).code).toBe(1009);
  });

  it('multi-device: every connection gets everything, the sender\'s other devices included; beyond the cap the oldest is closed', async () => {
    const { alice, bob, roomId } = await pair();
    const a1 = track(await connectAuthed(t.wsUrl, alice.token));
    const a2 = track(await connectAuthed(t.wsUrl, alice.token));
    const b1 = track(await connectAuthed(t.wsUrl, bob.token));
    const ack = await a1.request('send_message', { room_id: roomId, content: 'from device 1' });
    for (const c of [a1, a2, b1]) expect((await c.next('new_message')).payload.id).toBe(ack.payload.id);

    const a3 = track(await connectAuthed(t.wsUrl, alice.token));
    const a4 = track(await connectAuthed(t.wsUrl, alice.token));
    expect((await a1.closed).code).toBe(4000);
    await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: bob.token, body: { content: 'to all devices' } });
    for (const c of [a2, a3, a4]) expect((await c.next('new_message')).payload.content).toBe('to all devices');
  });

  it('presence: online on the first connection, offline after the last one closes plus the grace period, nothing on a quick reconnect', async () => {
    const { alice, bob } = await pair();
    const b = track(await connectAuthed(t.wsUrl, bob.token));
    const a1 = track(await connectAuthed(t.wsUrl, alice.token));
    expect((await b.next('user_online')).payload).toEqual({ user_id: alice.id });
    expect((await http(t.api, 'GET', `/users/${alice.id}`, { token: bob.token })).body.online).toBe(true);

    const a2 = track(await connectAuthed(t.wsUrl, alice.token));
    await b.expectNone('user_online', 200);
    a1.close();
    await b.expectNone('user_offline', 700);

    // Last device goes, comes back within the grace period: neither event.
    a2.close();
    await sleep(100);
    const a3 = track(await connectAuthed(t.wsUrl, alice.token));
    await b.expectNone((f) => f.type === 'user_offline' || f.type === 'user_online', 700);

    a3.close();
    const offline = await b.next('user_offline', 3000);
    expect(offline.payload).toMatchObject({ user_id: alice.id, last_seen_at: expect.any(String) });
    const profile = await http(t.api, 'GET', `/users/${alice.id}`, { token: bob.token });
    expect(profile.body).toMatchObject({ online: false, last_seen_at: expect.any(String) });
  });

  it('presence events reach only users who share a room', async () => {
    const { alice } = await pair();
    const stranger = await registerUser(t.api);
    const s = track(await connectAuthed(t.wsUrl, stranger.token));
    track(await connectAuthed(t.wsUrl, alice.token));
    await s.expectNone('user_online', 500);
  });

  it('typing: relayed to the other members only, at most once a second, cleared by sending and expiring after 6 s', async () => {
    const { alice, bob, roomId } = await pair();
    const outsider = await registerUser(t.api);
    const a = track(await connectAuthed(t.wsUrl, alice.token));
    const b = track(await connectAuthed(t.wsUrl, bob.token));
    const o = track(await connectAuthed(t.wsUrl, outsider.token));

    a.send({ type: 'typing', payload: { room_id: roomId } });
    a.send({ type: 'typing', payload: { room_id: roomId } });
    a.send({ type: 'typing', payload: { room_id: roomId } });
    expect((await b.next('typing')).payload).toEqual({ room_id: roomId, user_id: alice.id });
    await b.expectNone('typing', 400);
    await a.expectNone('typing', 10);
    await o.expectNone('typing', 10);

    // Sending a message ends the typing state.
    await a.request('send_message', { room_id: roomId, content: 'done typing' });
    expect((await b.next('stop_typing')).payload).toEqual({ room_id: roomId, user_id: alice.id });

    // Without a refresh the state expires after 6 s and the server sends stop_typing itself.
    const started = Date.now();
    b.send({ type: 'typing', payload: { room_id: roomId } });
    await a.next('typing');
    const expired = await a.next('stop_typing', 8000);
    expect(expired.payload.user_id).toBe(bob.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5500);
  }, 20000);

  it('typing ends when the typist disconnects', async () => {
    const { alice, bob, roomId } = await pair();
    const a = track(await connectAuthed(t.wsUrl, alice.token));
    const b = track(await connectAuthed(t.wsUrl, bob.token));
    a.send({ type: 'typing', payload: { room_id: roomId } });
    await b.next('typing');
    a.close();
    expect((await b.next('stop_typing')).payload.user_id).toBe(alice.id);
  });

  it('logout closes the sockets opened with that token with 4401', async () => {
    const { alice } = await pair();
    const a = track(await connectAuthed(t.wsUrl, alice.token));
    await http(t.api, 'POST', '/auth/logout', { token: alice.token });
    expect((await a.closed).code).toBe(4401);
  });

  it('sync returns, in order, every change after the last seen seq: new messages, edits and deletes as tombstones', async () => {
    const { alice, bob, roomId } = await pair();
    const b1 = track(await connectAuthed(t.wsUrl, bob.token));
    const m1 = await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content: 'one' } });
    expect((await b1.next('new_message')).payload.seq).toBe(2);
    b1.close();
    await b1.closed;

    const m2 = await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content: 'two' } });
    await http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content: 'three' } });
    expect((await http(t.api, 'PATCH', `/messages/${m1.body.id}`, { token: alice.token, body: { content: 'one, edited' } })).status).toBe(200);
    expect((await http(t.api, 'DELETE', `/messages/${m2.body.id}`, { token: alice.token })).status).toBe(200);

    const b2 = track(await connectAuthed(t.wsUrl, bob.token));
    b2.send({ type: 'sync', id: 's1', payload: { rooms: { [roomId]: 2 } } });
    const result = await b2.next('sync_result');
    expect(result.id).toBe('s1');
    const room = result.payload.rooms[0];
    expect(room).toMatchObject({ room_id: roomId, has_more: false, last_seq: 6 });
    expect(room.messages.map((m: any) => [m.seq, m.updated_seq, m.content, m.deleted_at !== null])).toEqual([
      [4, 4, 'three', false],
      [2, 5, 'one, edited', false],
      [3, 6, null, true],
    ]);
    // Nothing new: an empty answer that keeps the cursor.
    const again = await b2.request('sync', { rooms: { [roomId]: 6 } });
    expect(again.payload.rooms[0]).toMatchObject({ messages: [], has_more: false, last_seq: 6 });
  });

  it('sync pages at 500 per room with has_more, refuses bad payloads and reports rooms the caller cannot read', async () => {
    const { alice, bob, roomId } = await pair();
    for (let i = 0; i < 510; i += 30) {
      await Promise.all(
        Array.from({ length: Math.min(30, 510 - i) }, (_, j) => http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: alice.token, body: { content: `m${i + j}` } })),
      );
    }
    const b = track(await connectAuthed(t.wsUrl, bob.token));
    const first = (await b.request('sync', { rooms: { [roomId]: 0 } })).payload.rooms[0];
    expect(first.messages).toHaveLength(500);
    expect(first.has_more).toBe(true);
    expect(first.last_seq).toBe(500);
    const rest = (await b.request('sync', { rooms: { [roomId]: first.last_seq } })).payload.rooms[0];
    // 510 messages after bob's join line (seq 1).
    expect(rest.messages.map((m: any) => m.seq)).toEqual([501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511]);
    expect(rest.has_more).toBe(false);

    expect((await b.request('sync', { rooms: [] })).payload.code).toBe('VALIDATION_FAILED');
    expect((await b.request('sync', { rooms: { 'not-a-uuid': 1 } })).payload.code).toBe('VALIDATION_FAILED');
    expect((await b.request('sync', { rooms: { [roomId]: -1 } })).payload.code).toBe('VALIDATION_FAILED');
    const stranger = await createRoom(t.api, await registerUser(t.api), 'private');
    const mixed = (await b.request('sync', { rooms: { [stranger.id]: 0, [roomId]: 511 } })).payload.rooms;
    expect(mixed[0]).toEqual({ room_id: stranger.id, error: expect.objectContaining({ code: 'ROOM_NOT_FOUND' }) });
    expect(mixed[1]).toMatchObject({ room_id: roomId, messages: [] });
  }, 60_000);

  it('edit_message, delete_message and mark_read over WebSocket reach the other members', async () => {
    const { alice, bob, roomId } = await pair();
    const a = track(await connectAuthed(t.wsUrl, alice.token));
    const b = track(await connectAuthed(t.wsUrl, bob.token));
    const sent = await a.request('send_message', { room_id: roomId, content: 'typo' });
    await b.next('new_message');
    const edited = await a.request('edit_message', { message_id: sent.payload.id, content: 'fixed' });
    expect(edited).toMatchObject({ type: 'ack', payload: { content: 'fixed', edited_at: expect.any(String) } });
    expect((await b.next('edit_message')).payload).toMatchObject({ id: sent.payload.id, content: 'fixed' });
    const notMine = await b.request('edit_message', { message_id: sent.payload.id, content: 'hijack' });
    expect(notMine.payload.code).toBe('FORBIDDEN');
    const read = await b.request('mark_read', { room_id: roomId, seq: 2 });
    expect(read.payload).toMatchObject({ room_id: roomId, last_read_seq: 2, unread_count: 0 });
    expect((await a.next('messages_read')).payload).toMatchObject({ room_id: roomId, user_id: bob.id, last_read_seq: 2 });
    const deleted = await a.request('delete_message', { message_id: sent.payload.id });
    expect(deleted.payload).toMatchObject({ id: sent.payload.id, content: null, deleted_at: expect.any(String) });
    expect((await b.next('delete_message')).payload.id).toBe(sent.payload.id);
    expect((await b.request('mark_read', { room_id: roomId, seq: 'x' })).payload.code).toBe('VALIDATION_FAILED');
  });

  it('a client that stops reading is closed with 4008 while another member keeps getting every message', async () => {
    const slowApp = await startTestApp({ WS_MAX_BUFFERED_BYTES: '65536' });
    try {
      const alice = await registerUser(slowApp.api);
      const bob = await registerUser(slowApp.api);
      const carol = await registerUser(slowApp.api);
      const room = await createRoom(slowApp.api, alice);
      await http(slowApp.api, 'POST', `/rooms/${room.id}/join`, { token: bob.token });
      await http(slowApp.api, 'POST', `/rooms/${room.id}/join`, { token: carol.token });
      const slow = await connectAuthed(slowApp.wsUrl, bob.token);
      const healthy = await connectAuthed(slowApp.wsUrl, carol.token);
      const sender = await connectAuthed(slowApp.wsUrl, alice.token);
      // Stop reading: the kernel buffers fill, then the server-side buffer grows past the limit.
      (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();

      const big = 'y'.repeat(3900);
      const total = 1500;
      let received = 0;
      healthy.socket.on('message', (d) => {
        if (d.toString().includes('"new_message"')) received++;
      });
      for (let i = 0; i < total; i += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => sender.request('send_message', { room_id: room.id, content: `${i + j} ${big}` }, 20000)));
      }
      const deadline = Date.now() + 10000;
      while (received < total && Date.now() < deadline) await sleep(50);
      expect(received).toBe(total);
      (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
      expect((await slow.closed).code).toBe(4008);
    } finally {
      await slowApp.close();
    }
  }, 90000);
});
