import { RoomsService } from '../src/rooms/rooms.service';
import { MessagesService } from '../src/messages/messages.service';
import { ConnectionRegistry } from '../src/realtime/connection-registry';
import { SYNC_MAX_FRAME_BYTES } from '../src/realtime/ws-sync';
import { UsersService } from '../src/users/users.service';
import { startTestApp, TestApp, useTestApp } from './helpers/app';
import { createRoom, http, registerUser, TestUser } from './helpers/http';
import { Frame, WsTestClient } from './helpers/ws-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Issue 12 (WebSocket side) and issue 14 (same-origin, user_updated): the connection lifecycle. */
describe('WebSocket connection lifecycle (e2e)', () => {
  const suite = useTestApp({ PRESENCE_GRACE_MS: '200' });
  const track = (c: WsTestClient) => (suite.sockets.push(c), c);

  /** An unauthenticated connection that has received auth_required. */
  async function anonymous(t: TestApp = suite.t, headers?: Record<string, string>): Promise<WsTestClient> {
    const c = track(new WsTestClient(t.wsUrl, { headers }));
    await c.next('auth_required');
    return c;
  }

  describe('one authentication per socket', () => {
    it('two auth frames back to back (A then M): one auth_ok for A, M refused; A\'s logout then closes it 4401 and A goes offline', async () => {
      const { t } = suite;
      const a = await registerUser(t.api);
      const m = await registerUser(t.api);
      const watcher = await registerUser(t.api);
      const shared = await createRoom(t.api, a);
      await http(t.api, 'POST', `/rooms/${shared.id}/join`, { token: watcher.token });
      const mPrivate = await createRoom(t.api, m, 'private');
      const w = await suite.ws(watcher);

      const c = await anonymous();
      c.send({ type: 'auth', id: 'first', payload: { token: a.token } });
      c.send({ type: 'auth', id: 'second', payload: { token: m.token } });
      const second = await c.next((f) => f.id === 'second');
      expect(second).toMatchObject({ type: 'error', payload: { code: 'BAD_REQUEST' } });
      const ok = await c.next('auth_ok');
      expect(ok.payload.user.id).toBe(a.id);
      expect(await c.next((f) => f.id === 'first')).toMatchObject({ type: 'ack', payload: { user_id: a.id } });
      await c.expectNone('auth_ok');
      expect((await w.next((f) => f.type === 'user_online' && f.payload.user_id === a.id)).payload.user_id).toBe(a.id);

      // The socket is A's alone: M's private room is not routed to it.
      await http(t.api, 'POST', `/rooms/${mPrivate.id}/messages`, { token: m.token, body: { content: 'for M only' } });
      await c.expectNone('new_message');

      expect((await http(t.api, 'POST', '/auth/logout', { token: a.token })).status).toBe(200);
      expect((await c.closed).code).toBe(4401);
      expect((await w.next((f) => f.type === 'user_offline' && f.payload.user_id === a.id)).payload.user_id).toBe(a.id);
      expect((await http(t.api, 'GET', `/users/${a.id}`, { token: watcher.token })).body.online).toBe(false);
    });

    it('an auth frame after auth_ok (or while a header auth runs) is refused and never switches the user', async () => {
      const { t } = suite;
      const a = await registerUser(t.api);
      const m = await registerUser(t.api);
      const mPrivate = await createRoom(t.api, m, 'private');
      const aRoom = await createRoom(t.api, a, 'private');

      const byHeader = track(new WsTestClient(t.wsUrl, { token: a.token }));
      await byHeader.opened;
      byHeader.send({ type: 'auth', id: 'during', payload: { token: m.token } });
      expect((await byHeader.next('auth_ok')).payload.user.id).toBe(a.id);
      expect(await byHeader.next((f) => f.id === 'during')).toMatchObject({ type: 'error', payload: { code: 'BAD_REQUEST' } });

      const after = await byHeader.request('auth', { token: m.token });
      expect(after).toMatchObject({ type: 'error', payload: { code: 'BAD_REQUEST' } });
      expect((await byHeader.request('send_message', { room_id: mPrivate.id, content: 'as M?' })).type).toBe('error');
      const mine = await byHeader.request('send_message', { room_id: aRoom.id, content: 'still A' });
      expect(mine).toMatchObject({ type: 'ack', payload: { sender: { id: a.id } } });
    });

    it('an invalid auth frame closes 4401 at once: missing token, extra fields, wrong type, bad token', async () => {
      const { t } = suite;
      const a = await registerUser(t.api);
      for (const frame of [
        { type: 'auth', payload: {} },
        { type: 'auth', payload: { token: a.token, extra: 1 } },
        { type: 'auth', payload: { token: 42 } },
        { type: 'auth', payload: 'token' },
        { type: 'auth', payload: { token: 'not.a.jwt' } },
        { type: 'join_room', payload: { room_id: '00000000-0000-4000-8000-000000000000' } },
      ]) {
        const c = await anonymous();
        c.send(frame);
        expect({ frame, code: (await c.closed).code }).toEqual({ frame, code: 4401 });
        expect(c.frames.filter((f) => f.type === 'error')).toEqual([]);
      }
    });

    it('20,000 pre-auth {"type":"auth","payload":{}} frames: closed 4401 at once, few frames back, no memory growth', async () => {
      const c = await anonymous();
      const before = process.memoryUsage().rss;
      const frame = JSON.stringify({ type: 'auth', payload: {} });
      for (let i = 0; i < 20_000; i++) c.send(frame);
      expect((await c.closed).code).toBe(4401);
      await sleep(200);
      expect(c.frames.length).toBeLessThanOrEqual(1);
      const grownMb = (process.memoryUsage().rss - before) / 1024 / 1024;
      expect(grownMb).toBeLessThan(24);
    });

    it('frames pipelined behind a header auth wait for it; a flood while authenticating closes 4401', async () => {
      const { t } = suite;
      const a = await registerUser(t.api);
      // Authentication held for 300 ms, so the frames below certainly arrive while it runs (the user
      // row is read for every connection; the rooms only for a user's first one on the instance).
      const users = t.app.get(UsersService);
      const original = users.getEntity.bind(users);
      const spy = jest.spyOn(users, 'getEntity').mockImplementation(async (userId: string) => {
        await sleep(300);
        return original(userId);
      });
      try {
        const c = track(new WsTestClient(t.wsUrl, { token: a.token }));
        await c.opened;
        c.send({ type: 'ping', id: 'early' });
        const order: string[] = [];
        c.socket.on('message', (data: Buffer) => order.push(JSON.parse(data.toString()).type));
        expect((await c.next((f) => f.id === 'early')).type).toBe('pong');
        expect(order).toEqual(['auth_ok', 'pong']);

        const flood = track(new WsTestClient(t.wsUrl, { token: a.token }));
        await flood.opened;
        for (let i = 0; i < 200; i++) flood.send({ type: 'ping', id: `p${i}` });
        expect((await flood.closed).code).toBe(4401);
        expect(flood.frames.filter((f) => f.type === 'pong')).toEqual([]);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('rate limiting answers before it closes (WS_MESSAGES_PER_SECOND=1, WS_MESSAGES_BURST=3)', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp({ WS_MESSAGES_PER_SECOND: '1', WS_MESSAGES_BURST: '3' });
    });
    afterAll(() => limited.close());

    async function connect(user: TestUser): Promise<WsTestClient> {
      const c = track(new WsTestClient(limited.wsUrl, { token: user.token }));
      await c.next('auth_ok');
      return c;
    }

    it('8 frames at once: 3 acks and 5 RATE_LIMITED with retry_after_ms, and the socket stays open', async () => {
      const user = await registerUser(limited.api);
      const room = await createRoom(limited.api, user);
      const c = await connect(user);
      for (let i = 0; i < 8; i++) c.send({ type: 'send_message', id: `m${i}`, payload: { room_id: room.id, content: `burst ${i}` } });
      const answers: Frame[] = [];
      for (let i = 0; i < 8; i++) answers.push(await c.next((f) => f.id === `m${i}`));
      expect(answers.filter((f) => f.type === 'ack')).toHaveLength(3);
      const refused = answers.filter((f) => f.type === 'error');
      expect(refused).toHaveLength(5);
      for (const f of refused) {
        expect(f.payload).toMatchObject({ code: 'RATE_LIMITED', retry_after_ms: expect.any(Number) });
        expect(f.payload.retry_after_ms).toBeGreaterThan(0);
      }
      await sleep(1100);
      expect(c.socket.readyState).toBe(1);
      expect((await c.request('ping')).type).toBe('pong');
    });

    it('sustained abuse closes 4429, after the RATE_LIMITED frames and the acks of every accepted send', async () => {
      const user = await registerUser(limited.api);
      const room = await createRoom(limited.api, user);
      const c = await connect(user);
      let n = 0;
      const flood = setInterval(() => {
        if (c.socket.readyState === 1) c.send({ type: 'send_message', id: `s${n}`, payload: { room_id: room.id, content: `flood ${n++}` } });
      }, 50);
      let closed: { code: number };
      try {
        closed = await c.closed;
      } finally {
        clearInterval(flood);
      }
      expect(closed.code).toBe(4429);
      const acks = c.frames.filter((f) => f.type === 'ack');
      const refused = c.frames.filter((f) => f.type === 'error');
      expect(refused.length).toBeGreaterThan(3);
      expect(refused.every((f) => f.payload.code === 'RATE_LIMITED')).toBe(true);
      const stored = await http(limited.api, 'GET', `/rooms/${room.id}/messages?limit=100`, { token: user.token });
      expect(stored.body.items.length).toBe(acks.length);
    });
  });

  describe('a flood after auth (WS_MESSAGES_PER_SECOND=1, WS_MESSAGES_BURST=3)', () => {
    it('20,000 frames at once: a bounded number of RATE_LIMITED answers, then 4429; no memory growth', async () => {
      const limited = await startTestApp({ WS_MESSAGES_PER_SECOND: '1', WS_MESSAGES_BURST: '3' });
      try {
        const user = await registerUser(limited.api);
        const c = track(new WsTestClient(limited.wsUrl, { token: user.token }));
        await c.next('auth_ok');
        const before = process.memoryUsage().rss;
        const frame = JSON.stringify({ type: 'ping', id: 'x' });
        for (let i = 0; i < 20_000; i++) c.send(frame);
        expect((await c.closed).code).toBe(4429);
        const refused = c.frames.filter((f) => f.type === 'error');
        expect(refused.length).toBeGreaterThan(3);
        expect(refused.every((f) => f.payload.code === 'RATE_LIMITED')).toBe(true);
        expect(c.frames.length).toBeLessThan(100); // 41 refusals (over 10 × (burst + rate)) plus 3 pongs
        expect((process.memoryUsage().rss - before) / 1024 / 1024).toBeLessThan(24);
      } finally {
        await limited.close();
      }
    });
  });

  describe('bounded sync', () => {
    it('a sync_result frame stays under 1 MiB with has_more, and the client continues to the end without gaps', async () => {
      const { t } = suite;
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user);
      const messages = t.app.get(MessagesService);
      // 8 KiB of JSON per message (escaped quotes and 4-byte emoji), 300 of them: about 2.4 MiB.
      const content = '"'.repeat(2000) + '😀'.repeat(1000);
      for (let i = 0; i < 300; i += 50) {
        await Promise.all(Array.from({ length: 50 }, () => messages.send(user.id, room.id, { content })));
      }
      const c = await suite.ws(user);
      const sizes: number[] = [];
      c.socket.on('message', (data: Buffer) => {
        if (data.toString('utf8', 0, 30).includes('sync_result')) sizes.push(data.length);
      });
      const seqs: number[] = [];
      let cursor = 0;
      let frames = 0;
      for (;;) {
        const reply = await c.request('sync', { rooms: { [room.id]: cursor } }, 15_000);
        expect(reply.type).toBe('sync_result');
        frames++;
        const [answer] = reply.payload.rooms;
        for (const m of answer.messages) seqs.push(m.seq);
        if (frames === 1) expect(answer.has_more).toBe(true);
        expect(answer.last_seq).toBeGreaterThanOrEqual(cursor);
        cursor = answer.last_seq;
        if (!answer.has_more) break;
        expect(frames).toBeLessThan(20);
      }
      expect(frames).toBeGreaterThanOrEqual(3);
      expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(sizes).toHaveLength(frames);
      for (const size of sizes) expect(size).toBeLessThanOrEqual(SYNC_MAX_FRAME_BYTES);
    });

    it('stops reading rooms once the socket is gone', async () => {
      const { t } = suite;
      const user = await registerUser(t.api);
      const rooms = await Promise.all(Array.from({ length: 8 }, () => createRoom(t.api, user)));
      const c = await suite.ws(user);
      const service = t.app.get(MessagesService);
      const original = service.changesSince.bind(service);
      let calls = 0;
      const spy = jest.spyOn(service, 'changesSince').mockImplementation(async (...args) => {
        calls++;
        if (calls === 1) {
          c.socket.terminate();
          await sleep(300);
        }
        return original(...args);
      });
      try {
        c.send({ type: 'sync', id: 'gone', payload: { rooms: Object.fromEntries(rooms.map((r) => [r.id, 0])) } });
        await c.closed;
        await sleep(800);
        expect(calls).toBe(4); // the first chunk of SYNC_ROOMS_IN_PARALLEL rooms, not the other 4
      } finally {
        spy.mockRestore();
      }
    });
  });

  it('a kick landing between loading the rooms and registering the socket does not leave the room routed', async () => {
    const { t } = suite;
    const owner = await registerUser(t.api);
    const kicked = await registerUser(t.api);
    const room = await createRoom(t.api, owner, 'private');
    expect((await http(t.api, 'POST', `/rooms/${room.id}/members`, { token: owner.token, body: { user_ids: [kicked.id] } })).status).toBeLessThan(300);
    const rooms = t.app.get(RoomsService);
    const original = rooms.roomIdsOfUser.bind(rooms);
    const spy = jest.spyOn(rooms, 'roomIdsOfUser').mockImplementationOnce(async (userId: string) => {
      const ids = await original(userId);
      // The room list is loaded (it still has the room); the kick commits before the socket registers.
      const res = await http(t.api, 'DELETE', `/rooms/${room.id}/members/${kicked.id}`, { token: owner.token });
      expect(res.status).toBe(200);
      return ids;
    });
    try {
      const c = await suite.ws(kicked);
      expect(spy).toHaveBeenCalled();
      expect(t.app.get(ConnectionRegistry).roomsOf(kicked.id).has(room.id)).toBe(false);
      await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'after the kick' } });
      await c.expectNone('new_message', 400);
    } finally {
      spy.mockRestore();
    }
  });

  describe('further connections of an online user reuse its routing', () => {
    /** A member of a new room (owned by `owner`) with one live connection, `first`. */
    async function onlineMember(): Promise<{ owner: TestUser; u: TestUser; room: { id: string }; first: WsTestClient }> {
      const { t } = suite;
      const owner = await registerUser(t.api);
      const u = await registerUser(t.api);
      const room = await createRoom(t.api, owner);
      await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: u.token });
      return { owner, u, room, first: await suite.ws(u) };
    }

    it('a second connection reads no rooms, gets the room\'s events, and keeps getting them after the first closes', async () => {
      const { t } = suite;
      const { owner, u, room, first } = await onlineMember();
      const rooms = t.app.get(RoomsService);
      const spy = jest.spyOn(rooms, 'roomIdsOfUser');
      try {
        const second = await suite.ws(u);
        expect(spy).not.toHaveBeenCalled();
        first.close();
        await first.closed;
        await sleep(100);
        await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'to the second socket' } });
        expect((await second.next('new_message')).payload.content).toBe('to the second socket');
      } finally {
        spy.mockRestore();
      }
    });

    it('when the only other connection closes while a new one authenticates, the new one loads the routing itself', async () => {
      const { t } = suite;
      const { owner, u, room, first } = await onlineMember();
      const users = t.app.get(UsersService);
      const original = users.getEntity.bind(users);
      // The user row of the new connection is read while the first connection is still open; the
      // first one closes before that read returns.
      const spy = jest.spyOn(users, 'getEntity').mockImplementationOnce(async (userId: string) => {
        first.close();
        await first.closed;
        await sleep(100);
        return original(userId);
      });
      try {
        const second = await suite.ws(u);
        expect(spy).toHaveBeenCalled();
        expect(t.app.get(ConnectionRegistry).roomsOf(u.id).has(room.id)).toBe(true);
        await http(t.api, 'POST', `/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'still routed' } });
        expect((await second.next('new_message')).payload.content).toBe('still routed');
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe('a remembered access token (ACCESS_TOKEN_TTL_SECONDS=2)', () => {
    it('is refused with 4401 once expired, though it was verified before', async () => {
      const short = await startTestApp({ ACCESS_TOKEN_TTL_SECONDS: '2' });
      try {
        const u = await registerUser(short.api);
        const live = track(new WsTestClient(short.wsUrl, { token: u.token }));
        await live.next('auth_ok');
        const claims = JSON.parse(Buffer.from(u.token.split('.')[1], 'base64url').toString()) as { exp: number };
        await sleep(Math.max(0, claims.exp * 1000 - Date.now()) + 100);
        const late = track(new WsTestClient(short.wsUrl, { token: u.token }));
        expect((await late.closed).code).toBe(4401);
      } finally {
        await short.close();
      }
    });
  });

  describe('per-IP connection cap (WS_MAX_CONNECTIONS_PER_IP=3)', () => {
    it('the 4th connection from one address is closed 1013; a closed one frees its place; X-Forwarded-For is ignored unless trusted', async () => {
      const capped = await startTestApp({ WS_MAX_CONNECTIONS_PER_IP: '3' });
      try {
        const open = [];
        for (let i = 0; i < 3; i++) {
          const c = track(new WsTestClient(capped.wsUrl));
          await c.next('auth_required');
          open.push(c);
        }
        const fourth = track(new WsTestClient(capped.wsUrl, { headers: { 'x-forwarded-for': '203.0.113.9' } }));
        expect((await fourth.closed).code).toBe(1013);
        open[0].close();
        await open[0].closed;
        await sleep(100);
        const again = track(new WsTestClient(capped.wsUrl));
        await again.next('auth_required');
      } finally {
        await capped.close();
      }

      const proxied = await startTestApp({ WS_MAX_CONNECTIONS_PER_IP: '3', TRUST_PROXY: '127.0.0.1' });
      try {
        for (let i = 0; i < 3; i++) {
          const c = track(new WsTestClient(proxied.wsUrl, { headers: { 'x-forwarded-for': '198.51.100.1' } }));
          await c.next('auth_required');
        }
        const sameClient = track(new WsTestClient(proxied.wsUrl, { headers: { 'x-forwarded-for': '198.51.100.1' } }));
        expect((await sameClient.closed).code).toBe(1013);
        const otherClient = track(new WsTestClient(proxied.wsUrl, { headers: { 'x-forwarded-for': '198.51.100.2' } }));
        await otherClient.next('auth_required');
      } finally {
        await proxied.close();
      }
    });
  });

  describe('Origin: a same-origin page is always allowed (ALLOWED_ORIGINS=https://other.example)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ ALLOWED_ORIGINS: 'https://other.example' });
    });
    afterAll(() => app.close());

    it('accepts its own origin on an ephemeral port and listed ones; a foreign Origin is 4403', async () => {
      const user = await registerUser(app.api);
      const own = track(new WsTestClient(app.wsUrl, { token: user.token, headers: { origin: app.origin } }));
      expect((await own.next('auth_ok')).payload.user.id).toBe(user.id);
      const listed = track(new WsTestClient(app.wsUrl, { token: user.token, headers: { origin: 'https://other.example' } }));
      await listed.next('auth_ok');
      for (const origin of ['https://evil.example', 'http://localhost:3000', app.origin.replace('http:', 'https:'), 'null']) {
        const foreign = track(new WsTestClient(app.wsUrl, { token: user.token, headers: { origin } }));
        expect({ origin, code: (await foreign.closed).code }).toEqual({ origin, code: 4403 });
      }
      // X-Forwarded-Host/Proto from an untrusted peer do not make a foreign origin "same".
      const forged = track(
        new WsTestClient(app.wsUrl, { token: user.token, headers: { origin: 'https://chat.example', 'x-forwarded-host': 'chat.example', 'x-forwarded-proto': 'https' } }),
      );
      expect((await forged.closed).code).toBe(4403);
    });

    it('behind a trusted proxy the forwarded scheme and host are the origin', async () => {
      const proxied = await startTestApp({ ALLOWED_ORIGINS: 'https://other.example', TRUST_PROXY: '127.0.0.1' });
      try {
        const user = await registerUser(proxied.api);
        const c = track(
          new WsTestClient(proxied.wsUrl, { token: user.token, headers: { origin: 'https://chat.example', 'x-forwarded-host': 'chat.example', 'x-forwarded-proto': 'https' } }),
        );
        await c.next('auth_ok');
      } finally {
        await proxied.close();
      }
    });
  });

  it('user_updated reaches a room co-member, a DM peer and the user\'s own connection, not a stranger', async () => {
    const { t } = suite;
    const changer = await registerUser(t.api);
    const member = await registerUser(t.api);
    const peer = await registerUser(t.api);
    const stranger = await registerUser(t.api);
    const room = await createRoom(t.api, changer);
    await http(t.api, 'POST', `/rooms/${room.id}/join`, { token: member.token });
    expect((await http(t.api, 'POST', '/dm', { token: peer.token, body: { recipient_id: changer.id } })).status).toBe(201);
    const [self, m, p, s] = await Promise.all([changer, member, peer, stranger].map((u) => suite.ws(u)));

    const res = await http(t.api, 'PATCH', '/auth/me', { token: changer.token, body: { display_name: 'Renamed Person', status: 'busy' } });
    expect(res.status).toBe(200);
    for (const c of [m, p, self]) {
      const event = await c.next((f) => f.type === 'user_updated' && f.payload.id === changer.id);
      expect(event.payload).toMatchObject({ id: changer.id, username: changer.username, display_name: 'Renamed Person', status: 'busy' });
      expect(event.payload.email).toBeUndefined();
    }
    await s.expectNone('user_updated');

    const renamed = `${changer.username}x`.slice(0, 30);
    expect((await http(t.api, 'PATCH', '/auth/username', { token: changer.token, body: { username: renamed } })).status).toBe(200);
    expect((await m.next((f) => f.type === 'user_updated' && f.payload.id === changer.id)).payload.username).toBe(renamed);
    expect((await p.next((f) => f.type === 'user_updated' && f.payload.id === changer.id)).payload.username).toBe(renamed);
    await s.expectNone('user_updated');
  });
});
