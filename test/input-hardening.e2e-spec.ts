import { createRoom, expectError, http, HttpResult, registerUser, TestUser, unique } from './helpers/http';
import { useTestApp } from './helpers/app';
import { WsTestClient } from './helpers/ws-client';

/**
 * Issue 12, input side: bounded JSON parsing (REST and WS), one set of text rules on every text
 * field, types checked before use, no bcrypt truncation, client_msg_id scoped to (sender, room) and
 * pure-negation search refused. Every bad input gets a 4xx in the API's shape and changes nothing.
 */
describe('input hardening (e2e)', () => {
  const { t, ws } = useTestApp();

  /** Asserts a 400 VALIDATION_FAILED whose details name `field`. */
  function expectFieldRefused(res: HttpResult, field: string): void {
    const body = expectError(res, 400, 'VALIDATION_FAILED');
    expect(body.details.map((d: { field: string }) => d.field)).toContain(field);
  }

  const send = (user: TestUser, roomId: string, body: unknown) => http(t.api, 'POST', `/rooms/${roomId}/messages`, { token: user.token, body });

  describe('bounded parse', () => {
    const deepBody = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

    it('a 1 MB body nested 500,000 levels is 400 VALIDATION_FAILED on a signed-in and on a public route', async () => {
      const user = await registerUser(t.api);
      const signedIn = await http(t.api, 'POST', '/rooms', { token: user.token, raw: deepBody(500_000) });
      expect(expectError(signedIn, 400, 'VALIDATION_FAILED').details).toEqual([{ field: 'body', problem: 'must not nest arrays or objects deeper than 32 levels' }]);
      expectError(await http(t.api, 'POST', '/auth/register', { raw: `{"username":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}` }), 400, 'VALIDATION_FAILED');
    });

    it('with a bad token the same body is 401: authentication comes before any parsing', async () => {
      expectError(await http(t.api, 'POST', '/rooms', { token: 'not.a.token', raw: deepBody(500_000) }), 401, 'TOKEN_INVALID');
      expectError(await http(t.api, 'POST', '/rooms', { raw: deepBody(500_000) }), 401, 'UNAUTHORIZED');
    });

    it('every answer carries the security headers (helmet), successes and errors alike', async () => {
      const user = await registerUser(t.api);
      for (const res of [
        await http(t.api, 'GET', '/rooms/me', { token: user.token }),
        await http(t.api, 'GET', '/rooms/me'),
        await http(t.api, 'POST', '/rooms', { token: user.token, raw: '{"name":' }),
      ]) {
        const get = (name: string) => res.headers.get(name);
        expect(get('content-security-policy')).toContain("default-src 'self'");
        expect(get('content-security-policy')).toContain("frame-ancestors 'self'");
        expect(get('content-security-policy')).not.toContain('upgrade-insecure-requests');
        expect(get('x-content-type-options')).toBe('nosniff');
        expect(get('x-frame-options')).toBe('SAMEORIGIN');
        expect(get('referrer-policy')).toBe('no-referrer');
        expect(get('cross-origin-opener-policy')).toBe('same-origin');
        expect(get('x-powered-by')).toBeNull();
      }
    });

    it('32 levels of unknown fields are refused as unknown fields, and invalid JSON stays INVALID_JSON', async () => {
      const user = await registerUser(t.api);
      const nested = '['.repeat(31) + '1' + ']'.repeat(31);
      const res = await http(t.api, 'POST', '/rooms', { token: user.token, raw: `{"name":"x","type":"public","extra":${nested},"more":{"a":{"b":[{"c":null}]}}}` });
      expectFieldRefused(res, 'extra');
      expectError(await http(t.api, 'POST', '/rooms', { token: user.token, raw: '{"name":' }), 400, 'INVALID_JSON');
      expectError(await http(t.api, 'POST', '/rooms', { token: user.token, raw: '{"__proto__":{"x":1},"name":"x","type":"public"}' }), 400, 'INVALID_JSON');
    });

    it('objects of over 256 fields and bodies of over 10,000 values are refused before they are transformed', async () => {
      const user = await registerUser(t.api);
      const wide: Record<string, unknown> = { name: 'x', type: 'public' };
      for (let i = 0; i < 30_000; i++) wide[`extra${i}`] = [i, { a: 'b' }];
      expect(expectError(await http(t.api, 'POST', '/rooms', { token: user.token, body: wide }), 400, 'VALIDATION_FAILED').details).toEqual([
        { field: 'body', problem: 'must not have more than 256 fields' },
      ]);
      const inner: Record<string, number> = {};
      for (let i = 0; i < 1000; i++) inner[`k${i}`] = i;
      const nested = await http(t.api, 'POST', '/rooms', { token: user.token, body: { name: inner, type: 'public' } });
      expect(expectError(nested, 400, 'VALIDATION_FAILED').details).toEqual([{ field: 'name', problem: 'must not have more than 256 fields' }]);
      const long = await http(t.api, 'POST', '/rooms', { token: user.token, raw: `{"name":[${'0,'.repeat(400_000)}0],"type":"public"}` });
      expectError(long, 400, 'VALIDATION_FAILED');
      // Within the bounds, unknown fields are reported (at most 20 details).
      const some: Record<string, unknown> = { name: 'x', type: 'public' };
      for (let i = 0; i < 200; i++) some[`extra${i}`] = i;
      const error = expectError(await http(t.api, 'POST', '/rooms', { token: user.token, body: some }), 400, 'VALIDATION_FAILED');
      expect(error.details.length).toBe(20);
      expect(error.error).toBe('extra0 is not an accepted field.');
    });

    it('the size bound judges only what the client sent: 200 large sends in one burst on one socket are all acked', async () => {
      // Regression: the bound once walked the gateway's socket object, whose receive buffers hold
      // thousands of values under a burst, and refused every send of that socket.
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user);
      const socket = await ws(user);
      const big = 'y'.repeat(3900);
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => socket.request('send_message', { room_id: room.id, content: `${i} ${big}` }, 20000)));
      expect(answers.filter((a) => a.type !== 'ack').map((a) => a.payload)).toEqual([]);
    });

    it('a sync frame of 1,000 rooms gets an error frame at once', async () => {
      const user = await registerUser(t.api);
      const socket = await ws(user);
      const rooms: Record<string, number> = {};
      for (let i = 0; i < 1000; i++) rooms[`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`] = 0;
      socket.send({ type: 'sync', id: 'wide', payload: { rooms } });
      expect((await socket.next((f) => f.id === 'wide')).payload.code).toBe('VALIDATION_FAILED');
    });

    it('a 64 KiB WebSocket frame nested 32,000 levels gets an error frame, not INTERNAL_ERROR, and the socket stays usable', async () => {
      const user = await registerUser(t.api);
      const socket = await ws(user);
      const inner = '['.repeat(32_000) + ']'.repeat(32_000);
      for (const frame of [
        `{"type":"sync","id":"d1","payload":{"rooms":${inner}}}`,
        `{"type":"send_message","id":"d2","payload":{"a":${'{"a":'.repeat(6_000)}1${'}'.repeat(6_000)}}}`,
        `{"type":"ping","id":"d3","payload":{"x":${'['.repeat(33)}${']'.repeat(33)}}}`,
        `{"type":"join_room","id":"d4","payload":{"room_id":"00000000-0000-4000-8000-000000000000","":${'['.repeat(41)}${']'.repeat(41)}}}`,
      ]) {
        socket.send(frame);
        // The error answers the request: it carries the frame's id.
        const id = (/"id":"(d\d)"/.exec(frame) ?? [])[1];
        const error = await socket.next((f) => f.type === 'error' && f.id === id);
        expect(error.payload.code).not.toBe('INTERNAL_ERROR');
        expect(error.payload.message).toContain('deeper than 32 levels');
      }
      socket.send({ type: 'ping', id: 'alive' });
      expect((await socket.next('pong')).type).toBe('pong');
    });
  });

  describe('text rules on every text field', () => {
    const BAD_TEXT: [string, string][] = [
      ['NUL', 'a\u0000b'],
      ['C0 \\u0001', 'a\u0001b'],
      ['escape \\u001b', 'a\u001b[31mb'],
      ['carriage return', 'a\rb'],
      ['lone high surrogate', 'a\ud800b'],
      ['lone low surrogate', 'a\udfffb'],
    ];

    it.each(BAD_TEXT)('%s is refused with 400 naming the field, and nothing changes', async (_name, bad) => {
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user, 'public');
      const message = (await send(user, room.id, { content: 'original' })).body;
      const cases: [string, string, string, Record<string, unknown>, string][] = [
        ['POST', `/rooms/${room.id}/messages`, user.token, { content: bad }, 'content'],
        ['PATCH', `/messages/${message.id}`, user.token, { content: bad }, 'content'],
        ['PATCH', '/auth/me', user.token, { display_name: bad }, 'display_name'],
        ['PATCH', '/auth/me', user.token, { bio: bad }, 'bio'],
        ['PATCH', '/auth/me', user.token, { status: bad }, 'status'],
        ['PATCH', '/auth/me', user.token, { avatar_url: `https://example.com/${bad}` }, 'avatar_url'],
        ['POST', '/rooms', user.token, { name: bad, type: 'public' }, 'name'],
        ['POST', '/rooms', user.token, { name: 'ok', description: bad, type: 'public' }, 'description'],
        ['PATCH', `/rooms/${room.id}`, user.token, { name: bad }, 'name'],
        ['PATCH', `/rooms/${room.id}`, user.token, { description: bad }, 'description'],
        ['PATCH', '/auth/username', user.token, { username: bad }, 'username'],
        ['PATCH', '/auth/email', user.token, { email: `a${bad}@example.com`, password: user.password }, 'email'],
        ['PATCH', '/auth/email', user.token, { email: 'x@example.com', password: bad }, 'password'],
        ['PATCH', '/auth/password', user.token, { current_password: user.password, new_password: `long enough ${bad}` }, 'new_password'],
        ['DELETE', '/auth/me', user.token, { password: bad }, 'password'],
        ['POST', '/auth/login', '', { login: bad, password: 'whatever it is' }, 'login'],
        ['POST', '/auth/login', '', { email: bad, password: 'whatever it is' }, 'email'],
        ['POST', '/auth/login', '', { username: bad, password: 'whatever it is' }, 'username'],
        ['POST', '/auth/login', '', { login: user.username, password: bad }, 'password'],
        ['POST', '/auth/register', '', { username: unique('u'), email: `${unique('e')}@example.test`, password: 'a decent passphrase', display_name: bad }, 'display_name'],
        ['POST', '/auth/register', '', { username: unique('u'), email: `${unique('e')}@example.test`, password: `a decent ${bad}` }, 'password'],
        ['POST', '/auth/refresh', '', { refresh_token: bad }, 'refresh_token'],
      ];
      for (const [method, path, token, body, field] of cases) {
        const res = await http(t.api, method, path, { token: token || undefined, body });
        expect({ method, path, field, status: res.status }).toEqual({ method, path, field, status: 400 });
        expectFieldRefused(res, field);
      }
      // Nothing changed.
      const me = (await http(t.api, 'GET', '/auth/me', { token: user.token })).body;
      expect([me.username, me.display_name, me.bio, me.status]).toEqual([user.username, user.username, null, null]);
      const history = (await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: user.token })).body;
      expect(history.items.map((m: { content: string }) => m.content)).toEqual(['original']);
    });

    it.each([
      ['NUL', '%00'],
      ['C0 \\u0007', '%07'],
      ['line break', 'a%0Ab'],
    ])('%s in a search q is 400 naming q (messages, users, rooms)', async (_name, encoded) => {
      const user = await registerUser(t.api);
      for (const path of [`/messages/search?q=a${encoded}`, `/users/search?q=a${encoded}`, `/users?q=a${encoded}`, `/rooms?q=a${encoded}`]) {
        expectFieldRefused(await http(t.api, 'GET', path, { token: user.token }), 'q');
      }
    });

    it('line breaks and tabs are kept in multi-line fields and refused in single-line ones', async () => {
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user);
      const sent = await send(user, room.id, { content: 'line one\nline two\tindented' });
      expect(sent.status).toBe(201);
      expect(sent.body.content).toBe('line one\nline two\tindented');
      expect((await http(t.api, 'PATCH', '/auth/me', { token: user.token, body: { bio: 'two\nlines' } })).body.bio).toBe('two\nlines');
      expectFieldRefused(await http(t.api, 'PATCH', '/auth/me', { token: user.token, body: { display_name: 'alice\nbob: hi' } }), 'display_name');
      expectFieldRefused(await http(t.api, 'PATCH', '/auth/me', { token: user.token, body: { status: 'tab\there' } }), 'status');
    });

    it('lengths are code points: 4,000 emoji are accepted (send and edit, REST and WS), 4,001 refused', async () => {
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user);
      const emoji4000 = '😀'.repeat(4000);
      const sent = await send(user, room.id, { content: emoji4000 });
      expect(sent.status).toBe(201);
      expect(sent.body.content).toBe(emoji4000);
      expectFieldRefused(await send(user, room.id, { content: emoji4000 + '😀' }), 'content');
      expect((await http(t.api, 'PATCH', `/messages/${sent.body.id}`, { token: user.token, body: { content: '👍'.repeat(4000) } })).status).toBe(200);
      expectFieldRefused(await http(t.api, 'PATCH', `/messages/${sent.body.id}`, { token: user.token, body: { content: '👍'.repeat(4001) } }), 'content');
      // Names too: 64 emoji are a 64-character display name, 80 a room name.
      expect((await http(t.api, 'PATCH', '/auth/me', { token: user.token, body: { display_name: '🦊'.repeat(64) } })).status).toBe(200);
      expect((await http(t.api, 'POST', '/rooms', { token: user.token, body: { name: '🦊'.repeat(80), type: 'public' } })).status).toBe(201);
      expectFieldRefused(await http(t.api, 'POST', '/rooms', { token: user.token, body: { name: '🦊'.repeat(81), type: 'public' } }), 'name');

      const socket = await ws(user);
      socket.send({ type: 'send_message', id: 'big', payload: { room_id: room.id, content: emoji4000 } });
      expect((await socket.next((f) => f.type === 'ack' && f.id === 'big')).payload.content).toBe(emoji4000);
      socket.send({ type: 'send_message', id: 'too-big', payload: { room_id: room.id, content: emoji4000 + '😀' } });
      expect((await socket.next((f) => f.type === 'error' && f.id === 'too-big')).payload.code).toBe('VALIDATION_FAILED');
    });

    it('over WebSocket: NUL, C0 and lone surrogates in send_message and edit_message get VALIDATION_FAILED, never INTERNAL_ERROR', async () => {
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user);
      const message = (await send(user, room.id, { content: 'keep me' })).body;
      const socket: WsTestClient = await ws(user);
      const frames = [
        { type: 'send_message', payload: { room_id: room.id, content: 'a\u0000b' } },
        { type: 'send_message', payload: { room_id: room.id, content: '\u0015 \u0000👨‍👩‍👧' } },
        { type: 'send_message', payload: { room_id: room.id, content: 'x', client_msg_id: 'a\u0000' } },
        { type: 'edit_message', payload: { message_id: message.id, content: 'a\ud800' } },
        { type: 'edit_message', payload: { message_id: message.id, content: '\u0015 \u0000👨‍👩‍👧4:{b# ' } },
        { type: 'auth', payload: { token: 'a\u0000' } },
      ];
      for (const [i, frame] of frames.entries()) {
        socket.send({ ...frame, id: `f${i}` });
        const answer = await socket.next((f) => f.id === `f${i}`);
        expect({ i, type: answer.type, code: answer.payload.code }).toEqual({ i, type: 'error', code: expect.not.stringMatching(/INTERNAL_ERROR/) });
      }
      const history = (await http(t.api, 'GET', `/rooms/${room.id}/messages`, { token: user.token })).body;
      expect(history.items.map((m: { content: string }) => m.content)).toEqual(['keep me']);
    });

    it('a NUL among concurrent sends is refused alone: the group-commit batch of the others still stores them', async () => {
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user);
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => send(user, room.id, { content: i === 5 ? 'bad\u0000one' : `good ${i}` })),
      );
      expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === 5 ? 400 : 201)));
      const stored = results.filter((r) => r.status === 201).map((r) => r.body.seq);
      expect(new Set(stored).size).toBe(11);
    });
  });

  describe('types checked before use', () => {
    it('login with a non-string login, email or username (in any combination) is 400, not a 500', async () => {
      const user = await registerUser(t.api);
      const bodies = [
        { login: 123, email: user.email, password: user.password },
        { login: 91800964, username: 'z_e1__', password: 'correct horse battery' },
        { login: -1.79e308, email: 'cdnvec@fuzz.example', username: 'x', password: '\r6L' },
        { login: null, password: user.password },
        { email: 123, password: user.password },
        { username: ['a'], password: user.password },
        { login: { $ne: '' }, password: user.password },
        { email: user.email, username: user.username, password: user.password },
        { password: user.password },
        { login: user.username, password: 123 },
      ];
      for (const body of bodies) {
        const res = await http(t.api, 'POST', '/auth/login', { body });
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expectError(res, 400, 'VALIDATION_FAILED');
      }
      expect((await http(t.api, 'POST', '/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(200);
      expect((await http(t.api, 'POST', '/auth/login', { body: { username: user.username, password: user.password } })).status).toBe(200);
    });

    it('null is refused where it means nothing (room name, display name, content) and clears where documented', async () => {
      const user = await registerUser(t.api);
      const room = await createRoom(t.api, user, 'public', unique('named'));
      expectFieldRefused(await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: user.token, body: { name: null } }), 'name');
      expect((await http(t.api, 'GET', `/rooms/${room.id}`, { token: user.token })).body.name).toBe(room.name);
      expectFieldRefused(await http(t.api, 'POST', '/rooms', { token: user.token, body: { name: 'x', type: 'public', description: null } }), 'description');
      expectFieldRefused(await http(t.api, 'PATCH', '/auth/me', { token: user.token, body: { display_name: null } }), 'display_name');
      expectFieldRefused(await send(user, room.id, { content: null }), 'content');
      expectFieldRefused(await send(user, room.id, { content: 'x', reply_to_id: null }), 'reply_to_id');
      expectFieldRefused(await send(user, room.id, { content: 'x', client_msg_id: null }), 'client_msg_id');

      await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: user.token, body: { description: 'temporary' } });
      const cleared = await http(t.api, 'PATCH', `/rooms/${room.id}`, { token: user.token, body: { description: null } });
      expect(cleared.status).toBe(200);
      expect(cleared.body.description).toBeNull();
      await http(t.api, 'PATCH', '/auth/me', { token: user.token, body: { bio: 'b', status: 's', avatar_url: 'https://example.com/a.png' } });
      const me = await http(t.api, 'PATCH', '/auth/me', { token: user.token, body: { bio: null, status: null, avatar_url: null } });
      expect([me.status, me.body.bio, me.body.status, me.body.avatar_url]).toEqual([200, null, null, null]);
    });

    it('a body that is null, an array or a scalar is 400 "body must be a JSON object" and changes nothing, even where every field is optional', async () => {
      const user = await registerUser(t.api);
      const before = (await http(t.api, 'GET', '/auth/me', { token: user.token })).body;
      for (const raw of ['null', '[]', '[{"display_name":"x"}]', '"x"', '7', 'true']) {
        for (const [method, path] of [
          ['PATCH', '/auth/me'],
          ['POST', '/rooms'],
        ]) {
          const res = await http(t.api, method, path, { token: user.token, raw });
          const body = expectError(res, 400, 'VALIDATION_FAILED');
          expect([raw, body.error, body.details]).toEqual([raw, 'body must be a JSON object.', [{ field: 'body', problem: 'must be a JSON object' }]]);
        }
      }
      expect((await http(t.api, 'GET', '/auth/me', { token: user.token })).body).toEqual(before);
      expect((await http(t.api, 'GET', '/rooms/me', { token: user.token })).body.items).toEqual([]);
      // No body at all is still no change requested where every field is optional.
      expect((await http(t.api, 'PATCH', '/auth/me', { token: user.token })).status).toBe(200);
    });
  });

  describe('passwords are never truncated', () => {
    const password72 = 'correct horse battery staple '.repeat(3).slice(0, 72);

    it('the right 72-byte password plus a suffix is the same 401 as a wrong password', async () => {
      expect(Buffer.byteLength(password72)).toBe(72);
      const user = await registerUser(t.api, { password: password72 });
      const wrong = await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: 'not the password' } });
      const suffixed = await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: `${password72}anything` } });
      expectError(suffixed, 401, 'INVALID_CREDENTIALS');
      expect({ ...suffixed.body, request_id: '' }).toEqual({ ...wrong.body, request_id: '' });
      expect((await http(t.api, 'POST', '/auth/login', { body: { login: user.username, password: password72 } })).status).toBe(200);
      // Confirmations that check the password refuse it too.
      expectError(await http(t.api, 'PATCH', '/auth/email', { token: user.token, body: { email: `${unique('n')}@example.test`, password: `${password72}x` } }), 403, 'WRONG_PASSWORD');
      expectError(await http(t.api, 'DELETE', '/auth/me', { token: user.token, body: { password: `${password72}x` } }), 403, 'WRONG_PASSWORD');
    });

    it('a new password over 72 bytes is refused with 400 (register and change)', async () => {
      const name = unique('p');
      expectFieldRefused(await http(t.api, 'POST', '/auth/register', { body: { username: name, email: `${name}@example.test`, password: `${password72}x` } }), 'password');
      const user = await registerUser(t.api);
      expectFieldRefused(await http(t.api, 'PATCH', '/auth/password', { token: user.token, body: { current_password: user.password, new_password: `${password72}é` } }), 'new_password');
    });
  });

  describe('client_msg_id is scoped to (sender, room)', () => {
    it('a reuse in another room is a new message there; a retry in the same room returns the first one in its current state', async () => {
      const user = await registerUser(t.api);
      const [a, b] = [await createRoom(t.api, user), await createRoom(t.api, user)];
      const id = unique('c');
      const first = await send(user, a.id, { content: 'in A', client_msg_id: id });
      expect(first.status).toBe(201);
      const other = await send(user, b.id, { content: 'in B', client_msg_id: id });
      expect(other.status).toBe(201);
      expect(other.body.id).not.toBe(first.body.id);
      expect([other.body.room_id, other.body.content, other.body.client_msg_id]).toEqual([b.id, 'in B', id]);

      await http(t.api, 'PATCH', `/messages/${first.body.id}`, { token: user.token, body: { content: 'in A, edited' } });
      const retry = await send(user, a.id, { content: 'in A', client_msg_id: id });
      expect(retry.status).toBe(200);
      expect([retry.body.id, retry.body.content]).toEqual([first.body.id, 'in A, edited']);
      const retryB = await send(user, b.id, { content: 'in B', client_msg_id: id });
      expect([retryB.status, retryB.body.id]).toEqual([200, other.body.id]);

      // Over WebSocket, in a batch with concurrent sends: a third room gets its own message too.
      const c = await createRoom(t.api, user);
      const socket = await ws(user);
      socket.send({ type: 'send_message', id: 'w1', payload: { room_id: c.id, content: 'in C', client_msg_id: id } });
      socket.send({ type: 'send_message', id: 'w2', payload: { room_id: a.id, content: 'in A again', client_msg_id: id } });
      const inC = await socket.next((f) => f.type === 'ack' && f.id === 'w1');
      const inA = await socket.next((f) => f.type === 'ack' && f.id === 'w2');
      expect(inC.payload.room_id).toBe(c.id);
      expect(inC.payload.id).not.toBe(first.body.id);
      expect(inA.payload.id).toBe(first.body.id);
    });

    it('a member removed from a room gets a new message elsewhere, never the old room\'s message', async () => {
      const owner = await registerUser(t.api);
      const member = await registerUser(t.api);
      const secret = await createRoom(t.api, owner, 'private');
      await http(t.api, 'POST', `/rooms/${secret.id}/members`, { token: owner.token, body: { user_ids: [member.id] } });
      const id = unique('k');
      const inSecret = await send(member, secret.id, { content: 'before kick', client_msg_id: id });
      await http(t.api, 'DELETE', `/rooms/${secret.id}/members/${member.id}`, { token: owner.token });
      const own = await createRoom(t.api, member);
      const res = await send(member, own.id, { content: 'new room', client_msg_id: id });
      expect(res.status).toBe(201);
      expect(res.body.id).not.toBe(inSecret.body.id);
      expect(res.body.room_id).toBe(own.id);
    });
  });

  describe('bounded search', () => {
    it('a search of only excluded words is 400 naming q and saying why; one word to find is enough', async () => {
      const user = await registerUser(t.api);
      for (const q of ['-x', '-a -b', '-"a phrase"', 'a or -b']) {
        const res = await http(t.api, 'GET', `/messages/search?q=${encodeURIComponent(q)}`, { token: user.token });
        expectFieldRefused(res, 'q');
        expect(res.body.error).toContain('excluded words');
      }
      expect((await http(t.api, 'GET', `/messages/search?q=${encodeURIComponent('a -b')}`, { token: user.token })).status).toBe(200);
    });
  });
});
